"""The dendrogram's geometry: leaves as rows (in an order whose brackets never cross), one
column per merge, left to right as the count of services drops, so the column where `N`
services remain shows the groups `propose --services N` makes."""

from __future__ import annotations

from ..hierarchy import Hierarchy
from .model import Dendrogram, DendrogramLeaf, DendrogramLink, Tick

ROW = 22.0
CHAR_WIDTH = 7.2  # of the 12px label font
MARGIN = 12.0
MAX_STEP, MAX_MERGE_WIDTH = 44.0, 720.0
AXIS = 30.0  # room under the rows for the count of services at each column


def layout_dendrogram(hierarchy: Hierarchy) -> Dendrogram:
    count = len(hierarchy.leaves)
    if count < 2:
        return Dendrogram()
    names = [hierarchy.names[i] if i < len(hierarchy.names) else f"group-{i}" for i in range(count)]
    labels = [f"{names[i]} ({len(hierarchy.leaves[i])})" for i in range(count)]
    left = MARGIN + CHAR_WIDTH * max(len(label) for label in labels) + 10
    step = min(MAX_STEP, MAX_MERGE_WIDTH / max(len(hierarchy.merges), 1))
    position: dict[int, tuple[float, float]] = {}
    leaves = []
    for row, leaf in enumerate(hierarchy.order()):
        y = MARGIN + ROW * row + ROW / 2
        position[leaf] = (left, y)
        leaves.append(DendrogramLeaf(labels[leaf], len(hierarchy.leaves[leaf]), round(left - 8, 1), round(y + 4, 1)))
    links, groups = [], {i: names[i] for i in range(count)}
    for step_index, merge in enumerate(hierarchy.merges):
        x = left + step * (step_index + 1)
        (x1, y1), (x2, y2) = position[merge.left], position[merge.right]
        node = count + step_index
        position[node] = (x, (y1 + y2) / 2)
        left_name, right_name = groups.pop(merge.left), groups.pop(merge.right)
        groups[node] = f"{left_name} + {right_name}" if len(left_name) + len(right_name) < 60 else f"{left_name} + ..."
        services = count - step_index - 1
        links.append(DendrogramLink(f"M{x1:.1f},{y1:.1f}H{x:.1f}V{y2:.1f}H{x2:.1f}", services,
                                    f"{groups[node]} (tie {merge.tie:.3g}): {services} service"
                                    f"{'s' if services != 1 else ''} left"))
    height = MARGIN + ROW * count + AXIS
    every = max(1, round(24 / step))  # a tick label at least 24 px from the next
    ticks = [Tick(round(left + step * k, 1), str(count - k)) for k in range(len(hierarchy.merges) + 1)
             if k % every == 0 or k == len(hierarchy.merges)]
    width = left + step * (len(hierarchy.merges) + 1) + MARGIN
    return Dendrogram(round(width, 1), round(height, 1), tuple(leaves), tuple(links), tuple(ticks),
                      round(height - AXIS / 2 + 4, 1))
