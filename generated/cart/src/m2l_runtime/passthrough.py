"""Values pydantic would hand back unchanged: the contract's shortcut for plain JSON.

Most arguments and results are plain JSON already: an int for an `int`, a list of str for a
`list[str]`, a dict of them for an untyped parameter. Validating such a value with pydantic
gives an equal value back, and dumping it in JSON mode gives it as it is, yet costs a few
microseconds a call on each side of a call. For a hint built only of such types, `checker`
makes once a function that says, with a few type checks, whether a value is exactly that:
its type is the hint's own, not a subclass (a bool is no int, a str enum no str), a dict's
keys are str, and the value is small. A value it does not vouch for goes through pydantic
as before, so coercions, conversions, defaults and errors stay pydantic's. A hint with
anything else (a model, a date, an enum, a tuple, a constraint) gets no checker: pydantic
always.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Sequence
from math import isfinite
from typing import Any, Literal, Union

Check = Callable[[Any], bool]
SCALARS = (int, str, bool, float)
LARGEST = 256  # items: a longer list or dict is left to pydantic, whose per-item work is compiled
_JSON_SCALARS = frozenset({*SCALARS, type(None)})


def checker(hint: Any) -> Check | None:
    """A function telling whether a value passes `hint`'s validation unchanged, or None when
    pydantic must always see values of this hint."""
    if hint is Any:
        return is_json
    if hint is None or hint is type(None):
        return _is_none
    if hint in SCALARS:
        return _exact(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        return _literal(args)
    if origin is Union or origin is types.UnionType:
        return _union(args)
    if hint is list or origin is list:
        return _list(checker(args[0]) if args else is_json)
    if hint is dict or origin is dict:
        return _dict(args)
    return None


def fields_checker(fields: Sequence[tuple[str, Any]]) -> Check | None:
    """A function telling whether a mapping holds exactly these fields (name, hint), in this
    order (as the caller's side sends them), each value passing its hint's check; None when a
    hint has no check. For fields of one scalar type each the check runs in C: most
    operations take a few of them."""
    names, hints = tuple(name for name, _ in fields), [hint for _, hint in fields]
    scalars = [_scalar_types(hint) for hint in hints]
    if all(kinds is not None and len(kinds) == 1 for kinds in scalars):
        exact = tuple(next(iter(kinds)) for kinds in typing.cast(list[frozenset[type]], scalars))
        return lambda data: tuple(map(type, data.values())) == exact and tuple(data) == names
    checks = [checker(hint) for hint in hints]
    if any(check is None for check in checks):
        return None
    each = tuple(typing.cast(list[Check], checks))
    return lambda data: tuple(data) == names and all(map(_passes, each, data.values()))


def _scalar_types(hint: Any) -> frozenset[type] | None:
    """The exact types a scalar hint (or a union of them, None included) lets through unchanged."""
    if hint is None or hint is type(None):
        return frozenset({type(None)})
    if hint in SCALARS:
        return frozenset({hint})
    if typing.get_origin(hint) is Union or typing.get_origin(hint) is types.UnionType:
        members = [_scalar_types(arg) for arg in typing.get_args(hint)]
        return None if any(kinds is None for kinds in members) else frozenset().union(*members)  # type: ignore[arg-type]
    return None


def _passes(check: Check, value: Any) -> bool:
    return check(value)


def is_json(value: Any) -> bool:
    """JSON's own types, nested (dicts with str keys), as json.loads makes them; a float of an
    untyped value finite (pydantic dumps an infinite one or a NaN as None there)."""
    kind = type(value)
    if kind in _JSON_SCALARS:
        return kind is not float or isfinite(value)
    if kind is list:
        return len(value) <= LARGEST and all(map(is_json, value))
    if kind is dict:
        return len(value) <= LARGEST and _str_keys(value) and all(map(is_json, value.values()))
    return False


def _is_none(value: Any) -> bool:
    return value is None


def _exact(kind: type) -> Check:
    return lambda value: type(value) is kind


def _literal(args: tuple[Any, ...]) -> Check | None:
    if not all(arg is None or type(arg) in (int, str, bool) for arg in args):
        return None
    allowed = frozenset((type(arg), arg) for arg in args)
    kinds = frozenset(kind for kind, _ in allowed)
    return lambda value: type(value) in kinds and (type(value), value) in allowed


def _union(args: tuple[Any, ...]) -> Check | None:
    members = [checker(arg) for arg in args]
    if any(member is None for member in members):
        return None
    checks = tuple(typing.cast(list[Check], members))
    return lambda value: any(check(value) for check in checks)


def _list(item: Check | None) -> Check | None:
    if item is None:
        return None
    return lambda value: type(value) is list and len(value) <= LARGEST and all(map(item, value))


def _dict(args: tuple[Any, ...]) -> Check | None:
    if args and args[0] is not str:
        return None
    item = checker(args[1]) if args else is_json
    if item is None:
        return None
    return lambda value: (type(value) is dict and len(value) <= LARGEST and _str_keys(value)
                          and all(map(item, value.values())))


def _str_keys(value: dict[Any, Any]) -> bool:
    return all(type(key) is str for key in value)
