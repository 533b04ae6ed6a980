"""Where each unit of the monolith goes: the common currency of `propose`, `score`, the
plan file and the selection page.

A *unit* is what gets placed: a module by default (`unit: module`), or a class or a
module's remaining top-level code (`unit: class`). A *place* is a service name, or one of
the two reserved places: `MONOLITH` (stays behind in the monolith) and `SHARED` (a
library copied into every service that needs it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..graph import CodeGraph

MONOLITH = "monolith"
SHARED = "shared"
RESERVED = frozenset({MONOLITH, SHARED})
UNIT_KINDS = ("module", "class")


@dataclass(frozen=True)
class Placement:
    """A total map from unit to place (frozen: edit by making a new one with `moved`)."""

    units: Mapping[str, str]
    unit_kind: str = "module"
    # operation -> the relationships of the rows it returns that the plan has it send along (`include:`)
    includes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    _members: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        members: dict[str, list[str]] = {}
        for unit, place in sorted(self.units.items()):
            members.setdefault(place, []).append(unit)
        self._members.update({place: tuple(units) for place, units in members.items()})

    def place_of(self, unit: str) -> str:
        return self.units.get(unit, MONOLITH)

    def members(self, place: str) -> tuple[str, ...]:
        return self._members.get(place, ())

    def services(self) -> list[str]:
        """Service names, sorted (the reserved places are not services)."""
        return sorted(place for place in self._members if place not in RESERVED)

    def moved(self, units: Iterable[str], place: str) -> Placement:
        changed = dict(self.units)
        changed.update(dict.fromkeys(units, place))
        return Placement(changed, self.unit_kind, self.includes)


def units_of(graph: CodeGraph, unit_kind: str = "module") -> list[str]:
    """The units of a graph, sorted."""
    if unit_kind == "module":
        return graph.nodes("module")
    return sorted({unit_of(graph, node, unit_kind) or "" for node in graph.nodes("module", "class")} - {""})


def unit_of(graph: CodeGraph, node: str, unit_kind: str = "module") -> str | None:
    """The unit a graph node belongs to (None for tables, externals and unknown nodes).

    With `unit_kind="class"`, a top-level class (and its methods and nested code) is its
    own unit, and everything else in a module belongs to the module's unit."""
    if node not in graph:
        return None
    module = graph.module_of(node)
    if module is None:
        return None
    if unit_kind == "module":
        return module
    rest = node[len(module) + 1:] if node.startswith(module + ".") else ""
    head = rest.split(".", 1)[0]
    candidate = f"{module}.{head}" if head else module
    if head and candidate in graph and graph.attr(candidate, "kind") == "class":
        return candidate
    return module
