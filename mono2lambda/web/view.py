"""What the page shows for one version of the plan, as plain JSON-ready dicts.

A `Snapshot` is computed once per version (placement, scores, warnings), so undo and redo
are a pop and the page's state is a cheap walk over it. Hazards come grouped by kind (a
count, the fix most of them share, the units they are in, for the page's filter) and each
listed one names its unit, so a click on it can select the module. The service map is the
report's layout (`layout_map`): full names, the strongest calls only, drawn at 1:1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from fnmatch import fnmatchcase
from typing import Any

from analyzer.boundaries.hazards import Finding
from analyzer.boundaries.metrics import PlaceScore, Scores, ScoringContext
from analyzer.boundaries.placement import MONOLITH, SHARED, Placement
from analyzer.boundaries.plan import PlanDocument, Problem
from analyzer.boundaries.plan.model import is_glob
from analyzer.boundaries.report.layout import layout_map

HAZARDS_PER_KIND = 50  # hazards listed on the page for each kind; the counts are always the full ones


@dataclass(frozen=True)
class Snapshot:
    """One version of the plan and what it scores."""

    doc: PlanDocument
    placement: Placement
    scores: Scores
    warnings: tuple[Problem, ...]
    change: str  # how this version came about, in one line


def state_view(snapshot: Snapshot, context: ScoringContext, *, path: str, dirty: bool, can_undo: bool,
               can_redo: bool, change: str, files: Mapping[str, str]) -> dict[str, Any]:
    """`files`: file -> its unit (`units_by_file`), for hazards about a table or a file."""
    scores = snapshot.scores
    places = places_view(snapshot, context)
    edges = edges_view(snapshot.placement, context)
    return {
        "plan": path, "dirty": dirty, "can_undo": can_undo, "can_redo": can_redo, "change": change,
        "unit_kind": snapshot.placement.unit_kind,
        "places": places,
        "edges": edges,
        "map": map_view(places, edges),
        "scores": scores_view(scores),
        "hazards": [{**finding.to_json(), "unit": unit_of_finding(finding, context, files)}
                    for finding in first_of_each_kind(scores.findings, HAZARDS_PER_KIND)],
        "hazard_kinds": hazard_kinds_view(scores.findings, context, files),
        "warnings": [problem.render(snapshot.doc.filename) for problem in snapshot.warnings],
    }


def first_of_each_kind(findings: Sequence[Finding], count: int) -> list[Finding]:
    """The first `count` findings of each kind, in their order."""
    seen: Counter[str] = Counter()
    kept = []
    for finding in findings:
        seen[finding.kind] += 1
        if seen[finding.kind] <= count:
            kept.append(finding)
    return kept


def units_by_file(context: ScoringContext) -> dict[str, str]:
    """Each module's file -> the unit that holds the module."""
    return {attrs["file"]: context.unit[node] for node, attrs in context.attrs.items()
            if attrs.get("kind") == "module" and attrs.get("file") and node in context.unit}


def unit_of_finding(finding: Finding, context: ScoringContext, files: Mapping[str, str]) -> str | None:
    """The unit whose code the finding is about: its subject's, or (a table, say) its location's file's."""
    if finding.subject in context.unit:
        return context.unit[finding.subject]
    return files.get(finding.location.rpartition(":")[0] if ":" in finding.location else finding.location)


def hazard_kinds_view(findings: Sequence[Finding], context: ScoringContext,
                      files: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every finding by kind: the worst severity first, then the largest; the most common fix; its units."""
    kinds: dict[str, list[Finding]] = {}
    for finding in findings:
        kinds.setdefault(finding.kind, []).append(finding)
    groups = []
    for kind, found in kinds.items():
        hints = Counter(finding.hint for finding in found)
        units = {unit for finding in found if (unit := unit_of_finding(finding, context, files)) is not None}
        groups.append({"kind": kind, "count": len(found), "severity": "error" if any(
            finding.severity == "error" for finding in found) else "warning",
            "hint": min(hints, key=lambda text: (-hints[text], text)), "units": sorted(units)})
    return sorted(groups, key=lambda group: (group["severity"] != "error", -group["count"], group["kind"]))


def map_view(places: Sequence[dict[str, Any]], edges: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The report's map of the places (the monolith first, the shared libraries last when they hold code)."""
    drawn = [place for place in places if place["kind"] != SHARED or place["units"]]
    drawn.sort(key=lambda place: place["kind"] != MONOLITH)
    return asdict(layout_map([(place["name"], len(place["units"]), place["size"]) for place in drawn],
                             {(edge["from"], edge["to"]): edge["calls"] for edge in edges}))


def scores_view(scores: Scores) -> dict[str, Any]:
    return {"modularity": scores.modularity, "icp": scores.icp, "ifn": scores.ifn, "ned": scores.ned,
            "hazards": len(scores.findings), "transactions": len(scores.transactions), "cycles": len(scores.cycles),
            "blocking": sum(finding.severity == "error" for finding in scores.findings)}


def places_view(snapshot: Snapshot, context: ScoringContext) -> list[dict[str, Any]]:
    """Each service (sorted), then the monolith and the shared libraries, with their units."""
    placement, plan = snapshot.placement, snapshot.doc.plan
    pinned = _pinned(snapshot.doc)
    scored = {place.name: place for place in snapshot.scores.services}
    names = sorted(set(placement.services()) | set(plan.service_names()))
    places = [(name, "service", scored.get(name)) for name in names]
    places += [(MONOLITH, MONOLITH, snapshot.scores.monolith), (SHARED, SHARED, None)]
    return [_place(name, kind, placement.members(name), score, context.sizes, pinned)
            for name, kind, score in places]


def _place(name: str, kind: str, members: tuple[str, ...], score: PlaceScore | None, sizes: dict[str, int],
           pinned: Callable[[str], bool]) -> dict[str, Any]:
    units = [{"name": unit, "size": sizes.get(unit, 0), "pinned": pinned(unit)} for unit in members]
    return {"name": name, "kind": kind, "units": units, "size": sum(unit["size"] for unit in units),
            "ifn": len(score.interfaces) if score else 0, "extreme": bool(score and score.extreme)}


def edges_view(placement: Placement, context: ScoringContext) -> list[dict[str, Any]]:
    """Call sites between places; calls into shared libraries stay in process (`crossing` false)."""
    place = {unit: placement.place_of(unit) for unit in context.units}
    calls: Counter[tuple[str, str]] = Counter()
    for (a, b), count in context.calls.items():
        source, target = place[a], place[b]
        if source != target:
            calls[(source, target)] += count
    return [{"from": source, "to": target, "calls": count, "crossing": target != SHARED}
            for (source, target), count in sorted(calls.items())]


def _pinned(doc: PlanDocument) -> Callable[[str], bool]:
    patterns = [pattern for service in doc.plan.services for pattern in service.pinned]
    exact = {pattern for pattern in patterns if not is_glob(pattern)}
    globs = [pattern for pattern in patterns if is_glob(pattern)]
    return lambda unit: unit in exact or any(fnmatchcase(unit, glob) for glob in globs)
