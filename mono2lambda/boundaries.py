"""The files behind `propose`, `plan score` and `plan why`: read the graph and the plan,
call the pure core, write the plan. Kept apart from the click commands so each command
stays a few lines."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.boundaries.hierarchy import Hierarchy
from analyzer.boundaries.metrics import Scores, score
from analyzer.boundaries.partition import (
    DEFAULT_WEIGHTS,
    Constraints,
    ProposeOptions,
    Weights,
    propose_with_hierarchy,
)
from analyzer.boundaries.placement import MONOLITH, SHARED, Placement, units_of
from analyzer.boundaries.plan import PlanDocument, assign, plan_from_placement, write_plan
from analyzer.boundaries.plan.assign import entries_of, winners
from analyzer.errors import InputError
from analyzer.files import write_atomic
from analyzer.graph import CodeGraph

from .reading import checked_plan, read_checked_plan, read_graph, read_plan_inputs

if TYPE_CHECKING:  # `plan why` only
    from analyzer.boundaries.explain import Explanation


@dataclass(frozen=True)
class Proposal:
    doc: PlanDocument
    placement: Placement
    scores: Scores
    kept: int  # units the previous plan fixed (pinned, kept in the monolith, shared)
    hierarchy: Hierarchy  # how the services merge as their count drops; the placement is one of its cuts

    def to_json(self) -> dict:
        """The scores' JSON (docs/metrics.md) with the hierarchy (docs/propose.md)."""
        return {**self.scores.to_json(), "hierarchy": self.hierarchy.to_json()}


def parse_weights(values: tuple[str, ...]) -> Weights:
    """`--weight write_write=12` options -> the `Weights` of the unit graph."""
    names = {f.name for f in fields(Weights)}
    changes: dict[str, float] = {}
    for value in values:
        name, _, number = value.partition("=")
        if name not in names:
            raise InputError(f"--weight {value!r}: unknown weight {name!r}",
                             hint=f"use one of {', '.join(sorted(names))}")
        try:
            changes[name] = float(number)
        except ValueError:
            raise InputError(f"--weight {value!r}: {number!r} is not a number", hint="e.g. --weight call=2") from None
    return replace(DEFAULT_WEIGHTS, **changes)


def constraints_of(doc: PlanDocument, units: list[str]) -> Constraints:
    """What a person fixed in the plan: pinned units, and units listed for the monolith or shared."""
    plan = doc.plan
    entries = [e for e in entries_of(plan) if e.place in (MONOLITH, SHARED)]
    placement = assign(plan, units)
    fixed = {u: placement.place_of(u) for u in units if placement.place_of(u) in (MONOLITH, SHARED)
             and winners(entries, u)}
    pinned = {u: service.name for service in plan.services for pattern in service.pinned
              for u in units if fnmatchcase(u, pattern)}
    return Constraints(pinned=pinned,
                       monolith=frozenset(u for u, p in fixed.items() if p == MONOLITH),
                       shared=frozenset(u for u, p in fixed.items() if p == SHARED))


def propose_plan(graph_path: Path, plan_path: Path, options: ProposeOptions) -> Proposal:
    """Propose boundaries honouring an existing plan's constraints, and write the plan."""
    graph = read_graph(graph_path)
    previous = read_checked_plan(plan_path, graph) if plan_path.exists() else None
    unit_kind = previous.plan.unit if previous is not None else options.unit_kind
    units = units_of(graph, unit_kind)
    constraints = constraints_of(previous, units) if previous is not None else Constraints()
    placement, hierarchy = propose_with_hierarchy(graph, constraints, ProposeOptions(
        services=options.services, resolution=options.resolution, seed=options.seed, unit_kind=unit_kind,
        detect_shared=options.detect_shared, keep_web=options.keep_web, weights=options.weights))
    doc = plan_from_placement(placement, str(graph.meta.get("root", "")), unit_kind, previous)
    write_plan(plan_path, doc)
    kept = len(constraints.pinned) + len(constraints.monolith) + len(constraints.shared)
    return Proposal(doc, placement, score(graph, placement), kept, hierarchy)


def placement_of(graph_path: Path, plan_path: Path) -> tuple[CodeGraph, Placement]:
    graph = read_graph(graph_path)
    doc = read_checked_plan(plan_path, graph)
    return graph, assign(doc.plan, units_of(graph, doc.plan.unit))


def score_plan(graph_path: Path, plan_path: Path) -> Scores:
    doc, outline, context = read_plan_inputs(graph_path, plan_path)
    return score(context, assign(checked_plan(doc, outline).plan, units_of(outline, doc.plan.unit)))


def why(graph_path: Path, plan_path: Path, unit: str) -> Explanation:
    from analyzer.boundaries.explain import explain

    graph, placement = placement_of(graph_path, plan_path)
    if unit not in placement.units:
        close = sorted(u for u in placement.units if unit.rsplit(".", 1)[-1] in u)[:3]
        raise InputError(f"{unit}: not a unit of the graph",
                         hint=f"did you mean {', '.join(close)}?" if close else "see `mono2lambda plan show`")
    return explain(graph, placement, unit)


def write_report(graph_path: Path, plan_path: Path, fmt: str, output: Path, links: str | None = None) -> str:
    """Render the report for the plan (or, with no plan file, for a fresh proposal) to `output`.
    `links`: the URL template of file:line links; by default the `report_links` of the command's
    configuration ([tool.mono2lambda]), none without one. Returns what the report describes,
    for the command's one-line answer."""
    import click

    from analyzer.boundaries.report import build_report, render_html, render_json, render_markdown  # jinja2: slow

    if links is None:
        context = click.get_current_context(silent=True)
        config = context.meta.get("mono2lambda.config") if context else None
        links = config.get("report_links") if config else None

    renderers = {"html": render_html, "md": render_markdown, "json": render_json}
    if plan_path.exists():
        graph = read_graph(graph_path)
        doc = read_checked_plan(plan_path, graph)
        units = units_of(graph, doc.plan.unit)
        placement = assign(doc.plan, units)
        _, hierarchy = propose_with_hierarchy(graph, constraints_of(doc, units),
                                              ProposeOptions(unit_kind=doc.plan.unit))
        described, plan_name = str(plan_path), str(plan_path)
    else:
        graph = read_graph(graph_path)
        placement, hierarchy = propose_with_hierarchy(graph)
        described, plan_name = "a fresh proposal (no plan file yet)", None
    model = build_report(graph, placement, plan_name=plan_name, links=links, hierarchy=hierarchy)
    write_atomic(output, renderers[fmt](model))
    return described
