"""Scoring a placement: how good a set of service boundaries is, and what blocks it.

`score(context_or_graph, placement) -> Scores` is pure. Everything that does not depend
on the placement (the weighted graph of units, who calls what across units, who reads
and writes which table or piece of module state, what is wrong with each signature) is
computed once in a `ScoringContext`, so that the selection page can re-score after
every move. Each metric, its direction and its sources are in docs/metrics.md.

Modularity and cycles are computed here rather than through networkx: the graph class is
the only networkx user (conventions, item 3), and building a networkx graph per move
would cost more than the whole score. The tests check both against networkx.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import combinations
from sys import intern
from typing import Any

from ..gcpause import no_cycle_collection
from ..graph import CodeGraph
from .decorating import project_decorators
from .hazards import (
    CROSS_SERVICE_TRANSACTION,
    ERROR,
    NOT_DETECTED,
    ORM_CONVERTED,
    SHARED_MODULE_STATE,
    TABLE_MULTIPLE_WRITERS,
    Finding,
    Problem,
    decorator_across,
    is_operation,
    returned_row_change,
    returned_row_relationship,
    signature_problems,
    unsafe_argument,
)
from .partition import DEFAULT_WEIGHTS
from .placement import MONOLITH, SHARED, Placement, unit_of, units_of
from .units_of_work import PendingWrites, work_facts

SCORES_VERSION = 1
CALL_KINDS = ("calls", "instantiates")
# Weights of the undirected unit graph that modularity is measured on: the proposal's own
# weights for calls and shared data (see docs/propose.md), so both speak of one graph.
CALL_WEIGHT = DEFAULT_WEIGHTS.call  # per call site: `count` of calls and instantiates edges
WRITE_WRITE_WEIGHT = DEFAULT_WEIGHTS.write_write  # per table or state both units write
WRITE_READ_WEIGHT = DEFAULT_WEIGHTS.write_read  # per table or state one writes, the other only reads
READ_READ_WEIGHT = DEFAULT_WEIGHTS.read_read  # per table or state both units only read
# NED: a service is non-extreme when its size in lines is within these bounds.
NED_MIN_LINES = 300
NED_MAX_LINES = 5_000
MAX_CYCLES = 100  # cycles listed at most; `cycles_truncated` says when there were more
_OPERATION_KINDS = frozenset({"function", "method", "class"})
KEPT_ATTRS = ("kind", "module", "file", "line", "size", "role", "method_kind")  # what a ScoringContext keeps
# (method_kind: checking a plan against the outline of a kept context tells a property from a method)
_DIGITS = 6


@dataclass(frozen=True)
class Access:
    node: str
    mode: str  # "reads" or "writes"
    count: int
    line: int


@dataclass(frozen=True)
class Entity:
    kind: str  # "table" or "state"
    location: str
    accesses: tuple[Access, ...]


class ScoringContext:
    """What scoring needs from a graph, independent of any placement. Build once, score often."""

    def __init__(self, graph: CodeGraph, unit_kind: str = "module", *,
                 size_bounds: tuple[int, int] = (NED_MIN_LINES, NED_MAX_LINES)) -> None:
        with no_cycle_collection():  # some 300k small sets and tuples, none in a cycle
            self.unit_kind = unit_kind
            self.size_bounds = size_bounds
            # Names are interned: each is referred to from several tables, and so a kept context
            # (context_cache.py) stores each once.
            self.units: tuple[str, ...] = tuple(map(intern, units_of(graph, unit_kind)))
            self.attrs = {intern(n): a for n, a in graph.node_attrs("module", "class", "function", "method").items()}
            self.unit = {n: intern(u) for n in self.attrs if (u := unit_of(graph, n, unit_kind)) is not None}
            self.sizes = _unit_sizes(self.attrs, self.unit, self.units)
            self.call_total = 0
            self.calls: Counter[tuple[str, str]] = Counter()  # directed, between different units
            # Read by iteration only once built, so sorted tuples: a kept context (context_cache.py)
            # loads them a quarter faster than sets, and they iterate in the same order in every process.
            self.callers: dict[str, tuple[str, ...]] = {}  # callee -> caller nodes (code only)
            self.callees: dict[str, tuple[str, ...]] = {}
            self.outside: dict[str, tuple[str, ...]] = {}  # callee -> units calling it from another unit
            # (caller, operation, entry of `unsafe_args`): values no wire carries, handed to operations
            self.unsafe_calls: list[tuple[str, str, dict[str, Any]]] = []
            # (caller, operation, entry of `changed_result`): a returned row changed, then committed
            self.changed_results: list[tuple[str, str, dict[str, Any]]] = []
            # (caller, operation, entry of `relationship_reads`): a relationship of a returned row read
            self.relationship_reads: list[tuple[str, str, dict[str, Any]]] = []
            self.decorations: list[tuple[str, str, int, bool]] = []  # (decorated, operation, line, factory)
            # project decorators (not operations: a proxy keeps them as code) -> the registries they write
            self.decorators = project_decorators(graph)
            self.registry_users = _registry_users(graph, self.decorators)
            self._read_calls(graph)
            # what the caller leaves uncommitted when it hands its session to another place (units_of_work.py)
            self.work = work_facts(graph, self.attrs, graph.dependencies("calls"))
            self.entities = _entities(graph, self.attrs)
            self.links = self._links()
            self.degree: defaultdict[str, float] = defaultdict(float)
            for (a, b), weight in self.links.items():
                self.degree[a] += weight
                self.degree[b] += weight
            self.link_weight = sum(self.links.values())
            self.nodes_of: dict[str, list[str]] = {}
            for node, owner in sorted(self.unit.items()):
                self.nodes_of.setdefault(owner, []).append(node)
            self._read_decorations(graph)
            self.interfaces = tuple((target, self.unit[target], units, interface)
                                    for target, units in sorted(self.outside.items())
                                    if (interface := self._interface(target)) is not None)
            self.problems = self._problems(graph)
            self._found: dict[tuple[str, str], tuple[Finding, ...]] = {}
            # What scoring and its readers look up later (the rest was read above): a third of the
            # graph's node attributes, and no reference into the graph, which can then be freed.
            self.params = {operation: self.attrs[operation].get("params") for _, operation, _ in self.unsafe_calls}
            self.attrs = {n: {k: _interned(a[k]) for k in KEPT_ATTRS if k in a} for n, a in self.attrs.items()}

    def _read_calls(self, graph: CodeGraph) -> None:
        unit, calls = self.unit, self.calls
        callers: dict[str, set[str]] = {}
        callees: dict[str, set[str]] = {}
        outside: dict[str, set[str]] = {}
        for source, target, data in graph.dependencies(*CALL_KINDS):
            a, b = unit.get(source), unit.get(target)
            if a is None or b is None:
                continue
            count = data["count"]
            self.call_total += count
            source, target = intern(source), intern(target)
            callers.setdefault(target, set()).add(source)
            callees.setdefault(source, set()).add(target)
            if a != b:
                calls[(a, b)] += count
                outside.setdefault(target, set()).add(a)
            if data.get("unsafe_args") and is_operation(target, self.attrs[target]):
                self.unsafe_calls.extend((source, target, entry) for entry in data["unsafe_args"])
            if data.get("changed_result") and is_operation(target, self.attrs[target]):
                self.changed_results.extend((source, target, entry) for entry in data["changed_result"])
            if data.get("relationship_reads") and is_operation(target, self.attrs[target]):
                self.relationship_reads.extend((source, target, entry) for entry in data["relationship_reads"])
        self.callers, self.callees, self.outside = (
            {key: tuple(sorted(found)) for key, found in table.items()} for table in (callers, callees, outside))

    def _read_decorations(self, graph: CodeGraph) -> None:
        """Code decorated with an operation (`@require_login`, or `@audited("x")` from a factory)."""
        for decorator, target, data in graph.dependencies("decorates"):
            if target not in self.unit or decorator not in self.unit \
                    or not is_operation(decorator, self.attrs[decorator]):
                continue
            name = decorator.rsplit(".", 1)[-1]
            texts = self.attrs[target].get("decorators") or ()
            factory = any(t.endswith("(...)") and t[:-5].rsplit(".", 1)[-1] == name for t in texts) and not any(
                t.rsplit(".", 1)[-1] == name for t in texts)
            line = (data["lines"] or [self.attrs[target].get("line", 1)])[0]
            self.decorations.append((target, decorator, line, factory))

    def _interface(self, target: str) -> str | None:
        """What a call to `target` exposes: itself, or its class for a constructor (`X.__init__` is `X`)."""
        interface = target.removesuffix(".__init__")
        return interface if self.attrs.get(interface, {}).get("kind") in _OPERATION_KINDS else None

    def _links(self) -> dict[tuple[str, str], float]:
        """The undirected weighted unit graph: call weight plus data coupling (no self-loops)."""
        links: defaultdict[tuple[str, str], float] = defaultdict(float)
        for (a, b), count in self.calls.items():
            links[(a, b) if a < b else (b, a)] += CALL_WEIGHT * count
        for entity in self.entities.values():
            modes: dict[str, set[str]] = {}
            for access in entity.accesses:
                modes.setdefault(self.unit[access.node], set()).add(access.mode)
            for a, b in combinations(sorted(modes), 2):
                writes = ("writes" in modes[a]) + ("writes" in modes[b])
                links[(a, b)] += (READ_READ_WEIGHT, WRITE_READ_WEIGHT, WRITE_WRITE_WEIGHT)[writes]
        return dict(sorted(links.items()))

    def _problems(self, graph: CodeGraph) -> dict[str, tuple[Problem, ...]]:
        """Signature problems of every function or method some other unit calls."""
        models = {c for c, _, _ in graph.dependencies("maps_to") if graph.attr(c, "kind") == "class"}
        types: dict[str, list[str]] = {}
        for user, model, _ in graph.dependencies("uses_type"):
            if model in models:
                types.setdefault(user, []).append(model)
        problems = {}
        for target in self.outside:
            attrs = self.attrs[target]
            if attrs["kind"] not in ("function", "method") or target.endswith(".__init__") \
                    or target.split(".<locals>.", 1)[0] in self.decorators:  # applied where their target is
                continue
            named = {m.rsplit(".", 1)[-1]: m for m in types.get(target, ())}
            problems[target] = signature_problems(target, attrs, named)
        return problems

    def operation_findings(self, target: str, service: str) -> tuple[Finding, ...]:
        """The signature findings of `target` as an operation of `service` (kept: a move changes few)."""
        key = (target, service)
        if key not in self._found:
            location = self.location(target)
            self._found[key] = tuple(p.found(location, target, service) for p in self.problems[target])
        return self._found[key]

    def location(self, node: str) -> str:
        attrs = self.attrs.get(node, {})
        return f"{attrs['file']}:{attrs.get('line', 1)}" if "file" in attrs else ""


def _interned(value: Any) -> Any:
    return intern(value) if isinstance(value, str) else value


def _registry_users(graph: CodeGraph, decorators: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Code that reads or writes a registry some decorator fills, other than the decorators' own."""
    registries = {v for written in decorators.values() for v in written}
    users: dict[str, set[str]] = {v: set() for v in registries}
    for source, target, _ in graph.dependencies("reads", "writes"):
        if target in users and source.split(".<locals>.", 1)[0] not in decorators:
            users[target].add(source)
    return {v: tuple(sorted(found)) for v, found in sorted(users.items())}


