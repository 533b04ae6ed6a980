"""What the page shows for one version of the plan, as plain JSON-ready dicts.

A `Snapshot` is computed once per version (placement, scores, warnings), so undo is a
pop and the page's state is a cheap walk over it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from analyzer.boundaries.metrics import PlaceScore, Scores, ScoringContext
from analyzer.boundaries.placement import MONOLITH, SHARED, Placement
from analyzer.boundaries.plan import PlanDocument, Problem
from analyzer.boundaries.plan.model import is_glob

MAX_HAZARDS = 300  # hazards listed on the page; the count is always the full one


@dataclass(frozen=True)
class Snapshot:
    """One version of the plan and what it scores."""

    doc: PlanDocument
    placement: Placement
    scores: Scores
    warnings: tuple[Problem, ...]
    change: str  # how this version came about, in one line


def state_view(snapshot: Snapshot, context: ScoringContext, *, path: str, dirty: bool, can_undo: bool,
               change: str) -> dict[str, Any]:
    scores = snapshot.scores
    return {
        "plan": path, "dirty": dirty, "can_undo": can_undo, "change": change,
        "unit_kind": snapshot.placement.unit_kind,
        "places": places_view(snapshot, context),
        "edges": edges_view(snapshot.placement, context),
        "scores": scores_view(scores),
        "hazards": [finding.to_json() for finding in scores.findings[:MAX_HAZARDS]],
        "warnings": [problem.render(snapshot.doc.filename) for problem in snapshot.warnings],
    }


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
