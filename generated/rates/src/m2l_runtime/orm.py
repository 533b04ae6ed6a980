"""SQLAlchemy across the wire: sessions are not sent, mapped instances travel as their key.

An operation's parameter typed as a session (`sqlalchemy.orm.Session` or a subclass, such
as Flask-SQLAlchemy's, or a `scoped_session`) is left out of its request: the caller's
session cannot cross a wire. The handler opens its own unit of work instead, from the
session factory the package boots with (`{"sqlalchemy_session": "pkg.db:session_scope"}`,
the plan's `framework: {sqlalchemy_session: ...}`), passes that session, commits when the
operation returns and rolls back when it raises. The factory is called without arguments
and gives either a Session or a context manager that yields one (and then commits and
rolls back itself, as a `session_scope()` helper does).

A parameter typed as a mapped class (or `Optional` of one, or a list of them) is sent as the
instance's primary key; the handler loads the row in its own session (`session.get`), and a
key with no row answers `RowNotFound` naming the model and the key.

Nothing here imports SQLAlchemy unless the operation's own types already did.
"""

from __future__ import annotations

import importlib
import sys
import typing
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from .errors import ContractError

_FACTORY: list[str] = []  # "module:attribute", set by bootstrap.boot from the package's BOOT
_NONE = type(None)


class RowNotFound(LookupError):
    """A key an operation was sent names no row (deleted, or never committed)."""

    def __init__(self, message: str, model: str = "", key: object = None) -> None:
        super().__init__(message)
        self.model = model
        self.key = key


@dataclass(frozen=True)
class RowParameter:
    """A parameter that takes mapped instances: sent as their primary key."""

    name: str
    model: type
    shape: str  # "one", "optional" or "list"


def configure(target: str | None) -> None:
    """The session factory a package's handler opens its units of work with."""
    _FACTORY[:] = [target] if target else []


def is_session(hint: Any) -> bool:
    orm = sys.modules.get("sqlalchemy.orm")
    if orm is None:
        return False
    origin = typing.get_origin(hint) or hint
    return isinstance(origin, type) and issubclass(origin, (orm.Session, orm.scoped_session))


def row_parameter(name: str, hint: Any) -> RowParameter | None:
    """`name` as a RowParameter when its hint is a mapped class, Optional of one or a list of them."""
    if "sqlalchemy.orm" not in sys.modules:
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is list and len(args) == 1 and _mapped(args[0]):
        return RowParameter(name, args[0], "list")
    if args and _NONE in args and len(args) == 2:
        other = next(a for a in args if a is not _NONE)
        if _mapped(other):
            return RowParameter(name, other, "optional")
    if _mapped(hint):
        return RowParameter(name, hint, "one")
    return None


def key_hint(row: RowParameter) -> Any:
    """The request field's type for a row parameter: its model's primary key, in the same shape."""
    key = _key_type(row.model)
    if row.shape == "list":
        return list[key]  # type: ignore[valid-type]
    return key | None if row.shape == "optional" else key


def to_key(operation: str, row: RowParameter, value: Any) -> Any:
    """Caller side: an instance (or a list of them) -> its primary key; anything else is left to the
    contract to check (a caller may pass the key itself)."""
    if row.shape == "list" and isinstance(value, (list, tuple)):
        return [_key_of(operation, row, item) for item in value]
    return _key_of(operation, row, value)


def load(operation: str, session: Any, row: RowParameter, key: Any) -> Any:
    """Service side: the key -> the row, loaded in the operation's own session."""
    if key is None and row.shape == "optional":
        return None
    if row.shape == "list":
        return [_get(operation, session, row, item) for item in key]
    return _get(operation, session, row, key)


def unit_of_work(operation: str, needed: bool) -> Any:
    """The operation's own session (commit on success, roll back on error), or nothing to open."""
    if not needed:
        return nullcontext(None)
    return _scope(operation)


@contextmanager
def _scope(operation: str) -> Iterator[Any]:
    if not _FACTORY:
        raise ContractError(f"{operation} takes a database session or rows, but this package names no session "
                            "factory: set `framework: {sqlalchemy_session: \"pkg.db:session_scope\"}` in the plan "
                            "and extract again")
    module_name, _, attribute = _FACTORY[0].partition(":")
    made = getattr(importlib.import_module(module_name), attribute or "Session")()
    from sqlalchemy.orm import Session

    if not isinstance(made, Session) and hasattr(made, "__enter__"):
        with made as session:  # a scope of the app's own: it commits and rolls back itself
            yield session
        return
    session = made
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _key_of(operation: str, row: RowParameter, value: Any) -> Any:
    if not isinstance(value, row.model):
        return value
    from sqlalchemy import inspect

    identity = inspect(value).identity
    if identity is None:
        raise ContractError(f"{operation}: {row.name!r} is a {_name(row.model)} with no primary key yet (a new "
                            "object): flush or commit it before calling, as the service loads it by its key")
    return identity[0]


def _get(operation: str, session: Any, row: RowParameter, key: Any) -> Any:
    found = session.get(row.model, key)
    if found is None:
        raise RowNotFound(f"{operation}: no {_name(row.model)} with primary key {key!r} (argument {row.name!r})",
                          _name(row.model), key)
    return found


def _mapped(hint: Any) -> bool:
    if not isinstance(hint, type):
        return False
    from sqlalchemy import inspect
    from sqlalchemy.exc import NoInspectionAvailable
    from sqlalchemy.orm import Mapper

    try:
        return isinstance(inspect(hint), Mapper)
    except NoInspectionAvailable:
        return False


def _key_type(model: type) -> Any:
    from sqlalchemy import inspect

    columns: Any = inspect(model).primary_key
    if len(columns) != 1:
        raise TypeError(f"{_name(model)} has a composite primary key: it cannot be sent as an argument yet")
    try:
        return columns[0].type.python_type
    except NotImplementedError:
        return Any


def _name(model: type) -> str:
    return f"{model.__module__}.{model.__qualname__}"
