"""Where ORM classes sit inside a type hint, and walking a value along that hint.

A conversion at the boundary (orm.py) replaces each ORM instance by something else: its
key in a request, its columns in a response. The shapes that are walked are the ones a
domain function writes: the class itself, `X | None` / `Optional[X]`, `list`, `tuple`,
`set`, `frozenset` and `Sequence` of them, and the values of a `dict` / `Mapping`. An ORM
class anywhere else in a hint (inside a dataclass, a union of two models, a dict key) is
`Unsupported`, so the contract is refused with the reason rather than half converted.
"""

from __future__ import annotations

import collections.abc
import types
import typing
from collections.abc import Callable
from typing import Any

_NONE = type(None)
_SEQUENCES = (list, collections.abc.Sequence, collections.abc.MutableSequence, collections.abc.Iterable,
              collections.abc.Collection)
_SETS = (set, frozenset, collections.abc.Set, collections.abc.MutableSet)
_MAPS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)


class Unsupported(TypeError):
    """An ORM class in a place of a hint that no conversion handles; the message says which."""


def contains(hint: Any, is_model: Callable[[Any], bool]) -> bool:
    """Whether an ORM class appears anywhere in `hint`."""
    if is_model(hint):
        return True
    return any(contains(arg, is_model) for arg in typing.get_args(hint) if arg is not Ellipsis)


def rewrite(hint: Any, is_model: Callable[[Any], bool], leaf: Callable[[type], Any]) -> Any:
    """`hint` with each ORM class replaced by `leaf(cls)`; sets become lists (a row is not hashable on
    the wire); raises Unsupported for a shape no conversion walks."""
    if not contains(hint, is_model):
        return hint
    if is_model(hint):
        return leaf(hint)
    origin, args = _unwrap(hint)
    if origin is typing.Union or origin is types.UnionType:
        models = [arg for arg in args if contains(arg, is_model)]
        if len(models) > 1:
            raise Unsupported(f"{_text(hint)}: a union of several ORM shapes is not converted (one shape, "
                              "optionally with None, is)")
        return typing.Union[tuple(rewrite(arg, is_model, leaf) for arg in args)]  # noqa: UP007
    if origin in _SEQUENCES or origin in _SETS:
        return list[rewrite(args[0], is_model, leaf)]  # type: ignore[misc]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple[rewrite(args[0], is_model, leaf), ...]  # type: ignore[misc]
        return tuple[tuple(rewrite(arg, is_model, leaf) for arg in args)]  # type: ignore[misc]
    if origin in _MAPS and len(args) == 2 and not contains(args[0], is_model):
        return dict[args[0], rewrite(args[1], is_model, leaf)]  # type: ignore[misc,valid-type]
    raise Unsupported(f"{_text(hint)}: an ORM class inside {_text(origin or hint)} is not converted (the model "
                      "itself, Optional, list, tuple, set and dict values of it are)")


def walk(hint: Any, value: Any, is_model: Callable[[Any], bool], leaf: Callable[[type, Any], Any],
         rebuild_sets: bool = False) -> Any:
    """`value` (shaped as `hint`) with `leaf(cls, item)` applied to each item where the hint has an ORM
    class. Containers are rebuilt: sets as lists on the way out, and as sets again on the way in
    (`rebuild_sets`)."""
    if value is None or not contains(hint, is_model):
        return value
    if is_model(hint):
        return leaf(hint, value)
    origin, args = _unwrap(hint)
    if origin is typing.Union or origin is types.UnionType:
        branch = next(arg for arg in args if contains(arg, is_model))
        return walk(branch, value, is_model, leaf, rebuild_sets)
    if origin in _SETS:
        items = [walk(args[0], item, is_model, leaf, rebuild_sets) for item in value]
        return (frozenset(items) if origin is frozenset else set(items)) if rebuild_sets else items
    if origin in _SEQUENCES:
        return [walk(args[0], item, is_model, leaf, rebuild_sets) for item in value]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(walk(args[0], item, is_model, leaf, rebuild_sets) for item in value)
        return tuple(walk(arg, item, is_model, leaf, rebuild_sets) for arg, item in zip(args, value, strict=False))
    if origin in _MAPS:
        return {key: walk(args[1], item, is_model, leaf, rebuild_sets) for key, item in value.items()}
    return value


def models_in(hint: Any, is_model: Callable[[Any], bool]) -> list[type]:
    """The ORM classes a hint names, each once, in order."""
    if is_model(hint):
        return [hint]
    found: dict[type, None] = {}
    for arg in typing.get_args(hint):
        if arg is not Ellipsis:
            found.update(dict.fromkeys(models_in(arg, is_model)))
    return list(found)


def _unwrap(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(hint)[0])
    return origin, typing.get_args(hint)


def _text(hint: Any) -> str:
    if isinstance(hint, type):
        return hint.__qualname__
    return str(hint).replace("typing.", "")
