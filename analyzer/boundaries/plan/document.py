"""The plan file as a document: its YAML tree (comments, layout, lines) and the `Plan` it means.

`parse_plan` and `PlanDocument.dumps` are pure (text in, text out); `read_plan` and
`write_plan` are the only functions here that touch the disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import PlanError
from ...files import write_atomic
from .model import Plan, Problem
from .schema import plan_of_tree
from .yamltree import MAX_DEPTH, Layout, Tree, YAMLSyntaxError, dump, guess_layout, line_of, load, load_fast

DEFAULT_PLAN = "boundaries.yaml"
MAX_PLAN_BYTES = 5_000_000  # a plan of 10,000 modules is about 400 kB


@dataclass(frozen=True)
class PlanDocument:
    """A valid plan together with the tree it was read from.

    `tree` is for looking at (values and line numbers): it may come from the fast reader,
    without comments. Edits start from `edited_tree()`, ruamel's round-trip tree.

    `text` is what the tree was parsed from: `dumps()` returns it untouched, so a command
    that changes nothing rewrites nothing. Edits never mutate a document; they build a new
    one by dumping an edited copy of the tree and parsing that text again, which also
    gives the new document true line numbers and proves the output is a valid plan."""

    tree: Tree
    plan: Plan
    filename: str
    text: str
    layout: Layout = field(default_factory=Layout)

    def dumps(self) -> str:
        return self.text

    def line(self, *path: str | int) -> int | None:
        """The 1-based line of the key or list item at `path` (see yamltree.line_of)."""
        return line_of(self.tree, *path)

    def edited_tree(self) -> Tree:
        """A fresh tree to edit (comments included); this document stays as it is.

        Parsed again from `text` (which the tree always comes from) rather than deep-copied:
        ruamel shares one comment token between a key and the list under it, and a deep
        copy splits it in two, so a comment moved into one of them would not be written."""
        return load(self.text)

    def with_tree(self, tree: Tree) -> PlanDocument:
        """The document an edited tree makes, validated as if a person had written it."""
        return parse_plan(dump(tree, self.layout), self.filename)


def parse_plan(text: str, filename: str = DEFAULT_PLAN) -> PlanDocument:
    """Parse and validate plan text; raises PlanError listing every problem with its line."""
    _check_size(len(text.encode("utf-8", "surrogatepass")), filename)
    tree: Any = load_fast(text)  # the same values and lines as `load`, or None
    try:
        if tree is None:
            tree = load(text)
    except YAMLSyntaxError as error:
        raise _syntax_error(error, filename) from None
    except RecursionError:  # MAX_DEPTH keeps this from happening; never an internal error all the same
        raise plan_error([Problem(1, "error", "the plan nests too deeply to be read",
                                  "a plan needs a few levels: services, their keys, their lists")], filename) from None
    plan, problems = plan_of_tree(tree)
    if plan is None:
        if not text.strip():
            problems = [Problem(1, "error", "the plan file is empty",
                                "run `mono2lambda propose` to write one, or start from docs/plan-format.md")]
        raise plan_error(problems, filename)
    return PlanDocument(tree, plan, filename, text, guess_layout(text))


def read_plan(path: Path | str) -> PlanDocument:
    path = Path(path)
    try:
        _check_size(path.stat().st_size, str(path))
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError(f"{path}: no such plan file", hint="run `mono2lambda propose` to write one, or pass "
                        "--plan PATH") from None
    except (OSError, UnicodeDecodeError) as error:
        raise PlanError(f"{path}: cannot read the plan file: {error}", hint="check the --plan path") from None
    return parse_plan(text, str(path))


def write_plan(path: Path | str, doc: PlanDocument) -> None:
    """Write atomically: the plan on disk is always the old one or the new one."""
    write_atomic(path, doc.dumps())


def plan_error(problems: list[Problem], filename: str) -> PlanError:
    """One PlanError for one or more problems: `file:line: what (how)`, one per line."""
    errors = [problem for problem in problems if problem.severity == "error"] or problems
    first = errors[0]
    where = f"{filename}:{first.line}" if first.line else filename
    if len(errors) == 1:
        return PlanError(f"{where}: {first.message}", hint=first.hint or None, problems=errors)
    lines = [problem.render(filename).replace(": error: ", ": ", 1) for problem in errors]
    return PlanError("\n".join(lines), problems=errors)


def clip_text(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else f"{text[:limit]}..."


def _check_size(size: int, filename: str) -> None:
    if size > MAX_PLAN_BYTES:
        raise plan_error([Problem(1, "error", f"the plan is {size:,} bytes, over the {MAX_PLAN_BYTES:,}-byte limit",
                                  "a plan lists services and module globs; write globs instead of every module")],
                         filename)


def _syntax_error(error: YAMLSyntaxError, filename: str) -> PlanError:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    what = clip_text(error.problem or error.context or "invalid YAML")
    if "duplicate key" in str(error):
        hint = "each key may appear once in a mapping; merge the two entries"
    elif "anchors and aliases" in what:
        hint = "write the values out instead of &anchor / *alias (quote a glob that starts with '*')"
    elif "maximum depth" in what:
        what = f"the plan nests deeper than {MAX_DEPTH} levels"
        hint = "a plan needs a few levels: services, their keys, their lists"
    else:
        hint = "fix the YAML syntax at that line (indentation, a missing ':' or an unclosed quote or bracket)"
    return plan_error([Problem(line, "error", f"invalid YAML: {what}", hint)], filename)
