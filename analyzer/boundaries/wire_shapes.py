"""Where ORM models sit in an annotation, read from its text: what extract can convert.

The runtime (m2l_runtime/orm_shapes.py) converts a model wherever it is the annotation
itself, `X | None` / `Optional[X]` / `Union[X, None]`, an element of a `list`, `tuple`,
`set`, `frozenset` or `Sequence`, or a value of a `dict` / `Mapping`. This reads the same
shapes from the source text (no import), so `plan score` and `check` agree with what
extract will do: `converted` when every model found sits in such a place, `unsupported`
with the reason when one does not, `none` when the annotation names no model.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

CONVERTED = "converted"
UNSUPPORTED = "unsupported"
NONE = "none"

_ELEMENTS = frozenset({"list", "List", "Sequence", "MutableSequence", "Iterable", "Collection", "set", "Set",
                       "frozenset", "FrozenSet", "AbstractSet", "MutableSet", "tuple", "Tuple"})
_MAPS = frozenset({"dict", "Dict", "Mapping", "MutableMapping"})
_OPTIONAL = frozenset({"Optional", "Union"})


@dataclass(frozen=True)
class Shape:
    verdict: str  # CONVERTED, UNSUPPORTED or NONE
    models: tuple[str, ...] = ()  # the model classes named (their ids), in order
    reason: str = ""  # for UNSUPPORTED: where the model sits that no conversion reaches


def orm_shape(annotation: str, models: Mapping[str, str]) -> Shape:
    """The shape of `annotation` with respect to the model classes `models` (short name -> id)."""
    try:
        tree = ast.parse(annotation.strip(), mode="eval").body
    except SyntaxError:
        return Shape(NONE)
    found: dict[str, None] = {}
    problems: list[str] = []
    _visit(tree, models, True, found, problems)
    if not found:
        return Shape(NONE)
    if problems:
        return Shape(UNSUPPORTED, tuple(found), problems[0])
    return Shape(CONVERTED, tuple(found))


def _visit(node: ast.expr, models: Mapping[str, str], allowed: bool, found: dict[str, None],
           problems: list[str]) -> None:
    """Record the models under `node`; `allowed` says whether a model may sit here."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a quoted forward reference
        try:
            inner = ast.parse(node.value.strip(), mode="eval").body
        except SyntaxError:
            return
        _visit(inner, models, allowed, found, problems)
        return
    name = _name(node)
    if name is not None:
        if name in models:
            found[models[name]] = None
            if not allowed:
                problems.append(f"{name} where no conversion reaches it")
        return
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        _union([node.left, node.right], models, allowed, found, problems)
        return
    if isinstance(node, ast.Subscript):
        _subscript(node, models, allowed, found, problems)
        return
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr):
            _visit(child, models, False, found, problems)


def _subscript(node: ast.Subscript, models: Mapping[str, str], allowed: bool, found: dict[str, None],
               problems: list[str]) -> None:
    base = _name(node.value) or ""
    args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
    if base in _OPTIONAL:
        _union(args, models, allowed, found, problems)
    elif base in _ELEMENTS:
        for arg in args:
            _visit(arg, models, allowed, found, problems)
    elif base in _MAPS and len(args) == 2:
        _visit(args[0], models, False, found, problems)
        _visit(args[1], models, allowed, found, problems)
    elif base == "Annotated" and args:
        _visit(args[0], models, allowed, found, problems)
    else:
        before = len(found)
        for arg in args:
            _visit(arg, models, False, found, problems)
        if len(found) > before and not problems:
            problems.append(f"a model inside {base or 'a generic'}[...]")


def _union(branches: list[ast.expr], models: Mapping[str, str], allowed: bool, found: dict[str, None],
           problems: list[str]) -> None:
    holding = 0
    for branch in _flatten(branches):
        before = len(found), len(problems)
        _visit(branch, models, allowed, found, problems)
        holding += (len(found), len(problems)) != before
    if holding > 1:
        problems.append("a union of several model shapes")


def _flatten(branches: list[ast.expr]) -> list[ast.expr]:
    flat: list[ast.expr] = []
    for branch in branches:
        if isinstance(branch, ast.BinOp) and isinstance(branch.op, ast.BitOr):
            flat.extend(_flatten([branch.left, branch.right]))
        else:
            flat.append(branch)
    return flat


def _name(node: ast.expr) -> str | None:
    """`Order` or `models.Order` -> the last name; anything else -> None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None
