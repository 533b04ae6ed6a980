"""`build_report`: graph and placement in, the report's view model out (pure).

It gathers what the analyzer already knows (summary, scores, placement explanations)
and arranges it the way an architect reads it: figures, the service map, each place
with its modules, operations, data and hazards, who writes which data, every module
with the reason it is where it is, and what could not be read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from ...graph import CodeGraph
from ...roles import layer_of
from ...summary import summarize
from ..explain import explain_all
from ..hazards import Finding
from ..hierarchy import Hierarchy
from ..metrics import DataOwnership, Scores, ScoringContext, score
from ..metrics import Transaction as ScoredTransaction
from ..placement import MONOLITH, SHARED, Placement
from .dendrogram import layout_dendrogram
from .layout import layout_map
from .model import (
    CallMatrix,
    Cell,
    DataMatrix,
    DeclaredDomain,
    Dendrogram,
    Diagnostic,
    Figure,
    Framework,
    Hazard,
    MatrixRow,
    ModuleRef,
    ModuleRow,
    Operation,
    PlaceView,
    ReportModel,
    Transaction,
    Verdict,
)


def build_report(graph: CodeGraph, placement: Placement, *, plan_name: str | None = None,
                 links: str | None = None, hierarchy: Hierarchy | None = None) -> ReportModel:
    """`links`: a URL template with {path} and {line} (`report_links`) that makes each file:line a link;
    `hierarchy`: how a proposal's services merge as their count drops, drawn as a dendrogram."""
    context = ScoringContext(graph, placement.unit_kind)
    scores = score(context, placement)
    place = {u: placement.place_of(u) for u in context.units}
    places = _places(placement, place)
    calls = _place_calls(context, place)
    root = str(graph.meta.get("root") or "the monolith")
    summary = summarize(graph)
    return ReportModel(
        title=f"mono2lambda boundary report: {root}",
        root=root,
        plan=plan_name or "proposed boundaries",
        unit_kind=placement.unit_kind,
        figures=_figures(summary, scores, places),
        service_map=layout_map([(p, len(_units_in(place, p)), _lines(context, place, p)) for p in places], calls),
        transactions=tuple(Transaction(t.function, t.service, t.location, _transaction_tables(t))
                           for t in scores.transactions),
        cycles=tuple(" -> ".join((*c, c[0])) for c in scores.cycles),
        cycles_truncated=scores.cycles_truncated,
        places=tuple(_place_view(context, scores, place, p) for p in places),
        other_hazards=tuple(_hazard(f) for f in scores.findings if f.service not in places),
        not_detected=scores.not_detected,
        data=_matrix(scores.data, places),
        modules=_modules(graph, placement, context),
        diagnostics=tuple(_diagnostic(d) for d in sorted(graph.diagnostics, key=_diagnostic_key)),
        frameworks=_frameworks(graph),
        domains=tuple(_domain(d) for d in graph.meta.get("domains") or ()),
        verdict=_verdict(scores, places, int(summary["files_unparsed"])),
        calls=CallMatrix(places, tuple(tuple(calls.get((a, b), 0) for b in places) for a in places)),
        links=links or "",
        dendrogram=layout_dendrogram(hierarchy) if hierarchy is not None else Dendrogram(),
    )


def _verdict(scores: Scores, places: Iterable[str], skipped: int) -> Verdict:
    """Extractable when no hazard is an error; blocked by how many, in how many services."""
    services = [p for p in places if p not in (MONOLITH, SHARED)]
    blocking = [f for f in scores.findings if f.severity == "error"]
    blocked = {f.service for f in blocking if f.service in services}
    if blocking:
        where = f"in {len(blocked)} of {len(services)} service{'s' if len(services) != 1 else ''}"
        rest = len([f for f in blocking if f.service not in services])
        if rest:
            where += f" ({rest} elsewhere: the monolith, shared code or between places)"
        headline = f"Blocked: {_count(len(blocking), 'blocking hazard')} {where}"
    else:
        headline = (f"Extractable: no blocking hazard in {_count(len(services), 'service')}"
                    + (f" ({_count(len(scores.findings), 'warning')} to review)" if scores.findings else ""))
    detail = (f"{_count(skipped, 'file')} skipped: they could not be parsed, so nothing in them is analysed "
              "(see Diagnostics)." if skipped else "Every file was parsed.")
    return Verdict(not blocking, headline, detail, len(blocking), len(blocked), skipped)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' if n != 1 else ''}"


