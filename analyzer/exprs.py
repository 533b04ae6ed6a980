"""AST expressions -> the small syntactic `Expr` form (see facts.py), and annotations ->
values ("an instance of this class", "a collection of those"). Pure helpers of parse.py.
"""

from __future__ import annotations

import ast
import contextlib
from typing import Any

from .facts import GENERATOR, OTHER, Expr

# Methods that change the container they are called on.
MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "pop", "popitem", "remove", "clear", "update", "setdefault",
    "add", "discard", "sort", "reverse", "appendleft", "popleft", "extendleft", "rotate",
    "__setitem__", "__delitem__", "difference_update", "intersection_update",
    "symmetric_difference_update", "move_to_end",
})
WRAPPER_TYPES = frozenset({"Optional", "Mapped", "Final", "ClassVar", "Required", "NotRequired",
                           "ReadOnly", "InitVar", "Annotated"})
SEQUENCE_TYPES = frozenset({"list", "List", "Sequence", "Iterable", "Iterator", "set", "Set",
                            "frozenset", "FrozenSet", "Collection", "Generator", "AsyncIterator",
                            "AsyncIterable", "MutableSequence", "tuple", "Tuple",
                            "WriteOnlyMapped", "DynamicMapped", "AbstractSet", "Deque", "deque"})

# The one ("name", x) form of each name read so far: a name's form is looked up rather than made,
# so that the facts hold each once per name. marshal then writes (factcodec.py) and reads back one
# object for all of a file's uses, instead of a tuple each (Django: about 40% less time for both).
NAMES: dict[str, Expr] = {}


def name_expr(name: str) -> Expr:
    """The ("name", name) form, shared by every use of the name."""
    found = NAMES.get(name)
    if found is None:
        found = NAMES[name] = ("name", name)
    return found


def to_expr(node: Any) -> Expr:
    """The small syntactic form of an expression, enough to resolve what it names.

    Dispatches on the exact node class (`type(node) is ...`), the fastest test; `node` is
    typed Any because type checkers do not narrow on it."""
    kind = type(node)
    if kind is ast.Name:
        return NAMES.get(node.id) or name_expr(node.id)
    if kind is ast.Attribute:
        value = node.value
        if type(value) is ast.Name:  # the commonest chain, without a call per link
            return ("attr", NAMES.get(value.id) or name_expr(value.id), node.attr)
        return ("attr", to_expr(value), node.attr)
    if kind is ast.Call:
        keywords = node.keywords
        return ("call", to_expr(node.func), tuple(map(arg_expr, node.args)),
                tuple([(k.arg or "**", _keyword(k)) for k in keywords]) if keywords else ())
    if kind is ast.Subscript:
        return ("sub", to_expr(node.value))
    if kind in _WRAPPERS:
        return to_expr(node.value)
    if kind in _DISPLAYS:
        return ("seq", tuple(map(to_expr, node.elts)))
    if kind is ast.Dict:
        return ("seq", tuple(map(to_expr, node.values)))
    if kind is ast.Lambda:
        return ("lambda", node.lineno, node.col_offset)
    return OTHER


def arg_expr(node: Any) -> Expr:
    """Arguments are kept shallow: what they name, or what a call in them calls.

    The forms are tested in the order arguments have them most (Django: names, literals,
    attributes, calls); a form that is none of them is OTHER."""
    kind = type(node)
    if kind is ast.Name:
        return NAMES.get(node.id) or name_expr(node.id)
    if kind is ast.Constant:
        return constant_expr(node)
    if kind is ast.Attribute:  # to_expr's commonest chain, without the call
        value = node.value
        if type(value) is ast.Name:
            return ("attr", NAMES.get(value.id) or name_expr(value.id), node.attr)
        return ("attr", to_expr(value), node.attr)
    if kind is ast.Call:
        return ("call", to_expr(node.func), (), ())
    if kind in _OPAQUE:
        return OTHER
    if kind is ast.Subscript:
        return ("sub", to_expr(node.value))
    if kind in _WRAPPERS:
        return arg_expr(node.value)
    if kind in _DISPLAYS:
        return ("seq", tuple(map(arg_expr, node.elts)))
    if kind is ast.JoinedStr:
        return constant_expr(node)
    if kind is ast.Lambda:
        return ("lambda", node.lineno, node.col_offset)
    if kind is ast.Dict:
        return ("seq", tuple(map(arg_expr, node.values)))
    if kind is ast.GeneratorExp:
        return GENERATOR
    return OTHER


MAX_KEPT_LITERAL = 64  # longer strings keep their type only


def constant_expr(node: ast.Constant | ast.JoinedStr) -> Expr:
    """A literal argument: ("const", type, value); the value is None for bytes, an f-string or a long
    string (arguments.py reads what flows into untyped parameters from these)."""
    if node.__class__ is ast.JoinedStr:
        return ("const", "str", None)
    value: Any = node.value  # type: ignore[union-attr]
    kind = value.__class__
    if kind is str:
        return ("const", "str", value if len(value) <= MAX_KEPT_LITERAL else None)
    if kind is int or kind is float or kind is bool:
        return ("const", kind.__name__, value)
    return ("const", kind.__name__, None)


def _keyword(keyword: ast.keyword) -> Expr:
    """A keyword argument; Django's `related_name="..."` keeps its text (it names a manager)."""
    if keyword.arg == "related_name" and type(keyword.value) is ast.Constant:
        return ("str", str(keyword.value.value))
    return arg_expr(keyword.value)


_WRAPPERS = frozenset({ast.Await, ast.Starred, ast.NamedExpr})
_DISPLAYS = frozenset({ast.List, ast.Tuple, ast.Set})
_OPAQUE = frozenset({ast.BinOp, ast.BoolOp, ast.Compare, ast.UnaryOp, ast.IfExp})  # arguments: OTHER


def annotation_expr(node: ast.AST | None) -> Expr | None:
    """An annotation as a value: ("ann", cls) is an instance of cls; ("seq", (v,)) a collection of v."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return annotation_expr(ast.parse(node.value.strip(), mode="eval").body)
        except (SyntaxError, ValueError, RecursionError):
            return None
    if isinstance(node, (ast.Name, ast.Attribute)):
        if isinstance(node, ast.Name) and node.id == "None":
            return None
        return ("ann", to_expr(node))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [s for s in (node.left, node.right) if not is_none(s)]
        return annotation_expr(sides[0]) if len(sides) == 1 else None
    if isinstance(node, ast.Subscript):
        base = last_name(node.value)
        inner = node.slice
        elements = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        if not elements:
            return None
        if base in WRAPPER_TYPES:
            return annotation_expr(elements[0])
        if base == "Union":
            rest = [e for e in elements if not is_none(e)]
            return annotation_expr(rest[0]) if len(rest) == 1 else None
        if base in SEQUENCE_TYPES:
            element = annotation_expr(elements[0])
            return ("seq", (element,)) if element else None
        if base in ("type", "Type"):
            return to_expr(elements[0])
    return None


def type_names(node: ast.AST | None) -> list[Expr]:
    """Every class-like name mentioned in an annotation, strings included."""
    if node is None:
        return []
    found: list[Expr] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            with contextlib.suppress(SyntaxError, ValueError, RecursionError):
                found.extend(type_names(ast.parse(sub.value.strip(), mode="eval").body))
        elif isinstance(sub, (ast.Name, ast.Attribute)) and isinstance(sub.ctx, ast.Load):
            expr = to_expr(sub)
            if expr not in found:
                found.append(expr)
    return found


def is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def last_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None