def _unit_sizes(attrs: Mapping[str, Mapping[str, Any]], unit: Mapping[str, str],
                units: Iterable[str]) -> dict[str, int]:
    """Lines per unit: a module's size, or with class units a class's size and the rest of its module."""
    sizes = {u: int(attrs.get(u, {}).get("size", 0)) for u in units}
    for node, owner in unit.items():
        if node == owner and attrs[node]["kind"] == "class":
            module = attrs[node]["module"]
            if module in sizes:
                sizes[module] -= sizes[node]
    return sizes


def _entities(graph: CodeGraph, code: Mapping[str, Mapping[str, Any]]) -> dict[str, Entity]:
    """Tables and module state with every code access to them."""
    accesses: dict[str, list[Access]] = {}
    for source, target, data in graph.dependencies("reads", "writes"):
        if source in code:
            accesses.setdefault(target, []).append(
                Access(source, data["kind"], data["count"], (data["lines"] or [code[source].get("line", 1)])[0]))
    entities = {}
    for target, found in sorted(accesses.items()):
        attrs = graph.node(target)
        if attrs["kind"] == "table":
            entities[target] = Entity("table", "", tuple(found))
        elif attrs["kind"] == "variable" and attrs.get("state"):
            entities[target] = Entity("state", f"{attrs.get('file', '')}:{attrs.get('line', 1)}", tuple(found))
    return entities