def _places(placement: Placement, place: Mapping[str, str]) -> tuple[str, ...]:
    """Drawing and reading order: the monolith, the services by name, the shared libraries."""
    used = set(place.values())
    return tuple(p for p in (MONOLITH, *placement.services(), SHARED) if p in used or p not in (MONOLITH, SHARED))


def _units_in(place: Mapping[str, str], name: str) -> list[str]:
    return sorted(u for u, p in place.items() if p == name)


def _lines(context: ScoringContext, place: Mapping[str, str], name: str) -> int:
    return sum(context.sizes[u] for u in _units_in(place, name))


def _place_calls(context: ScoringContext, place: Mapping[str, str]) -> dict[tuple[str, str], int]:
    calls: Counter[tuple[str, str]] = Counter()
    for (a, b), count in context.calls.items():
        if place[a] != place[b]:
            calls[(place[a], place[b])] += count
    return dict(calls)


def _transaction_tables(transaction: ScoredTransaction) -> str:
    """"a (x), b (y)", and for a call handing over an uncommitted unit of work what the operation writes."""
    text = ", ".join(f"{table} ({owner})" for table, owner in transaction.tables)
    if transaction.through is None:
        return text
    operation, _, written = transaction.through
    return f"{text}; then, through {operation}: " + ", ".join(f"{table} ({owner})" for table, owner in written)


def _figures(summary: Mapping[str, Any], scores: Scores, places: Iterable[str]) -> tuple[Figure, ...]:
    errors = sum(f.severity == "error" for f in scores.findings)
    services = [p for p in places if p not in (MONOLITH, SHARED)]
    return (
        Figure("files", "Files", summary["files"], f"{summary['files']:,}", "Python files analyzed"),
        Figure("modules", "Modules", summary["modules"], f"{summary['modules']:,}", "one per file"),
        Figure("functions", "Functions", summary["functions"], f"{summary['functions']:,}", "functions and methods"),
        Figure("tables", "Tables", summary["tables"], f"{summary['tables']:,}", "database tables found"),
        Figure("services", "Services", len(services), str(len(services)), "besides the monolith and shared code"),
        Figure("resolved_share", "Calls resolved", summary["resolved_share"], f"{summary['resolved_share']:.1%}",
               f"{summary['call_sites_resolved']:,} of {summary['call_sites']:,} call sites"),
        Figure("modularity", "Modularity", scores.modularity, f"{scores.modularity:.3f}", "higher is better"),
        Figure("icp", "ICP", scores.icp, f"{scores.icp:.1%}", "calls crossing a boundary; lower is better"),
        Figure("ifn", "IFN", scores.ifn, f"{scores.ifn:.1f}", "operations per service; lower is better"),
        Figure("ned", "NED", scores.ned, f"{scores.ned:.1%}",
               f"code in services outside {scores.size_bounds[0]:,}-{scores.size_bounds[1]:,} lines; lower is better"),
        Figure("hazards", "Hazards", len(scores.findings), str(len(scores.findings)),
               f"{errors} errors, {len(scores.findings) - errors} warnings"),
        Figure("transactions", "Cross-service transactions", len(scores.transactions), str(len(scores.transactions)),
               "units of work that would span databases"),
        Figure("cycles", "Cycles", len(scores.cycles),
               str(len(scores.cycles)) + ("+" if scores.cycles_truncated else ""), "between places; none is the goal"),
    )


def _place_view(context: ScoringContext, scores: Scores, place: Mapping[str, str], name: str) -> PlaceView:
    units = _units_in(place, name)
    operations = _operations(context, place, name)
    hazards = tuple(_hazard(f) for f in scores.findings if f.service == name)
    owned = [d for d in scores.data if d.owner == name]
    read = [d for d in scores.data if d.owner != name and name in dict(d.readers)]
    scored = {s.name: s for s in scores.services}
    lines = sum(context.sizes[u] for u in units)
    summary = (f"{len(units)} {context.unit_kind}{'s' if len(units) != 1 else ''}, {lines:,} lines, "
               f"{len(operations)} operation{'s' if len(operations) != 1 else ''}, "
               f"{len(hazards)} hazard{'s' if len(hazards) != 1 else ''}")
    return PlaceView(
        name=name, kind=name if name in (MONOLITH, SHARED) else "service", anchor=f"place-{name}",
        summary=summary, extreme=name in scored and scored[name].extreme,
        modules=tuple(ModuleRef(u, context.sizes[u], _role(context, u)) for u in units),
        operations=operations,
        owns=tuple(_entity_label(d) for d in owned),
        reads=tuple(_entity_label(d) for d in read),
        hazards=hazards,
    )


