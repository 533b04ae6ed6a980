"""Runtime traces: `mono2lambda trace` runs a command with a call recorder (shim/), maps what
it saw onto the graph's names (mapping), writes the trace file (model), and the analysis
adds it to the graph as `observed` edges (edges)."""

TRACE_FILE = "trace.json"  # next to graph.json (here, not in model: `analyze` looks for it without importing model)