# -- results ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlaceScore:
    name: str
    units: int
    size: int
    interfaces: tuple[str, ...]  # functions, methods and classes called from outside the place
    extreme: bool  # size outside the NED bounds (services only)

    def to_json(self) -> dict[str, Any]:
        return {"extreme": self.extreme, "ifn": len(self.interfaces), "interfaces": list(self.interfaces),
                "name": self.name, "size": self.size, "units": self.units}


@dataclass(frozen=True)
class DataOwnership:
    entity: str
    kind: str
    owner: str | None  # the place that writes it most (call sites), None when nothing writes it
    writers: tuple[tuple[str, int], ...]  # (place, write sites)
    readers: tuple[tuple[str, int], ...]

    @property
    def read_across(self) -> tuple[str, ...]:
        """Places that read it without owning it."""
        return tuple(p for p, _ in self.readers if p != self.owner and p != SHARED)

    def to_json(self) -> dict[str, Any]:
        return {"entity": self.entity, "kind": self.kind, "owner": self.owner, "read_across": list(self.read_across),
                "readers": dict(self.readers), "writers": dict(self.writers)}


@dataclass(frozen=True)
class Transaction:
    """A unit of work whose writes would commit in different places: `function`'s own writes, or
    (with `through`) the writes it has not committed when it calls another place's operation with
    its session, at `location`, and that operation's writes."""

    function: str
    service: str
    location: str
    tables: tuple[tuple[str, str], ...]  # (table, owning place)
    through: tuple[str, str, tuple[tuple[str, str], ...]] | None = None  # (operation, its place, its tables)

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"function": self.function, "location": self.location, "service": self.service,
                                 "tables": dict(self.tables)}
        if self.through is not None:
            operation, place, tables = self.through
            found["through"] = {"operation": operation, "service": place, "tables": dict(tables)}
        return found


