"""Proposing service boundaries: a weighted graph of units, clustered.

Units pull together when they call each other, and most of all when they write the
same tables or module state (users of such tools rate database interactions as the most
important input). Utility modules used from most of the code base are proposed as
shared libraries rather than glue between services. Constraints from an existing plan
(units pinned to a service, kept in the monolith, or shared) are honoured.

Pure: graph and constraints in, a `Placement` out; deterministic for a seed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from itertools import combinations

from ..graph import CodeGraph, UnitGraph
from ..roles import REGISTERED_ROLES, STAYS_IN_MONOLITH, is_operation_role
from .cohesion import MIN_TIE, detach_loose, merge_coupled, weakly_tied
from .domains import DomainRef, domain_map, project_packages, unit_layer, unit_role
from .hierarchy import Hierarchy, merge_sequence
from .naming import Naming, name_groups, pins_of, table_writes, tables_written
from .placement import MONOLITH, SHARED, Placement, unit_of, units_of


@dataclass(frozen=True)
class Weights:
    """How strongly each kind of link pulls two units together (per occurrence)."""

    call: float = 1.0  # per call site (`count` of calls and instantiates edges)
    exception: float = 0.1  # instantiating an exception class: raising is not a conversation
    inherit: float = 2.0
    uses_type: float = 0.5
    imports: float = 0.2
    write_write: float = 8.0  # both write the same table or module state
    write_read: float = 3.0  # one writes what the other reads
    read_read: float = 0.5
    cochange: float = 2.0  # per pair of modules, times the Jaccard index of their commits (0..1)
    vocabulary: float = 0.2  # per pair of units, times the cosine similarity of their words (0..1); weak on purpose
    observed: float = 1.0  # per caller/callee pair a trace saw that the static graph has no call for (a site)


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Constraints:
    """What an existing plan fixes: unit -> service for pins, and units kept or shared."""

    pinned: Mapping[str, str] = field(default_factory=dict)
    monolith: frozenset[str] = frozenset()
    shared: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ProposeOptions:
    services: int | None = None  # exactly this many services; None lets the clustering decide
    resolution: float = 1.0  # Louvain resolution: higher gives more, smaller services
    seed: int = 0
    unit_kind: str = "module"
    detect_shared: bool = True
    keep_web: bool = True  # the HTTP layer (modules importing a web framework) stays in the monolith
    shared_fan_in: float = 0.4  # share of domains that must use a unit for it to be a shared library
    weights: Weights = DEFAULT_WEIGHTS


def unit_weights(graph: CodeGraph, unit_kind: str = "module", weights: Weights = DEFAULT_WEIGHTS,
                 unit: Mapping[str, str] | None = None, focus: str | None = None) -> dict[tuple[str, str], float]:
    """How strongly each pair of units (sorted) is tied; with `focus`, only the pairs with that unit.
    `unit` is `unit_lookup(graph, unit_kind)` when the caller has it already."""
    pairs: dict[tuple[str, str], float] = {}

    def pull(a: str, b: str, weight: float) -> None:
        if a != b and (focus is None or focus in (a, b)):
            key = (a, b) if a < b else (b, a)
            pairs[key] = pairs.get(key, 0.0) + weight

    exceptions = _exception_classes(graph)
    per_kind = {"inherits": weights.inherit, "uses_type": weights.uses_type, "imports": weights.imports}
    unit = unit if unit is not None else unit_lookup(graph, unit_kind)
    for source, target, data in graph.dependencies("calls", "instantiates", "inherits", "uses_type", "imports"):
        a, b = unit.get(source), unit.get(target)
        if a is None or b is None:
            continue
        kind = data["kind"]
        weight = per_kind.get(kind, weights.exception if target in exceptions else weights.call)
        pull(a, b, weight * data["count"])
    if weights.cochange:
        for source, target, data in graph.dependencies("cochange"):
            a, b = unit.get(source), unit.get(target)
            if a is not None and b is not None:
                pull(a, b, weights.cochange * float(data.get("weight", 0.0)))
    if weights.observed:
        for source, target, data in graph.dependencies("observed"):
            a, b = unit.get(source), unit.get(target)
            if a is not None and b is not None and not data.get("static"):
                pull(a, b, weights.observed)
    if weights.vocabulary:
        from .vocabulary import vocabulary_pairs

        for (a, b), similarity in vocabulary_pairs(graph, unit).items():
            pull(a, b, weights.vocabulary * similarity)
    for writers, readers in data_access(graph, unit_kind, unit).values():
        if focus is not None and focus not in writers and focus not in readers:
            continue
        for a, b in combinations(sorted(writers), 2):
            pull(a, b, weights.write_write)
        for a in writers:
            for b in readers - writers:
                pull(a, b, weights.write_read)
        if len(readers - writers) <= MAX_READERS_PULLED:
            for a, b in combinations(sorted(readers - writers), 2):
                pull(a, b, weights.read_read)
    return pairs


MAX_READERS_PULLED = 20  # data read from everywhere (a reference table) says nothing about cohesion


def unit_lookup(graph: CodeGraph, unit_kind: str = "module") -> dict[str, str]:
    """node -> unit for every node that belongs to one (computed once, not per edge)."""
    lookup = {}
    for node in graph.nodes("module", "class", "function", "method", "variable"):
        found = unit_of(graph, node, unit_kind)
        if found is not None:
            lookup[node] = found
    return lookup


def data_access(graph: CodeGraph, unit_kind: str = "module",
                unit: Mapping[str, str] | None = None) -> dict[str, tuple[set[str], set[str]]]:
    """Each table and piece of state -> (units that write it, units that read it)."""
    unit = unit if unit is not None else unit_lookup(graph, unit_kind)
    access: dict[str, tuple[set[str], set[str]]] = {}
    for entity in graph.nodes("table", "variable"):
        if graph.attr(entity, "kind") == "variable" and not graph.attr(entity, "state"):
            continue
        writers = {unit[s] for s in graph.sources(entity, "writes") if s in unit}
        readers = {unit[s] for s in graph.sources(entity, "reads") if s in unit}
        if writers or readers:
            access[entity] = (writers, readers)
    return access


def _exception_classes(graph: CodeGraph) -> set[str]:
    """Classes deriving (here or through their bases) from an outside exception type."""
    exceptions: set[str] = set()
    changed = True
    classes = graph.nodes("class")
    while changed:
        changed = False
        for cls in classes:
            if cls in exceptions:
                continue
            for base in graph.targets(cls, "inherits"):
                if base in exceptions or (graph.node(base)["kind"] == "external" and _looks_like_exception(base)):
                    exceptions.add(cls)
                    changed = True
                    break
    return exceptions


def _looks_like_exception(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last.endswith(("Exception", "Error", "Warning")) or last in ("BaseException", "Exception")


def detect_shared(graph: CodeGraph, units: UnitGraph, node_unit: Mapping[str, str], min_share: float,
                  domains: Mapping[str, DomainRef] | None = None,
                  writes: Mapping[str, Counter[str]] | None = None) -> set[str]:
    """Utility units used from most domains that own no data: shared libraries, not glue.

    A unit qualifies when units of at least `min_share` of the domains (and at least three)
    depend on it, it writes no table, and it is not a package's `__init__` (a facade
    belongs with its package)."""
    names = units.units
    domain = {u: ref.name for u, ref in (domains or domain_map(graph, names)).items()}
    needed = max(3, math.ceil(min_share * len(set(domain.values()))))
    writers = {node_unit.get(s) for s in (writes if writes is not None else table_writes(graph))}
    dependents = _dependents(graph, node_unit)
    shared = set()
    for unit in names:
        if unit in writers or (unit in graph and graph.node(unit).get("package")):
            continue
        users = {domain[other] for other in dependents.get(unit, ()) if other in domain}
        if len(users - {domain[unit]}) + 1 >= needed:
            shared.add(unit)
    return shared


WEB_FRAMEWORKS = ("flask", "fastapi", "starlette", "django.http", "django.views", "django.urls",
                  "rest_framework", "aiohttp.web", "bottle", "falcon", "pyramid", "tornado.web")


def web_layer(graph: CodeGraph, writes: Mapping[str, Counter[str]] | None = None) -> set[str]:
    """Units of modules that import a web framework and write no table: the HTTP layer
    stays in the monolith (it becomes the strangler facade), so it is not clustered with
    the domains. A module that writes tables is domain code, whatever it imports. (With
    class units, the module's own unit stays behind; its classes are clustered.)"""
    layer = set()
    writers = {graph.module_of(s) for s in (writes if writes is not None else table_writes(graph))}
    for module in sorted(set(graph.nodes("module")) - writers):
        for target in graph.targets(module, "imports"):
            if graph.attr(target, "kind") == "external" and target.startswith(WEB_FRAMEWORKS):
                layer.add(module)
                break
    return layer


def _dependents(graph: CodeGraph, unit: Mapping[str, str]) -> dict[str, set[str]]:
    """unit -> the units that depend on it (import it, call it, subclass it, name its types):
    the direction that tells a library from its users."""
    dependents: dict[str, set[str]] = {}
    for source, target, _ in graph.dependencies("imports", "calls", "instantiates", "inherits", "uses_type"):
        user, used = unit.get(source), unit.get(target)
        if user and used and user != used:
            dependents.setdefault(used, set()).add(user)
    return dependents


def propose(graph: CodeGraph, constraints: Constraints = Constraints(),
            options: ProposeOptions = ProposeOptions()) -> Placement:
    """Service boundaries for the graph's units, honouring the constraints."""
    return propose_with_hierarchy(graph, constraints, options)[0]


def propose_with_hierarchy(graph: CodeGraph, constraints: Constraints = Constraints(),
                           options: ProposeOptions = ProposeOptions()) -> tuple[Placement, Hierarchy]:
    """The proposal, and the hierarchy it is a cut of: its leaves are the clustering's groups
    (bisected first when `--services N` asks for more than it finds), its merges take the
    most tied pair first, and the proposal's services are its N-cut (N = `options.services`,
    or every leaf)."""
    unit = unit_lookup(graph, options.unit_kind)
    pairs = unit_weights(graph, options.unit_kind, options.weights, unit)
    units = UnitGraph(units_of(graph, options.unit_kind), pairs)
    writes = table_writes(graph)
    fixed = _fixed_by_roles(graph, units.units, constraints, options, writes)
    domains = domain_map(graph, units.units)
    if options.detect_shared:
        detected = detect_shared(graph, units, unit, options.shared_fan_in, domains, writes)
        fixed.update({u: SHARED for u in detected if u not in fixed and u not in constraints.pinned})
    fixed.update(dict.fromkeys(_unplaced(graph, units, fixed, domains, constraints.pinned), MONOLITH))
    free = units.subgraph(u for u in units.units if u not in fixed)
    serving = {graph.module_of(f) for f in public_functions(graph) if is_operation_role(graph.attr(f, "role"))}
    leaves = _with_operations(units, _domain_groups(free, domains, constraints.pinned, options), serving,
                              constraints.pinned)
    if options.services is not None:  # a bisected half may have no operation: checked again
        leaves = _with_operations(units, _bisect_until(free, leaves, options.services, constraints.pinned,
                                                       options.seed), serving, constraints.pinned)
    leaves = sorted(leaves, key=min)
    hierarchy = Hierarchy(tuple(frozenset(g) for g in leaves),
                          tuple(merge_sequence(leaves, free.neighbours, constraints.pinned)))
    groups = hierarchy.cut(options.services if options.services is not None else len(leaves))
    placement = dict.fromkeys(units.units, MONOLITH)  # a unit tied to nothing stays behind
    placement.update(fixed)
    naming = Naming(domains, tables_written(writes, unit), serving)
    for name, group in zip(name_groups(groups, constraints.pinned, naming), groups, strict=True):
        placement.update(dict.fromkeys(group, name))
    _follow_packages(graph, placement, set(fixed) | set(constraints.pinned))
    names = tuple(name_groups([set(leaf) for leaf in leaves], constraints.pinned, naming))
    return Placement(placement, options.unit_kind), replace(hierarchy, names=names)


def _unplaced(graph: CodeGraph, units: UnitGraph, fixed: Mapping[str, str], domains: Mapping[str, DomainRef],
              pinned: Mapping[str, str]) -> set[str]:
    """What stays in the monolith although no role keeps it there: the project's root
    package (the facade of every domain, not of one service), then the units tied to the
    rest by less than one call site in all (`cohesion.weakly_tied`), unless a declared
    domain of several units or a pin holds them."""
    roots = {u for u in project_packages(units.units) if u not in pinned and u not in fixed
             and u in graph and graph.node(u).get("package") and domains[u].how == "package"}
    free = [u for u in units.units if u not in fixed and u not in roots]
    members = Counter(domains[u].name for u in free if domains[u].is_business())
    anchored = set(pinned) | {u for u in free if domains[u].is_business() and members[domains[u].name] > 1}
    remaining = units.subgraph(free)
    return roots | weakly_tied(free, remaining.neighbours, anchored)


def _fixed_by_roles(graph: CodeGraph, units: list[str], constraints: Constraints, options: ProposeOptions,
                    writes: Mapping[str, Counter[str]]) -> dict[str, str]:
    """What is placed before clustering: the plan's monolith and shared lists, then what
    `role_rule` places by role."""
    fixed: dict[str, str] = dict.fromkeys(constraints.monolith, MONOLITH)
    fixed.update(dict.fromkeys(constraints.shared, SHARED))
    web = web_layer(graph, writes) if options.keep_web else set()
    for unit in units:
        if unit not in fixed and unit not in constraints.pinned:
            rule = role_rule(graph, unit, web, options.keep_web)
            if rule is not None:
                fixed[unit] = rule[0]
    return fixed


def role_rule(graph: CodeGraph, unit: str, web: set[str], keep_web: bool = True) -> tuple[str, str] | None:
    """Where a unit's role places it before clustering, and why; None when clustering decides.

    The web layer (unless `--cluster-web`), settings, admin, commands, migrations and test
    helpers stay in the monolith; so do signal receivers, which keep their registration
    there; framework extensions are shared; a module with no role that imports a web
    framework and writes no table (`web`, from `web_layer`) is web layer too. One rule for
    `propose` and for `plan why`, so the explanation never disagrees with the proposal."""
    layer, role = unit_layer(graph, unit), unit_role(graph, unit)
    if layer in STAYS_IN_MONOLITH and (layer != "web" or keep_web):
        return MONOLITH, f"{layer} layer, role {role}: stays in the monolith by default"
    if role in REGISTERED_ROLES:
        return MONOLITH, f"role {role}: the framework calls it by registration, so it stays in the monolith"
    if layer == "library":
        return SHARED, f"framework extension, role {role}: shared"
    if layer is None and unit in web:
        return MONOLITH, "imports a web framework and writes no table: web layer"
    return None


def _domain_groups(free: UnitGraph, domains: Mapping[str, DomainRef], pinned: Mapping[str, str],
                   options: ProposeOptions) -> list[set[str]]:
    """Clustering that starts from the declared domains. Each domain's free units are folded
    into one node (its inner ties kept, so modularity is unchanged), and each folded domain
    anchors a group of its own, as a pin does: the code that belongs to no domain joins
    the domain it is most tied to, or forms groups of its own. Domains are never torn apart
    here; `--services N` may still merge them (or bisect one) afterwards."""
    by_domain: dict[str, set[str]] = {}
    for unit in free.units:
        if unit not in pinned and domains[unit].is_business():
            by_domain.setdefault(f"domain:{domains[unit].name}", set()).add(unit)
    members = merge_coupled({node: group for node, group in by_domain.items() if len(group) > 1}, free.neighbours,
                            free.units)
    folded = free.fold(members)
    services = set(pinned.values())  # a domain goes with the pinned service of its own name
    anchors = {**pinned, **{node: node.removeprefix("domain:") if node.removeprefix("domain:") in services else node
                            for node in members}}

    def size(group: set[str]) -> int:
        return sum(len(members.get(node, (node,))) for node in group)

    groups = _absorb_loners(folded, _cluster(folded, anchors, options), anchors, size)
    if options.services is not None:
        groups = _finer_until(folded, groups, anchors, options, size)
    return [{u for node in group for u in members.get(node, {node})} for group in groups]


def _with_operations(units: UnitGraph, groups: list[set[str]], serving: set[str | None],
                     pinned: Mapping[str, str]) -> list[set[str]]:
    """A service must have an operation `extract` can produce (a public top-level function,
    in one of the `serving` modules): a group without one joins the group it is most tied
    to, or stays in the monolith."""
    groups = [set(g) for g in groups]
    while True:
        empty = [g for g in groups if not pins_of(g, pinned) and not serving & g]
        if not empty:
            return groups
        group = min(empty, key=lambda g: (len(g), sorted(g)))
        groups.remove(group)
        pull: dict[str, float] = {}  # what the group is tied to, summed once (not group x group)
        for unit in group:
            for other, weight in units.neighbours(unit).items():
                pull[other] = pull.get(other, 0.0) + weight
        ties = [(sum(pull.get(v, 0.0) for v in other), -i) for i, other in enumerate(groups)]
        best = max(ties, default=(0.0, 0))
        if best[0] >= MIN_TIE:  # tied by less than one call site: it stays in the monolith
            groups[-best[1]] |= group


def public_functions(graph: CodeGraph, modules: Iterable[str] | None = None) -> list[str]:
    """The public top-level functions defined in these modules (all, by default): the
    operations `extract` makes of an extracted module."""
    wanted = None if modules is None else set(modules)
    found = []
    for function in graph.nodes("function"):
        module = graph.module_of(function)
        name = function.rsplit(".", 1)[-1]
        if module and function == f"{module}.{name}" and name.isidentifier() and not name.startswith("_") \
                and (wanted is None or module in wanted):
            found.append(function)
    return found


def _follow_packages(graph: CodeGraph, placement: dict[str, str], fixed: set[str]) -> None:
    """A package's `__init__` tied to nothing goes where more than half of its modules went."""
    for unit in sorted(placement, key=lambda u: -u.count(".")):  # deepest packages first
        if unit in fixed or placement[unit] != MONOLITH or not (unit in graph and graph.node(unit).get("package")):
            continue
        children = Counter(place for other, place in placement.items() if other.rsplit(".", 1)[0] == unit)
        if children:
            place, count = max(sorted(children.items()), key=lambda item: item[1])
            if count * 2 > sum(children.values()):
                placement[unit] = place


def _cluster(units: UnitGraph, pinned: Mapping[str, str], options: ProposeOptions) -> list[set[str]]:
    """Louvain on the free units, then pins re-applied: a community holding pins of two
    services is divided by which pin each unit is most attached to."""
    communities = units.communities(resolution=options.resolution, seed=options.seed)
    groups: list[set[str]] = []
    for community in communities:
        services = sorted({pinned[u] for u in community if u in pinned})
        if len(services) <= 1:
            groups.append(community)
            continue
        parts: dict[str, set[str]] = {s: set() for s in services}
        for unit in sorted(community):
            parts[pinned.get(unit) or _closest(units, unit, parts)].add(unit)
        groups.extend(parts.values())
    anchored = set(pinned)
    groups = [part for group in groups for part in detach_loose(group, anchored, units.neighbours)]
    by_service: dict[str, set[str]] = {}
    for group in groups:  # pins of one service found in different communities come together
        service = next((pinned[u] for u in sorted(group) if u in pinned), None)
        if service is not None and service in by_service:
            by_service[service] |= group
            group.clear()
        elif service is not None:
            by_service[service] = group
    return [g for g in groups if g]


def _closest(units: UnitGraph, unit: str, parts: Mapping[str, set[str]]) -> str:
    ties = units.neighbours(unit)
    return max(sorted(parts), key=lambda s: sum(ties.get(u, 0.0) for u in parts[s] if u in ties))


def _absorb_loners(units: UnitGraph, groups: list[set[str]], pinned: Mapping[str, str],
                   size: Callable[[set[str]], int] = len) -> list[set[str]]:
    """A single unpinned unit is not a service: it joins the group it is most tied to, or
    stays in the monolith when it has no ties at all. (`size` counts the units a folded
    domain node stands for.)"""
    kept = [g for g in groups if size(g) > 1 or any(u in pinned for u in g)]
    loners = {u for g in groups if g not in kept for u in g}
    for group in groups:
        if group in kept:
            continue
        (unit,) = group
        ties = units.neighbours(unit)
        scored = [(sum(ties.get(u, 0.0) for u in g), i) for i, g in enumerate(kept)]
        best = max(scored, default=(0.0, -1))
        if best[0] > 0:
            kept[best[1]].add(unit)
        elif loners & set(ties):  # tied only to other loners: a group of its own (merging may follow)
            kept.append({unit})
    return kept


def _finer_until(units: UnitGraph, groups: list[set[str]], pinned: Mapping[str, str],
                 options: ProposeOptions, size: Callable[[set[str]], int] = len) -> list[set[str]]:
    """Too few groups for `--services N`: raise the resolution until the clustering itself
    finds at least N (merging back down to N then follows the data, not a blind split)."""
    resolution, best = options.resolution, groups
    for _ in range(12):
        if len(best) >= (options.services or 0):
            break
        resolution *= 1.5
        finer = _absorb_loners(units, _cluster(units, pinned, replace(options, resolution=resolution)), pinned, size)
        if len(finer) > len(best):
            best = finer
    return best


def _bisect_until(units: UnitGraph, groups: list[set[str]], count: int, pinned: Mapping[str, str],
                  seed: int) -> list[set[str]]:
    """Fewer groups than `count` (even at the finest resolution): bisect the largest until
    there are `count`, so the hierarchy has enough leaves to cut at `count`."""
    groups = [set(g) for g in groups]
    while len(groups) < count:
        splittable = [g for g in groups if len(g) > 1 and len(pins_of(g, pinned)) <= 1]
        if not splittable:
            break
        largest = max(splittable, key=lambda g: (len(g), sorted(g)))
        first, second = units.bisect(sorted(largest), seed=seed)
        groups.remove(largest)
        groups += [first, second]
    return groups
