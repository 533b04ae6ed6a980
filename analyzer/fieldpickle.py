"""Pickling dataclasses as calls of their class with their fields in order.

Pickle's own way rebuilds a slotted dataclass attribute by attribute; a call with the fields
is some 30% faster to write and about three times faster to read (Django: 845 module
resolutions read in 0.058 s instead of 0.082 s from the cache, and the half a forked resolver
sends back read in a third of the time)."""

from __future__ import annotations

import copyreg
import dataclasses
import io
import operator
import pickle
from collections.abc import Callable
from typing import Any


def by_fields(*classes: type) -> dict[type, Callable[[Any], Any]]:
    """A pickler's dispatch table that writes each of these dataclasses as a call of it with its
    fields, except one whose constructor does not take every field or does more than set them."""
    table = copyreg.dispatch_table.copy()
    for cls in classes:
        fields = dataclasses.fields(cls)
        if any(not f.init for f in fields) or hasattr(cls, "__post_init__"):
            continue
        table[cls] = _reducer(cls, tuple(f.name for f in fields))
    return table


def _reducer(cls: type, names: tuple[str, ...]) -> Callable[[Any], tuple]:
    """obj -> (cls, the values of its fields). An attrgetter of two names or more gives their values
    as a tuple, a third faster than a generator over the names (pickling Django's resolutions:
    0.090 -> 0.064 s); of one name it gives the value alone, and of none it cannot be made."""
    if len(names) < 2:
        return lambda obj: (cls, tuple(getattr(obj, name) for name in names))
    fields = operator.attrgetter(*names)
    return lambda obj: (cls, fields(obj))


def dumps(obj: Any, table: dict[type, Callable[[Any], Any]]) -> bytes:
    """`obj` pickled with this dispatch table (read back with `pickle.loads`)."""
    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = table
    pickler.dump(obj)
    return stream.getvalue()