@dataclass(frozen=True)
class Scores:
    """Every metric of one placement. Directions: modularity higher is better; ICP, IFN, NED,
    cycles, transactions and findings lower is better."""

    unit_kind: str
    modularity: float
    icp: float
    ifn: float  # mean interfaces per service
    ned: float
    size_bounds: tuple[int, int]
    services: tuple[PlaceScore, ...]
    monolith: PlaceScore
    data: tuple[DataOwnership, ...]
    cycles: tuple[tuple[str, ...], ...]
    cycles_truncated: bool
    transactions: tuple[Transaction, ...]
    findings: tuple[Finding, ...]
    not_detected: tuple[str, ...] = NOT_DETECTED

    def to_json(self) -> dict[str, Any]:
        document = {
            "format": "mono2lambda-scores", "version": SCORES_VERSION, "unit_kind": self.unit_kind,
            "modularity": self.modularity, "icp": self.icp, "ifn": self.ifn, "ned": self.ned,
            "size_bounds": list(self.size_bounds), "services": [s.to_json() for s in self.services],
            "monolith": self.monolith.to_json(), "data": [d.to_json() for d in self.data],
            "cycles": [list(c) for c in self.cycles], "cycles_truncated": self.cycles_truncated,
            "transactions": [t.to_json() for t in self.transactions],
            "findings": [f.to_json() for f in self.findings], "not_detected": list(self.not_detected),
        }
        return dict(sorted(document.items()))

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, indent=1) + "\n"


# -- scoring ------------------------------------------------------------------------------------
def score(source: CodeGraph | ScoringContext, placement: Placement) -> Scores:
    """Score `placement`; pass a `ScoringContext` to score many placements of one graph cheaply."""
    context = source if isinstance(source, ScoringContext) else ScoringContext(source, placement.unit_kind)
    if context.unit_kind != placement.unit_kind:
        raise ValueError(f"the placement places {placement.unit_kind} units, the context was built for "
                         f"{context.unit_kind} units")
    place = {u: placement.place_of(u) for u in context.units}
    services = placement.services()
    places = _Places(context, place)
    interfaces = _interfaces(context, place)
    data = _ownership(context, places)
    owners = {d.entity: d.owner for d in data if d.kind == "table" and d.owner not in (None, SHARED)}
    transactions = tuple(sorted((*_transactions(context, places, owners),
                                 *_call_transactions(context, places, place, data, services)),
                                key=lambda t: (t.function, t.location, t.through or ())))
    lo, hi = context.size_bounds
    members: dict[str, list[str]] = {}  # place -> its units, in the context's order
    for unit in context.units:
        members.setdefault(place[unit], []).append(unit)
    scored = tuple(_place_score(context, members.get(s, []), s, interfaces, (lo, hi)) for s in services)
    icp, place_edges = _crossings(context, place)
    cycles, truncated = elementary_cycles(place_edges)
    findings = [*_operation_findings(context, interfaces, services), *_data_findings(context, places, data),
                *_transaction_findings(transactions), *_argument_findings(context, places, place, services),
                *_relationship_findings(context, places, place, services, placement.includes)]
    return Scores(
        unit_kind=context.unit_kind,
        modularity=round(_modularity(context, place), _DIGITS),
        icp=round(icp, _DIGITS),
        ifn=round(sum(len(s.interfaces) for s in scored) / len(scored), _DIGITS) if scored else 0.0,
        ned=round(_ned(scored), _DIGITS),
        size_bounds=(lo, hi),
        services=scored,
        monolith=_place_score(context, members.get(MONOLITH, []), MONOLITH, interfaces, None),
        data=data,
        cycles=cycles,
        cycles_truncated=truncated,
        transactions=transactions,
        findings=tuple(sorted(set(findings), key=Finding.sort_key)),
    )


