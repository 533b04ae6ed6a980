"""Reading the graph and the plan for a command, with the errors that say how to fix them.

Apart from the rest of the boundary commands (boundaries.py: proposing, scoring, the
report) so that `plan show` and the plan edits start without importing the scoring stack.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.boundaries.context_cache import plan_inputs, plan_outline
from analyzer.boundaries.plan import PlanDocument, check_plan, plan_error, read_plan
from analyzer.errors import InputError
from analyzer.gcpause import keep_uncollected
from analyzer.graph import CodeGraph

if TYPE_CHECKING:
    from analyzer.boundaries.metrics import ScoringContext


def read_graph(path: Path) -> CodeGraph:
    if not path.exists():
        raise InputError(f"{path}: no graph file", hint="run `mono2lambda analyze SRC` first, or pass --graph PATH")
    try:
        return CodeGraph.load(path)
    except ValueError as error:
        raise InputError(f"{path}: not a readable graph file ({error})",
                         hint="run `mono2lambda analyze SRC` again") from None


def read_plan_outline(graph_path: Path, plan_path: Path) -> tuple[PlanDocument, CodeGraph]:
    """The plan and the graph's outline (its code nodes, no edges): what `plan show` and the
    plan edits read (context_cache.py keeps it beside the graph)."""
    if not graph_path.exists():
        read_graph(graph_path)  # which says how to make one
    doc = read_plan(plan_path)
    outline = plan_outline(graph_path, doc.plan.unit, read_graph)
    keep_uncollected()
    return doc, outline


def read_plan_inputs(graph_path: Path, plan_path: Path) -> tuple[PlanDocument, CodeGraph, ScoringContext]:
    """The plan, the graph's outline and its scoring context: what `plan score` reads, kept
    beside the graph after the first plan command (context_cache.py)."""
    if not graph_path.exists():
        read_graph(graph_path)
    doc = read_plan(plan_path)
    outline, context = plan_inputs(graph_path, doc.plan.unit, read_graph)
    keep_uncollected()  # the command holds them until it exits
    return doc, outline, context


def read_checked_plan(plan_path: Path, graph: CodeGraph) -> PlanDocument:
    return checked_plan(read_plan(plan_path), graph)


def checked_plan(doc: PlanDocument, graph: CodeGraph) -> PlanDocument:
    """`doc`, if it has no error against `graph` (else every problem, raised at once)."""
    problems = check_plan(doc, graph)
    if any(p.severity == "error" for p in problems):
        raise plan_error(problems, doc.filename)
    return doc