def _operations(context: ScoringContext, place: Mapping[str, str], name: str) -> tuple[Operation, ...]:
    """What other places call in `name` (for shared code: nothing, it runs in its callers)."""
    if name == SHARED:
        return ()
    callers: dict[str, set[str]] = {}
    for _target, unit, calling, interface in context.interfaces:
        if place[unit] == name:
            outside = {place[c] for c in calling} - {name}
            if outside:
                callers.setdefault(interface, set()).update(outside)
    return tuple(Operation(op, context.attrs[op]["kind"], context.location(op), ", ".join(sorted(found)))
                 for op, found in sorted(callers.items()))


def _entity_label(data: DataOwnership) -> str:
    return data.entity if data.kind == "table" else f"{data.entity} (state)"


def _hazard(finding: Finding) -> Hazard:
    return Hazard(finding.severity, finding.kind, finding.location, finding.subject, finding.service,
                  finding.message, finding.hint)


def _matrix(data: Iterable[DataOwnership], places: tuple[str, ...]) -> DataMatrix:
    rows = []
    for entity in sorted(data, key=lambda d: (d.kind != "table", d.entity)):
        writes, reads = dict(entity.writers), dict(entity.readers)
        cells = tuple(Cell(p, ("R" if p in reads else "") + ("W" if p in writes else ""), _sites(writes, reads, p))
                      for p in places)
        contested = len([p for p in writes if p != SHARED]) > 1
        rows.append(MatrixRow(entity.entity, entity.kind, entity.owner or "", contested, cells))
    return DataMatrix(places, tuple(rows))


def _sites(writes: Mapping[str, int], reads: Mapping[str, int], place: str) -> str:
    parts = [f"{n} {what} site{'s' if n != 1 else ''}"
             for n, what in ((writes.get(place, 0), "write"), (reads.get(place, 0), "read")) if n]
    return ", ".join(parts)


def _modules(graph: CodeGraph, placement: Placement, context: ScoringContext) -> tuple[ModuleRow, ...]:
    explanations = explain_all(graph, placement)
    return tuple(ModuleRow(u, placement.place_of(u), context.sizes[u],
                           explanations[u].sentence() if u in explanations else "", _role_and_layer(context, u))
                 for u in context.units)


def _role(context: ScoringContext, unit: str) -> str:
    return str(context.attrs.get(unit, {}).get("role") or "")


def _role_and_layer(context: ScoringContext, unit: str) -> str:
    role = _role(context, unit)
    return f"{role} ({layer_of(role)})" if layer_of(role) else role


def _frameworks(graph: CodeGraph) -> tuple[Framework, ...]:
    """Each framework found, with its definitions per role ("12 view, 3 urls")."""
    found = graph.meta.get("frameworks") or {}
    return tuple(Framework(name, ", ".join(f"{n} {role}" for role, n in (found[name].get("roles") or {}).items())
                           or "imported")
                 for name in sorted(found))


def _domain(domain: Mapping[str, object]) -> DeclaredDomain:
    location = f"{domain.get('file')}:{domain.get('line')}" if domain.get("file") else ""
    return DeclaredDomain(str(domain.get("name", "")), str(domain.get("kind", "")), str(domain.get("package", "")),
                          location)


def _diagnostic_key(d: Mapping[str, object]) -> tuple[str, int, str]:
    return str(d.get("file", "")), int(str(d.get("line") or 0)), str(d.get("code", ""))


def _diagnostic(d: Mapping[str, object]) -> Diagnostic:
    location = f"{d.get('file', '')}:{d['line']}" if d.get("line") else str(d.get("file", ""))
    return Diagnostic(location, str(d.get("severity", "")), str(d.get("code", "")), str(d.get("message", "")))