def _modularity(context: ScoringContext, place: Mapping[str, str]) -> float:
    """Newman's modularity (resolution 1) of the places on the undirected unit graph."""
    total = context.link_weight
    if total == 0:
        return 0.0
    inside: defaultdict[str, float] = defaultdict(float)
    degree: defaultdict[str, float] = defaultdict(float)
    for unit, weight in context.degree.items():
        degree[place[unit]] += weight
    for (a, b), weight in context.links.items():
        pa = place[a]
        if pa == place[b]:
            inside[pa] += weight
    return sum(inside[p] / total - (degree[p] / (2 * total)) ** 2 for p in sorted(degree))


def _crossings(context: ScoringContext, place: Mapping[str, str]) -> tuple[float, dict[str, set[str]]]:
    """ICP, and the service-level call graph (the monolith included, shared libraries left out).

    A call crosses a boundary when it leaves its place, unless it lands in a shared library."""
    crossing = 0
    edges: dict[str, set[str]] = {}
    for (a, b), count in context.calls.items():
        pa, pb = place[a], place[b]
        if pa != pb and pb != SHARED:
            crossing += count
            if pa != SHARED:
                edges.setdefault(pa, set()).add(pb)
    return (crossing / context.call_total if context.call_total else 0.0), edges


def _interfaces(context: ScoringContext, place: Mapping[str, str]) -> dict[str, set[str]]:
    """Place -> the functions, methods and classes called from outside it."""
    found: dict[str, set[str]] = {}
    for _, unit, callers, interface in context.interfaces:
        home = place[unit]
        if home == SHARED:
            continue
        for caller in callers:
            if place[caller] != home:
                found.setdefault(home, set()).add(interface)
                break
    return found


def _place_score(context: ScoringContext, units: list[str], name: str,
                 interfaces: Mapping[str, set[str]], bounds: tuple[int, int] | None) -> PlaceScore:
    size = sum(context.sizes[u] for u in units)
    extreme = bounds is not None and not bounds[0] <= size <= bounds[1]
    return PlaceScore(name, len(units), size, tuple(sorted(interfaces.get(name, ()))), extreme)


def _ned(services: tuple[PlaceScore, ...]) -> float:
    """Mono2Micro's NED over lines: the share of the services' code that sits in extreme services."""
    total = sum(s.size for s in services)
    return sum(s.size for s in services if s.extreme) / total if total else 0.0


class _Places:
    """Where a node's code runs. Shared-library code runs in every place that calls into it
    (directly or through other shared code), so its reads and writes count for those places."""

    def __init__(self, context: ScoringContext, place: Mapping[str, str]) -> None:
        self.context, self.place = context, place
        self._shared: dict[str, frozenset[str]] | None = None

    def of(self, node: str) -> frozenset[str]:
        home = self.place[self.context.unit[node]]
        if home != SHARED:
            return frozenset((home,))
        if self._shared is None:
            self._shared = self._propagate()
        return self._shared.get(node) or frozenset((SHARED,))

    def _propagate(self) -> dict[str, frozenset[str]]:
        """Places reaching each shared node: seeded by outside callers, pushed along shared calls."""
        context, place = self.context, self.place
        shared = [n for u, p in place.items() if p == SHARED for n in context.nodes_of.get(u, ())]
        reached: dict[str, set[str]] = {}
        for node in shared:
            outside = {place[context.unit[c]] for c in context.callers.get(node, ())} - {SHARED}
            if outside:
                reached[node] = outside
        work = list(reached)
        while work:
            node = work.pop()
            for callee in context.callees.get(node, ()):
                if place[context.unit[callee]] == SHARED and not reached[node] <= reached.setdefault(callee, set()):
                    reached[callee] |= reached[node]
                    work.append(callee)
        return {node: frozenset(places) for node, places in reached.items()}


