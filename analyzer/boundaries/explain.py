"""Why a unit is where it is: its ties to its own place against its strongest tie elsewhere.

Users of boundary tools ask first "why was this put here?". The answer is in the same
terms the proposal used: call sites between units, and tables or module state both
touch (writers pull hardest).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..graph import CodeGraph, UnitGraph
from .cohesion import MIN_TIE
from .domains import DomainRef, domain_map, project_packages
from .naming import service_name
from .partition import DEFAULT_WEIGHTS, Weights, data_access, role_rule, unit_lookup, unit_weights, web_layer
from .placement import MONOLITH, SHARED, Placement, units_of


@dataclass(frozen=True)
class Tie:
    """What binds a unit to one place: call sites both ways, and shared data with roles."""

    place: str
    weight: float
    calls: int
    shared_data: tuple[str, ...]  # "table:orders (both write)"
    units: tuple[str, ...]  # the units of that place it is tied to, strongest first


@dataclass(frozen=True)
class Explanation:
    unit: str
    place: str
    own: Tie | None
    strongest_other: Tie | None
    others: tuple[Tie, ...] = field(default=())
    rule: str = ""  # the rule of `propose` that puts a unit there (roles, domains), if any

    def sentence(self) -> str:
        """One line a person can read in a terminal or a report table."""
        own = _describe(self.own) if self.own else "no ties to its own place"
        rule = f" ({self.rule})" if self.rule else ""
        text = f"{self.unit} is in {self.place}{rule}: {own}"
        if self.strongest_other is None:
            return text + "; no ties elsewhere."
        return text + f"; strongest pull elsewhere: {self.strongest_other.place} ({_describe(self.strongest_other)})."

    def to_json(self) -> dict:
        def tie(t: Tie | None) -> dict | None:
            return None if t is None else {"place": t.place, "weight": round(t.weight, 3), "calls": t.calls,
                                           "shared_data": list(t.shared_data), "units": list(t.units)}
        return {"unit": self.unit, "place": self.place, "rule": self.rule, "own": tie(self.own),
                "strongest_other": tie(self.strongest_other), "sentence": self.sentence()}


def _describe(tie: Tie) -> str:
    parts = [f"{tie.calls} call sites"] if tie.calls else []
    if tie.shared_data:
        parts.append("shared " + ", ".join(tie.shared_data[:3]) + (" ..." if len(tie.shared_data) > 3 else ""))
    parts.append(f"weight {tie.weight:.1f}")
    return ", ".join(parts)


def explain(graph: CodeGraph, placement: Placement, unit: str, weights: Weights = DEFAULT_WEIGHTS) -> Explanation:
    """The explanation for one unit (see `explain_all` for every unit at once): only its own
    ties are weighed and counted."""
    return Explainer(graph, placement.unit_kind, weights, focus=unit).explain(placement, only=unit)[unit]


def explain_all(graph: CodeGraph, placement: Placement, weights: Weights = DEFAULT_WEIGHTS,
                only: str | None = None) -> dict[str, Explanation]:
    return Explainer(graph, placement.unit_kind, weights).explain(placement, only)


class Explainer:
    """What explaining needs from the graph, whatever the placement: built once, it explains
    any placement in milliseconds (the selection page explains a unit after every edit).
    With `focus`, only the ties of that one unit are gathered, and only it can be explained."""

    def __init__(self, graph: CodeGraph, unit_kind: str = "module", weights: Weights = DEFAULT_WEIGHTS,
                 focus: str | None = None) -> None:
        node_unit = unit_lookup(graph, unit_kind)
        self.unit_kind = unit_kind
        self.focus = focus
        self.units = UnitGraph(units_of(graph, unit_kind), unit_weights(graph, unit_kind, weights, node_unit, focus))
        self.calls = _call_counts(graph, node_unit, focus)
        self.shared = _shared_data(graph, unit_kind, node_unit, focus)
        self.rule = _Rules(graph, self.units.units)

    def explain(self, placement: Placement, only: str | None = None) -> dict[str, Explanation]:
        """Every unit's explanation, or only `only`'s."""
        if self.focus is not None and only != self.focus:
            raise ValueError(f"this Explainer gathered the ties of {self.focus} only, not of {only or 'every unit'}")
        units = self.units
        result = {}
        for unit in [only] if only is not None else units.units:
            ties: dict[str, list[str]] = {}
            for other, _weight in sorted(units.neighbours(unit).items(), key=lambda i: (-i[1], i[0])):
                ties.setdefault(placement.place_of(other), []).append(other)
            found = sorted((_tie(place, members, unit, units, self.calls, self.shared)
                            for place, members in ties.items()), key=lambda t: (-t.weight, t.place))
            own = next((t for t in found if t.place == placement.place_of(unit)), None)
            others = tuple(t for t in found if t.place != placement.place_of(unit))
            result[unit] = Explanation(unit, placement.place_of(unit), own, others[0] if others else None, others,
                                       self.rule.of(unit, placement, units.neighbours(unit)))
        return result


class _Rules:
    """Which of `propose`'s rules accounts for a unit's place: its role, its domain, or
    (when neither does) its ties, which the rest of the explanation gives."""

    def __init__(self, graph: CodeGraph, units: list[str]) -> None:
        self.graph = graph
        self.domains: dict[str, DomainRef] = domain_map(graph, units)
        self.web = web_layer(graph)
        self.roots = project_packages(units)

    def of(self, unit: str, placement: Placement, ties: Mapping[str, float]) -> str:
        place = placement.place_of(unit)
        rule = role_rule(self.graph, unit, self.web)
        if place in (MONOLITH, SHARED):
            if rule is not None:
                return rule[1] if rule[0] == place else ""
            return self._unplaced(unit, place, placement, ties)
        domain = self.domains.get(unit)
        if domain is not None and domain.is_business() and service_name(domain.name) == place:
            return f"its domain: {domain.describe()}"
        return ""


    def _unplaced(self, unit: str, place: str, placement: Placement, ties: Mapping[str, float]) -> str:
        """Why `propose` leaves a unit no role keeps in the monolith (see `partition._unplaced`)."""
        if place != MONOLITH:
            return ""
        if unit in self.roots and self.domains[unit].how == "package":
            return "the project's root package, the facade of every domain: it stays in the monolith"
        pull = sum(w for other, w in ties.items() if placement.place_of(other) not in (MONOLITH, SHARED))
        if pull < MIN_TIE:
            return (f"tied to the code in services by less than one call site in all (weight {pull:.1f}): "
                    "placing it would follow package names alone, so it stays in the monolith")
        return ""


ROLES = ("both write", "one writes", "both read")  # strongest first


def _tie(place: str, members: list[str], unit: str, units, calls: dict, shared: dict) -> Tie:
    roles: dict[str, str] = {}
    for other in members:
        for entity, role in shared.get(frozenset((unit, other)), {}).items():
            if entity not in roles or ROLES.index(role) < ROLES.index(roles[entity]):
                roles[entity] = role
    data = sorted((f"{entity} ({role})" for entity, role in roles.items()),
                  key=lambda text: (ROLES.index(text.rsplit("(", 1)[1][:-1]), text))
    return Tie(place, sum(units.weight(unit, m) for m in members),
               sum(calls.get(frozenset((unit, m)), 0) for m in members), tuple(data), tuple(members[:5]))


def _call_counts(graph: CodeGraph, unit: Mapping[str, str], focus: str | None = None) -> dict[frozenset, int]:
    counts: dict[frozenset, int] = {}
    for source, target, data in graph.dependencies("calls", "instantiates"):
        a, b = unit.get(source), unit.get(target)
        if a and b and a != b and (focus is None or focus in (a, b)):
            key = frozenset((a, b))
            counts[key] = counts.get(key, 0) + data["count"]
    return counts


def _shared_data(graph: CodeGraph, kind: str, unit: Mapping[str, str],
                 focus: str | None = None) -> dict[frozenset, dict[str, str]]:
    """For each pair of units (each pair with `focus`), the entities both touch and who writes them."""
    shared: dict[frozenset, dict[str, str]] = {}
    for entity, (writers, readers) in data_access(graph, kind, unit).items():
        touching = sorted(writers | readers)
        if focus is not None and focus not in touching:
            continue
        for i, a in enumerate(touching):
            for b in touching[i + 1:]:
                if focus is not None and focus not in (a, b):
                    continue
                role = ROLES[0] if a in writers and b in writers else ROLES[1] if a in writers or b in writers \
                    else ROLES[2]
                shared.setdefault(frozenset((a, b)), {})[entity] = role
    return shared
