"""How a proposal's services merge as their count drops: a dendrogram.

The leaves are the finest groups `propose` makes (the clustering's services, before
`--services N` merges them); each merge joins the two most tied groups, as `--services`
does, so `propose --services N` is the N-cut of the same hierarchy: its first
`len(leaves) - N` merges applied. Pins of different services never merge, so a hierarchy
may end with several roots. Pure values and functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .naming import pins_of


@dataclass(frozen=True)
class Merge:
    left: int  # node ids: leaves are 0..len(leaves)-1, the k-th merge makes node len(leaves)+k
    right: int
    tie: float  # the weight between the two groups over the geometric mean of their sizes


@dataclass(frozen=True)
class Hierarchy:
    leaves: tuple[frozenset[str], ...]
    merges: tuple[Merge, ...]
    names: tuple[str, ...] = ()  # each leaf's service name, as the finest cut names it

    def cut(self, count: int) -> list[set[str]]:
        """The groups when `count` remain (or as few as the merges allow), sorted by their first unit."""
        members: dict[int, set[str]] = {i: set(leaf) for i, leaf in enumerate(self.leaves)}
        for step, merge in enumerate(self.merges):
            if len(members) <= max(count, 1):
                break
            members[len(self.leaves) + step] = members.pop(merge.left) | members.pop(merge.right)
        return sorted(members.values(), key=min)

    def order(self) -> list[int]:
        """The leaves in an order whose merges never cross (depth first from each root)."""
        children = {len(self.leaves) + k: (m.left, m.right) for k, m in enumerate(self.merges)}
        merged = {c for pair in children.values() for c in pair}
        roots = [n for n in range(len(self.leaves) + len(self.merges)) if n not in merged]
        found: list[int] = []

        def walk(node: int) -> None:
            if node in children:
                for child in children[node]:
                    walk(child)
            else:
                found.append(node)

        for root in roots:
            walk(root)
        return found

    def to_json(self) -> dict[str, Any]:
        count = len(self.leaves)
        return {
            "leaves": [{"id": i, "name": self.names[i] if i < len(self.names) else f"group-{i}",
                        "units": sorted(leaf)} for i, leaf in enumerate(self.leaves)],
            "merges": [{"id": count + k, "left": m.left, "right": m.right, "tie": round(m.tie, 4),
                        "services": count - k - 1} for k, m in enumerate(self.merges)],
        }


Ties = Callable[[str], Mapping[str, float]]  # a unit -> its tied units and weights


def merge_sequence(groups: Sequence[set[str]], neighbours: Ties, pinned: Mapping[str, str]) -> list[Merge]:
    """Every merge from `groups` down to one group (or as far as pins allow): the most tied
    pair first (tie = weight between them over the geometric mean of their sizes); with no
    tie left, the two smallest groups; never two groups pinned to different services."""
    members = {i: set(g) for i, g in enumerate(groups)}
    pins = {i: pins_of(g, pinned) for i, g in members.items()}
    group_of = {u: i for i, g in members.items() for u in g}
    ties: dict[int, dict[int, float]] = {i: {} for i in members}
    for a in group_of:
        for b, weight in neighbours(a).items():
            i, j = group_of[a], group_of.get(b)
            if j is not None and i != j:
                ties[i][j] = ties[i].get(j, 0.0) + weight
    node = {i: i for i in members}  # a group's node id in the dendrogram (it keeps its index here)
    merges: list[Merge] = []
    while len(members) > 1:
        candidates = [(weight / math.sqrt(len(members[i]) * len(members[j])), -i, -j)
                      for i in members for j, weight in ties[i].items() if i < j and may_merge(pins[i], pins[j])]
        if candidates:
            tie, i, j = max(candidates)
            i, j = -i, -j
        else:
            pairs = [(len(members[i]) + len(members[j]), i, j) for i in members for j in members
                     if i < j and may_merge(pins[i], pins[j])]
            if not pairs:
                break
            (_, i, j), tie = min(pairs), 0.0
        merges.append(Merge(node[i], node[j], tie))
        node[i] = len(groups) + len(merges) - 1
        del node[j]
        members[i] |= members.pop(j)
        pins[i] |= pins.pop(j)
        for k, weight in ties.pop(j).items():
            ties[k].pop(j, None)
            if k != i:
                ties[i][k] = ties[i].get(k, 0.0) + weight
                ties[k][i] = ties[k].get(i, 0.0) + weight
        ties[i].pop(i, None)
    return merges


def may_merge(pins_a: set[str], pins_b: set[str]) -> bool:
    """Two groups may merge unless they hold pins of different services."""
    return not (pins_a and pins_b and pins_a != pins_b)