def _ownership(context: ScoringContext, places: _Places) -> tuple[DataOwnership, ...]:
    result = []
    for entity, info in context.entities.items():
        writers: Counter[str] = Counter()
        readers: Counter[str] = Counter()
        for access in info.accesses:
            for p in places.of(access.node):
                (writers if access.mode == "writes" else readers)[p] += access.count
        owner = min(writers, key=lambda p: (p == SHARED, -writers[p], p)) if writers else None
        result.append(DataOwnership(entity, info.kind, owner, tuple(sorted(writers.items())),
                                    tuple(sorted(readers.items()))))
    return tuple(result)


def _transactions(context: ScoringContext, places: _Places,
                  owners: Mapping[str, str | None]) -> tuple[Transaction, ...]:
    """Functions whose writes land in tables owned by two or more places."""
    written: dict[str, dict[str, str]] = {}
    for entity, info in context.entities.items():
        owner = owners.get(entity)
        if owner is None:
            continue
        for access in info.accesses:
            if access.mode == "writes":
                written.setdefault(access.node, {})[entity] = owner
    found = []
    for function, tables in sorted(written.items()):
        if len(set(tables.values())) > 1:
            service = ",".join(sorted(places.of(function)))
            found.append(Transaction(function, service, context.location(function), tuple(sorted(tables.items()))))
    return tuple(found)


def _call_transactions(context: ScoringContext, places: _Places, place: Mapping[str, str],
                       data: Iterable[DataOwnership], services: Iterable[str]) -> list[Transaction]:
    """Calls handing the caller's session to an operation of another service that writes, while the
    caller holds writes it has not committed (units_of_work.py)."""
    wanted = set(services)
    owner = {d.entity: d.owner or "" for d in data if d.kind == "table"}
    home = lambda node: place[context.unit[node]]  # noqa: E731
    pending = PendingWrites(context.work, home, lambda node: context.callees.get(node, ()))
    found = []
    for caller, calls in context.work.session_calls.items():
        runs_in = places.of(caller)
        for line, operation in calls:
            other = home(operation)
            if other not in wanted or other in runs_in or runs_in == {SHARED} \
                    or not is_operation(operation, context.attrs[operation]):
                continue
            held = pending.before_call(caller, line, runs_in)
            written = pending.written_by(operation, other) if held else frozenset()
            if written:
                location = f"{context.attrs[caller].get('file', '')}:{line}"
                found.append(Transaction(caller, ",".join(sorted(runs_in)), location, _owned(held, owner),
                                         (operation, other, _owned(written, owner))))
    return found


def _owned(tables: Iterable[str], owner: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((table, owner.get(table, "")) for table in tables))


def elementary_cycles(edges: Mapping[str, set[str]],
                      limit: int = MAX_CYCLES) -> tuple[tuple[tuple[str, ...], ...], bool]:
    """Elementary cycles, each starting at its smallest name, in sorted order; at most `limit`.

    Johnson's search (1975): from each start, in sorted order, only the nodes no smaller than
    it that reach it and are reached from it are searched, and a node that cannot currently
    lead back to the start stays blocked until it can. Successors are taken in sorted order,
    so cycles are found in the order of a plain depth-first search (the same `limit` cut),
    but the time is linear in the edges per cycle found, not exponential in the paths.
    """
    found: list[tuple[str, ...]] = []
    for start in sorted(edges):
        for cycle in _cycles_from(start, edges):
            found.append(cycle)
            if len(found) > limit:
                return tuple(sorted(found)[:limit]), True
    return tuple(sorted(found)), False


def _component(start: str, edges: Mapping[str, set[str]]) -> dict[str, list[str]]:
    """The strongly connected component of `start` among the nodes >= `start`, as sorted successors."""
    forward = _reach(start, lambda n: edges.get(n, ()), start)
    backward_edges: defaultdict[str, list[str]] = defaultdict(list)
    for node in forward:
        for step in edges.get(node, ()):
            if step in forward:
                backward_edges[step].append(node)
    inside = _reach(start, lambda n: backward_edges.get(n, ()), start)
    return {node: sorted(s for s in edges.get(node, ()) if s in inside) for node in inside}


def _reach(start: str, successors: Callable[[str], Iterable[str]], floor: str) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for step in successors(todo.pop()):
            if step >= floor and step not in seen:
                seen.add(step)
                todo.append(step)
    return seen


