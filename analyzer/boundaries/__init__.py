"""The boundary stage: propose services over the graph, score them, explain placements,
and read, edit and report plans. It reads the graph stage's output and nothing in the
graph stage imports it."""
