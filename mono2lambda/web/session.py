"""The selection session: one graph, one scoring context, the plan being edited, its undo and redo stacks.

Pure apart from `open` (reads the graph and the plan) and `save` (writes the plan): every
method takes plain values and returns the page's state as a plain dict, so the HTTP
adapter only moves JSON and the tests drive the session without a browser. Every edit
goes through the analyzer's comment-keeping plan edits, is checked against the graph
(an edit that would make the plan invalid is refused and changes nothing) and re-scored
with the one `ScoringContext` built when the session opened.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

from analyzer.boundaries.explain import Explainer
from analyzer.boundaries.metrics import ScoringContext, score
from analyzer.boundaries.plan import (
    Edit,
    PlanDocument,
    assign,
    check_plan,
    keep,
    merge,
    move,
    plan_error,
    rename,
    share,
    split,
    write_plan,
)
from analyzer.boundaries.plan.model import is_glob
from analyzer.boundaries.plan.pins import pin, unpin
from analyzer.errors import InputError, PlanError
from analyzer.graph import CodeGraph

from ..boundaries import read_checked_plan, read_graph
from .view import Snapshot, state_view, units_by_file

Args = Mapping[str, Any]


class SaveConflict(PlanError):
    """The plan file changed on disk after the session read it; saving would overwrite that."""



def _text(args: Args, name: str) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value:
        raise InputError(f"the edit needs {name!r} (a non-empty string)", hint=f"send args {{\"{name}\": ...}}")
    return value


def _into(args: Args) -> dict[str, list[str]]:
    into = args.get("into")
    if not isinstance(into, Mapping) or not all(
            isinstance(units, list) and all(isinstance(u, str) for u in units) for units in into.values()):
        raise InputError("split needs 'into': {new service: [units]}",
                         hint='for example {"service": "orders", "into": {"cart": ["shop.cart"]}}')
    return {str(name): list(units) for name, units in into.items()}


def _flag(args: Args, name: str) -> bool:
    value = args.get(name, False)
    if not isinstance(value, bool):
        raise InputError(f"{name!r} must be true or false", hint=f"send args {{\"{name}\": true}} or leave it out")
    return value


# op -> the plan edit it makes, given the graph's units (so a glob acts on every unit it
# matches); args as in the CLI (`merge` puts b into a; `move` creates a service only with
# "new": true, which the page sends from its explicit "New service" action).
OPERATIONS: dict[str, Callable[[PlanDocument, Args, Collection[str]], Edit]] = {
    "move": lambda doc, args, units: move(doc, _text(args, "unit"), _text(args, "service"), units=units,
                                          new=_flag(args, "new")),
    "keep": lambda doc, args, units: keep(doc, _text(args, "unit"), units=units),
    "share": lambda doc, args, units: share(doc, _text(args, "unit"), units=units),
    "pin": lambda doc, args, units: pin(doc, _text(args, "unit")),
    "unpin": lambda doc, args, units: unpin(doc, _text(args, "unit")),
    "rename": lambda doc, args, units: rename(doc, _text(args, "old"), _text(args, "new")),
    "merge": lambda doc, args, units: merge(doc, _text(args, "a"), _text(args, "b")),
    "split": lambda doc, args, units: split(doc, _text(args, "service"), _into(args)),
}
GLOB_OPERATIONS = frozenset({"move", "keep", "share"})  # the edits that take a glob for `unit`


class Session:
    """The plan being edited. Not thread-safe: the server serialises calls."""

    def __init__(self, graph: CodeGraph, doc: PlanDocument, path: Path) -> None:
        self.graph = graph
        self.path = Path(path)
        self.context = ScoringContext(graph, doc.plan.unit)
        self._units = frozenset(self.context.units)
        self._files = units_by_file(self.context)
        self._saved_text = doc.text
        self._current = self._snapshot(doc, f"opened {self.path}")
        self._undo: list[Snapshot] = []
        self._redo: list[Snapshot] = []  # what undo took back, newest last; a new edit clears it
        self._explainer: Explainer | None = None  # built at the first `why`, kept for every placement

    @classmethod
    def open(cls, plan_path: Path, graph_path: Path) -> Session:
        graph = read_graph(graph_path)
        return cls(graph, read_checked_plan(plan_path, graph), plan_path)

    @property
    def doc(self) -> PlanDocument:
        return self._current.doc

    @property
    def dirty(self) -> bool:
        return self._current.doc.text != self._saved_text

    def state(self, change: str | None = None) -> dict[str, Any]:
        return state_view(self._current, self.context, path=str(self.path), dirty=self.dirty,
                          can_undo=bool(self._undo), can_redo=bool(self._redo), change=change or self._current.change,
                          files=self._files)

    def edit(self, op: str, args: Args) -> dict[str, Any]:
        """Apply one edit; on any error nothing changes."""
        operation = OPERATIONS.get(op)
        if operation is None:
            raise InputError(f"unknown edit {op!r}", hint="use one of: " + ", ".join(OPERATIONS))
        if not isinstance(args, Mapping):
            raise InputError("the edit's args must be an object", hint='for example {"unit": "shop.cart"}')
        if "unit" in args and not (op in GLOB_OPERATIONS and is_glob(_text(args, "unit"))):
            self._require_unit(_text(args, "unit"))  # a glob that matches nothing is the edit's own error
        result = operation(self._current.doc, args, self._units)
        if result.doc is self._current.doc:
            return self.state(change=result.change)
        snapshot = self._snapshot(result.doc, result.change)
        self._undo.append(self._current)
        self._redo.clear()
        self._current = snapshot
        return self.state()

    def undo(self) -> dict[str, Any]:
        if not self._undo:
            raise InputError("nothing to undo", hint="the plan is as it was when the page opened")
        undone = self._current.change
        self._redo.append(self._current)
        self._current = self._undo.pop()
        return self.state(change=f"undid: {undone}")

    def redo(self) -> dict[str, Any]:
        """Make again the edit the last undo took back (snapshots are kept: nothing is re-scored)."""
        if not self._redo:
            raise InputError("nothing to redo", hint="redo makes again an edit that undo took back, "
                             "until a new edit is made")
        self._undo.append(self._current)
        self._current = self._redo.pop()
        return self.state(change=f"redid: {self._current.change}")

    def save(self, *, force: bool = False) -> dict[str, Any]:
        """Write the plan atomically, comments kept; refuse to overwrite someone else's change unless forced."""
        if not force:
            self._check_disk()
        write_plan(self.path, self._current.doc)
        self._saved_text = self._current.doc.text
        return self.state(change=f"saved {self.path}")

    def why(self, unit: str) -> dict[str, Any]:
        """Why `unit` is where it is: its ties to its own place against the strongest pull elsewhere."""
        self._require_unit(unit)
        if self._explainer is None:
            self._explainer = Explainer(self.graph, self.context.unit_kind)
        return self._explainer.explain(self._current.placement, only=unit)[unit].to_json()

    def _snapshot(self, doc: PlanDocument, change: str) -> Snapshot:
        problems = check_plan(doc, self.graph)
        if any(problem.severity == "error" for problem in problems):
            raise plan_error(problems, doc.filename)
        placement = assign(doc.plan, list(self.context.units))
        return Snapshot(doc, placement, score(self.context, placement), tuple(problems), change)

    def _require_unit(self, unit: str) -> None:
        if unit not in self._units:
            close = difflib.get_close_matches(unit, sorted(self._units), n=3, cutoff=0.6)
            raise InputError(f"{unit} is not a {self.context.unit_kind} of the graph",
                             hint=f"did you mean {' or '.join(close)}?" if close else
                             "run `mono2lambda analyze` again if the code changed")

    def _check_disk(self) -> None:
        try:
            on_disk = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        if on_disk != self._saved_text:
            raise SaveConflict(f"{self.path} changed on disk since this page read it",
                               hint="save again to overwrite it with this page's plan, or restart "
                               "`mono2lambda select` to load the file (this page's unsaved edits would be lost)")