def _cycles_from(start: str, edges: Mapping[str, set[str]]) -> Iterator[tuple[str, ...]]:
    """Johnson's circuit search from `start`, without recursion; cycles in depth-first sorted order."""
    successors = _component(start, edges)
    if start not in successors.get(start, ()) and len(successors) < 2:
        return
    blocked = {start}
    waiting: defaultdict[str, set[str]] = defaultdict(set)  # Johnson's B: unblock these with the key
    closed: set[str] = set()  # on the path and led back to the start
    path = [start]
    stack = [iter(successors[start])]
    while stack:
        step = next(stack[-1], None)
        if step == start:
            yield tuple(path)
            closed.update(path)
        elif step is not None:
            if step not in blocked:
                path.append(step)
                stack.append(iter(successors[step]))
                blocked.add(step)
                closed.discard(step)
        else:
            node = path.pop()
            stack.pop()
            if node in closed:
                _unblock(node, blocked, waiting)
            else:
                for later in successors[node]:
                    waiting[later].add(node)

def _unblock(node: str, blocked: set[str], waiting: defaultdict[str, set[str]]) -> None:
    todo = [node]
    while todo:
        current = todo.pop()
        if current in blocked:
            blocked.discard(current)
            todo.extend(waiting.pop(current, ()))


# -- findings -----------------------------------------------------------------------------------
def _operation_findings(context: ScoringContext, interfaces: Mapping[str, set[str]],
                        services: Iterable[str]) -> list[Finding]:
    """Signature hazards of each service's operations (its functions and methods called from outside)."""
    found: list[Finding] = []
    for service in services:
        for target in interfaces.get(service, ()):
            if target in context.problems:
                found.extend(context.operation_findings(target, service))
    return found


def _argument_findings(context: ScoringContext, places: _Places, place: Mapping[str, str],
                       services: Iterable[str]) -> list[Finding]:
    """Callables, generators and open files handed to a service's operation from outside the
    service (code in shared libraries runs in the places that call it: see `_Places`)."""
    wanted = set(services)
    found = []
    for caller, operation, entry in context.unsafe_calls:
        home = place[context.unit[operation]]
        if home not in wanted or places.of(caller) == {home}:
            continue
        location = f"{context.attrs[caller].get('file', '')}:{entry.get('line', 1)}"
        found.append(unsafe_argument(caller, location, operation, home, context.params[operation], entry))
    for caller, operation, entry in context.changed_results:
        home = place[context.unit[operation]]
        if home in wanted and places.of(caller) != {home} and _returns_rows(context, operation):
            location = f"{context.attrs[caller].get('file', '')}:{entry.get('line', 1)}"
            found.append(returned_row_change(caller, location, operation, home, entry))
    decorating: dict[tuple[str, str, str, bool, str, str], list[tuple[str, int]]] = {}  # one per module
    for decorated, operation, line, factory in context.decorations:
        home = place[context.unit[operation]]
        if home not in wanted or places.of(decorated) == {home}:
            continue
        registry, user = _registry_in(context, places, operation, home)
        if not registry:  # it wraps in the caller's process, from the proxy's copy of it
            continue
        module = str(context.attrs[decorated].get("module", ""))
        decorating.setdefault((module, operation, home, factory, registry, user), []).append((decorated, line))
    for (module, operation, home, factory, registry, user), sites in sorted(decorating.items()):
        sites.sort(key=lambda site: site[1])
        location = f"{context.attrs[sites[0][0]].get('file', '')}:{sites[0][1]}"
        names = [d.removeprefix(module + ".") for d, _ in sites]
        found.append(decorator_across(module, names, location, operation, home, factory, registry, user))
    return found


def _relationship_findings(context: ScoringContext, places: _Places, place: Mapping[str, str],
                           services: Iterable[str], includes: Mapping[str, tuple[str, ...]]) -> list[Finding]:
    """Relationships read, outside the operation's service, on the rows it returns, unless the plan
    has the operation send them along (`include:`)."""
    wanted = set(services)
    found = []
    for caller, operation, entry in context.relationship_reads:
        home = place[context.unit[operation]]
        if home not in wanted or places.of(caller) == {home} or entry.get("attr") in includes.get(operation, ()) \
                or not _returns_rows(context, operation):
            continue
        location = f"{context.attrs[caller].get('file', '')}:{entry.get('line', 1)}"
        found.append(returned_row_relationship(caller, location, operation, home, entry))
    return found


