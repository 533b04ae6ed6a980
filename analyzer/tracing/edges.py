"""A trace's calls into the graph: `observed` edges, kept apart from the static `calls`, and
the unresolved call sites the trace saw land in the project's code.

An unresolved site (`scope`, `line`) counts as resolved by the trace when the trace saw
`scope` call a function of the project from that line: dynamic dispatch (a registry, a
signal, a handler looked up by name) the static pass could not follow. The site stays in
`unresolved_calls`, with `observed: [the targets]`, so the static figures keep their meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..graph import CodeGraph
from .model import Trace


@dataclass(frozen=True)
class ObservedStats:
    edges: int  # observed edges added (between two nodes of the graph)
    new_edges: int  # of them, pairs the static graph has no `calls` or `instantiates` edge for
    calls: int  # calls those edges carry
    resolved_sites: int  # unresolved call sites the trace saw call project code
    tests: int

    def to_json(self) -> dict[str, int]:
        return {"edges": self.edges, "new_edges": self.new_edges, "calls": self.calls,
                "resolved_sites": self.resolved_sites, "tests": self.tests}


def add_observed_edges(graph: CodeGraph, trace: Trace) -> ObservedStats:
    """Add the trace's calls between nodes of the graph as `observed` edges (count: calls seen;
    lines: the caller's lines), mark the unresolved sites it resolves, and note it in `meta`."""
    edges = new = carried = 0
    targets: dict[tuple[str, int], set[str]] = {}
    for call in sorted(trace.calls, key=lambda c: (c.caller or "", c.callee)):
        if call.caller is None or call.caller not in graph or call.callee not in graph:
            continue
        static = (graph.has_dependency(call.caller, call.callee, "calls")
                  or graph.has_dependency(call.caller, call.callee, "instantiates"))
        graph.add_dependency(call.caller, call.callee, "observed", count=call.count, lines=call.lines, static=static)
        edges += 1
        carried += call.count
        new += not static
        known = _static_lines(graph, call.caller, call.callee)
        for line in call.lines:
            if line not in known:  # a line whose call the static pass resolved to this callee is not news
                targets.setdefault((call.caller, line), set()).add(call.callee)
    resolved = _mark_resolved(graph, targets)
    stats = ObservedStats(edges, new, carried, resolved, len(trace.tests))
    graph.meta["trace"] = stats.to_json()
    return stats


def _static_lines(graph: CodeGraph, caller: str, callee: str) -> set[int]:
    lines: set[int] = set()
    for kind in ("calls", "instantiates"):
        if graph.has_dependency(caller, callee, kind):
            lines.update(graph.edge(caller, callee, kind)["lines"])
    return lines


def _mark_resolved(graph: CodeGraph, targets: dict[tuple[str, int], set[str]]) -> int:
    """Give each unresolved site the project functions the trace saw its line call that the
    static graph does not already have from that line. With several unresolved sites on one
    line, a target goes to the site whose called name is its name (`carrier.quote` gets
    `StandardPost.quote`, not `quotes.append` beside it); a site whose name matches none gets
    what no site matched, so `handler(event)` gets the receivers it reached."""
    sites: dict[tuple[str, int], list[dict]] = {}
    for site in graph.unresolved_calls:
        sites.setdefault((str(site.get("scope", "")), int(site.get("line", 0))), []).append(site)
    resolved = 0
    for place, found in sites.items():
        seen = targets.get(place)
        if not seen:
            continue
        by_name = {id(site): {t for t in seen if _called_name(site) in _names(t)} for site in found}
        unclaimed = seen - set().union(*by_name.values())
        for site in found:
            given = by_name[id(site)] or (unclaimed if not _is_method_of_unknown(site, by_name) else set())
            if given:
                site["observed"] = sorted(given)
                resolved += 1
    return resolved


def _called_name(site: dict) -> str:
    return str(site.get("expr", "")).rsplit(".", 1)[-1]


def _names(target: str) -> tuple[str, str]:
    """What code calling `target` may have written: its name, or its class's (for `__init__`)."""
    parts = target.rsplit(".", 2)
    return (parts[-1], parts[-2] if parts[-1] == "__init__" and len(parts) > 2 else parts[-1])


def _is_method_of_unknown(site: dict, by_name: dict[int, set[str]]) -> bool:
    """An `x.append(...)`-like site on a line where another site took its targets by name."""
    return "." in str(site.get("expr", "")) and any(by_name.values())