def _returns_rows(context: ScoringContext, operation: str) -> bool:
    """Whether the operation's result is converted rows (a read-only copy on the caller's side)."""
    return any(problem.kind == ORM_CONVERTED and problem.message.startswith("the return")
               for problem in context.problems.get(operation, ()))


def _registry_in(context: ScoringContext, places: _Places, decorator: str, home: str) -> tuple[str, str]:
    """A registry `decorator` fills that code running in `home` uses, with that code: what is
    registered in the caller's process (the proxy keeps the decorator) is never seen there."""
    for registry in context.decorators.get(decorator, ()):
        for user in context.registry_users.get(registry, ()):
            if user in context.unit and home in places.of(user):
                return registry, user
    return "", ""


def _data_findings(context: ScoringContext, places: _Places, data: Iterable[DataOwnership]) -> list[Finding]:
    found: list[Finding] = []
    for entity in data:
        writers = [p for p, _ in entity.writers if p != SHARED]
        accessors = sorted(set(writers) | {p for p, _ in entity.readers if p != SHARED})
        if entity.kind == "table" and len(writers) > 1:
            # the place that must change is the one writing a table it does not own: the finding is
            # its own (extracting the owner while the monolith still writes the table is the
            # strangler's normal interim state; extracting the foreign writer would set it in stone)
            found.extend(Finding(
                TABLE_MULTIPLE_WRITERS, ERROR, _first_write(context, places, entity, other), entity.entity, other,
                f"{entity.entity} is written by {_sites(entity.writers)}",
                f"let {entity.owner} own it: {other} should call an operation of {entity.owner} "
                "(or publish an event) instead of writing the table")
                for other in writers if other != entity.owner)
        elif entity.kind == "state" and writers and len(accessors) > 1:
            found.append(Finding(
                SHARED_MODULE_STATE, ERROR, context.entities[entity.entity].location, entity.entity,
                entity.owner or "",
                f"module state {entity.entity} is written by {_sites(entity.writers)} and used by "
                f"{', '.join(accessors)}; each Lambda would hold its own copy",
                "move the state to a store every service reaches (a table, DynamoDB, a cache) or keep all "
                "its readers and writers in one service"))
    return found


def _sites(places: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{p} ({n} site{'s' if n > 1 else ''})" for p, n in places)


def _first_write(context: ScoringContext, places: _Places, entity: DataOwnership, writer: str) -> str:
    """Where `writer`, a place other than the owner, writes the table (the line to change)."""
    writes = sorted((a for a in context.entities[entity.entity].accesses if a.mode == "writes"),
                    key=lambda a: (a.node, a.line))
    foreign = [a for a in writes if writer in places.of(a.node) and entity.owner not in places.of(a.node)] \
        or [a for a in writes if entity.owner not in places.of(a.node)] or writes
    return f"{context.attrs[foreign[0].node].get('file', '')}:{foreign[0].line}" if foreign else ""


def _transaction_findings(transactions: Iterable[Transaction]) -> list[Finding]:
    return [Finding(
        CROSS_SERVICE_TRANSACTION, ERROR, t.location, t.function, t.service,
        f"writes tables owned by different places in one unit of work: {_tables(t.tables)}",
        "split it into one local transaction per owning service and coordinate them with a saga "
        "(Step Functions) or an outbox; or move the writes behind the owners' operations")
        if t.through is None else _call_finding(t, *t.through)
        for t in transactions]


def _call_finding(t: Transaction, operation: str, other: str, written: tuple[tuple[str, str], ...]) -> Finding:
    """A call that would split the caller's unit of work: blocks extracting the operation's service."""
    short = operation.rsplit(".", 1)[-1]
    return Finding(
        CROSS_SERVICE_TRANSACTION, ERROR, t.location, t.function, other,
        f"{t.function} ({t.service}) calls {operation}, an operation of {other} that writes {_tables(written)}, "
        f"with its session while its own writes are not committed: {_tables(t.tables)}; across the wire "
        f"{short} runs in a unit of work of its own: the two no longer commit or roll back together, and "
        f"{short} does not see the caller's uncommitted rows (a foreign key to them fails) and waits on the "
        "locks of those already flushed (sqlite: database is locked)",
        f"commit the caller's writes before calling {short} (or call it before writing), or let {other} do both "
        "writes in one operation; when they must commit or fail together, coordinate them with a saga "
        "(Step Functions) or an outbox")


def _tables(tables: Iterable[tuple[str, str]]) -> str:
    return ", ".join(f"{table.removeprefix('table:')} ({owner})" for table, owner in tables)
