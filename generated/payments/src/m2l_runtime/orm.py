"""ORM sessions, rows and results across the wire (SQLAlchemy and Django).

Sessions. A parameter typed as a SQLAlchemy session (`sqlalchemy.orm.Session` or a
subclass, such as Flask-SQLAlchemy's, or a `scoped_session`) is left out of its request:
the caller's session cannot cross a wire. The handler opens its own unit of work instead,
from the session factory the package boots with (`{"sqlalchemy_session":
"pkg.db:session_scope"}`, the plan's `framework: {sqlalchemy_session: ...}`), passes that
session, commits when the operation returns and rolls back when it raises. The factory is
called without arguments and gives either a Session or a context manager that yields one
(and then commits and rolls back itself, as a `session_scope()` helper does); the attribute
may be dotted, and a `scoped_session` (Flask-SQLAlchemy's `"pkg.ext:db.session"`) is
removed after each operation, as Flask-SQLAlchemy removes it after each request. Django has
no session to pass: in a package that boots Django (`configure_django`), each operation
runs in its own `transaction.atomic()` on the service's connection, as Django's
ATOMIC_REQUESTS runs a view, unless the function is marked with Django's own opt-out,
`@transaction.non_atomic_requests`.

Rows as arguments. A parameter whose hint holds a model (the model, Optional of it, a
list, tuple or set of them, dict values; orm_shapes.py) is sent as each instance's
primary key (a list for a composite key), with the version too when the model has a
version column (`{"key": ..., "version": ...}`); the handler loads each row in the
operation's session (SQLAlchemy `session.get`, Django `_default_manager.get(pk=...)`). A
key with no row answers RowNotFound, a row whose version moved on RowVersionConflict.

Rows as results. A result whose hint holds a model is sent as the rows' columns (a
pydantic model per class, in the contract's response schema), and the caller gets
detached, read-only objects of the same class (orm_models.detached_copy). The relationships
the plan lists for the operation (`include: [items]`) are loaded by the handler while its
session is open and sent along, nested (a to-many as a list of rows, a to-one as a row or
null, each with its columns only); the caller's copy answers them with read-only copies too.

Nothing here imports SQLAlchemy or Django unless the operation's own types already did.
"""

from __future__ import annotations

import functools
import importlib
import typing
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic import ValidationError as PydanticValidationError

from . import orm_models
from .errors import ContractError
from .orm_models import (
    SQLALCHEMY,
    DetachedRowError,
    ModelInfo,
    Relationship,
    RowNotFound,
    RowVersionConflict,
    describe,
    is_model,
    relationships_of,
)
from .orm_shapes import Unsupported, contains, models_in, rewrite, walk

__all__ = ["DetachedRowError", "RowNotFound", "RowVersionConflict", "Unsupported"]

_FACTORY: list[str] = []  # "module:attribute", set by bootstrap.boot from the package's BOOT
_DJANGO: list[bool] = []  # [True] once bootstrap.boot has started Django in this process


@dataclass(frozen=True)
class RowParameter:
    """A parameter whose hint holds ORM models: sent as their keys."""

    name: str
    hint: Any

    @property
    def models(self) -> tuple[ModelInfo, ...]:
        return tuple(describe(cls) for cls in models_in(self.hint, is_model))

    @property
    def needs_session(self) -> bool:
        return any(info.kind == SQLALCHEMY for info in self.models)


def configure(target: str | None) -> None:
    """The session factory a package's handler opens its units of work with."""
    _FACTORY[:] = [target] if target else []


def configure_django() -> None:
    """Django is booted in this process: its operations run in a transaction of their own."""
    _DJANGO[:] = [True]


def django_atomic(function: Any) -> bool:
    """Whether `function` runs in a `transaction.atomic()` of its own: Django is booted here and
    the function does not opt out with `@transaction.non_atomic_requests`."""
    return bool(_DJANGO) and not getattr(function, "_non_atomic_requests", None)


def has_rows(hint: Any) -> bool:
    return hint is not None and contains(hint, is_model)


def row_parameter(name: str, hint: Any) -> RowParameter | None:
    """`name` as a RowParameter when its hint holds ORM models (Unsupported for a shape not converted)."""
    if not has_rows(hint):
        return None
    key_hint(RowParameter(name, hint))  # refuses what cannot be converted, and a key type that cannot be sent
    return RowParameter(name, hint)


def key_hint(row: RowParameter) -> Any:
    """The request field's type for a row parameter: each model replaced by its key (or key and version)."""
    return rewrite(row.hint, is_model, _wire_key)


def to_key(operation: str, row: RowParameter, value: Any) -> Any:
    """Caller side: instances -> their keys (orm_models.wire_keys)."""
    return orm_models.wire_keys(operation, row.name, row.hint, value)


def load(operation: str, session: Any, row: RowParameter, value: Any) -> Any:
    """Service side: keys -> rows, loaded in the operation's own session."""
    def leaf(cls: type, item: Any) -> Any:
        info = describe(cls)
        sent = item.model_dump() if isinstance(item, BaseModel) else {"key": item}  # a versioned model's key
        key, version = sent["key"], sent.get("version")  # comes with the version the caller read
        found = orm_models.fetch(info, session, key)
        if found is None:
            raise RowNotFound(f"{operation}: no {info.name} with primary key {key!r} (argument {row.name!r})",
                              info.name, key)
        if info.version and version is not None and getattr(found, info.version[0]) != version:
            current = getattr(found, info.version[0])
            raise RowVersionConflict(
                f"{operation}: the {info.name} with primary key {key!r} (argument {row.name!r}) changed since it "
                f"was read: its {info.version[0]} is {current!r}, the caller sent {version!r}; read it again and "
                "retry", info.name, key, version, current)
        return found
    return walk(row.hint, value, is_model, leaf, rebuild_sets=True)


@dataclass(frozen=True)
class RowResult:
    """A result whose hint holds ORM models: sent as their columns (and the relationships in
    `include`), received as read-only copies."""

    operation: str
    hint: Any
    include: tuple[str, ...] = ()

    def included(self, cls: type) -> tuple[str, ...]:
        """The listed relationships that `cls` has (a result may hold several models)."""
        return tuple(name for name in self.include if name in relationships_of(cls))

    @property
    def wire(self) -> Any:
        return rewrite(self.hint, is_model, lambda cls: row_model(cls, self.included(cls)))

    def dump(self, value: Any) -> Any:
        """Service side: rows -> their column models (sets as lists), with the included relationships."""
        def leaf(cls: type, item: Any) -> Any:
            return _columns_model(self.operation, cls, item, self.included(cls)) if isinstance(item, cls) else item
        return walk(self.hint, value, is_model, leaf)

    def load(self, value: Any) -> Any:
        """Caller side: column models -> detached, read-only instances of the same classes."""
        def leaf(cls: type, item: Any) -> Any:
            return _copy(self.operation, cls, item, self.included(cls)) if isinstance(item, BaseModel) else item
        return walk(self.hint, value, is_model, leaf, rebuild_sets=True)


def row_result(operation: str, hint: Any, include: tuple[str, ...] = ()) -> RowResult | None:
    if not has_rows(hint):
        if include:
            raise ContractError(f"{operation}: the plan lists relationships to send along (`include: "
                                f"[{', '.join(include)}]`) but its result holds no ORM rows")
        return None
    result = RowResult(operation, hint, include)
    _ = result.wire  # refuses what cannot be converted
    models = models_in(hint, is_model)
    for name in include:
        if not any(name in relationships_of(cls) for cls in models):
            known = sorted({rel for cls in models for rel in relationships_of(cls)})
            raise ContractError(f"{operation}: `include` lists {name!r}, which is no relationship of "
                                f"{', '.join(describe(cls).name for cls in models)} (relationships: "
                                f"{', '.join(known) or 'none'})")
    return result


def row_model(cls: type, include: tuple[str, ...] = ()) -> type[BaseModel]:
    """The pydantic model of a class's columns (and of the relationships in `include`, their rows'
    columns nested): what a returned row is on the wire."""
    return _row_model(cls, tuple(include))


@functools.cache  # one model per class and include, however the caller spelt the arguments
def _row_model(cls: type, include: tuple[str, ...]) -> type[BaseModel]:
    info = describe(cls)
    fields: dict[str, Any] = {_column_field(i): (hint, Field(alias=name))
                              for i, (name, hint) in enumerate(info.columns)}
    for i, name in enumerate(include):
        relationship = relationships_of(cls)[name]
        nested = row_model(relationship.target)
        fields[_related_field(i)] = (list[nested] if relationship.many  # type: ignore[valid-type]
                                     else typing.Optional[nested], Field(alias=name))  # noqa: UP045
    with_text = f", with its {', '.join(include)}" if include else ""
    config = ConfigDict(extra="ignore", serialize_by_alias=True, validate_by_alias=True, title=cls.__name__)
    model: type[BaseModel] = create_model(cls.__name__, __config__=config, __module__=cls.__module__,
                                          __doc__=f"The columns of a {info.name} row{with_text} (the caller gets "
                                                  "a detached, read-only copy).", **fields)
    return model


def unit_of_work(operation: str, needed: bool, django: bool = False) -> Any:
    """The operation's own unit of work: a SQLAlchemy session when `needed` (given to the
    operation), a Django `transaction.atomic()` when `django`; each commits when the block
    ends and rolls back when it raises. Nothing to open: None."""
    if not django:
        return _scope(operation) if needed else nullcontext(None)
    return _django_scope(operation, needed)


@contextmanager
def _django_scope(operation: str, needed: bool) -> Iterator[Any]:
    from django.db import transaction

    with transaction.atomic(), unit_of_work(operation, needed) as session:
        yield session


@contextmanager
def _scope(operation: str) -> Iterator[Any]:
    if not _FACTORY:
        raise ContractError(f"{operation} takes a database session or rows, but this package names no session "
                            "factory: set `framework: {sqlalchemy_session: \"pkg.db:session_scope\"}` in the plan "
                            "and extract again")
    module_name, _, attribute = _FACTORY[0].partition(":")
    factory: Any = importlib.import_module(module_name)
    for part in (attribute or "Session").split("."):  # `ext:db.session`: Flask-SQLAlchemy's scoped session
        factory = getattr(factory, part)
    made = factory()
    from sqlalchemy.orm import Session, scoped_session

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
        if isinstance(factory, scoped_session):  # the next operation gets a new one, as after a request
            factory.remove()


@functools.cache
def _wire_key(cls: type) -> Any:
    info = describe(cls)
    if not info.version:
        return info.key_type()
    config = ConfigDict(frozen=True, extra="forbid", title=f"{cls.__name__}Key")
    return create_model(f"{cls.__name__}Key", __config__=config, __module__=cls.__module__,
                        __doc__=f"A {info.name} row: its primary key, and the version the caller read (checked "
                                "when the service loads it).",
                        key=(info.key_type(), ...), version=(typing.Optional[info.version[1]], None))  # noqa: UP045


def _columns_model(operation: str, cls: type, instance: Any, include: tuple[str, ...] = ()) -> BaseModel:
    info = describe(cls)
    if info.kind == SQLALCHEMY:
        _flush_pending(instance)
    try:
        values: dict[str, Any] = orm_models.columns_of(info, instance)
        for name in include:
            values[name] = _related(operation, info, instance, relationships_of(cls)[name])
        return row_model(cls, include).model_validate(values)
    except ContractError:  # a related row's, already saying which
        raise
    except PydanticValidationError as exc:
        raise ContractError(f"{operation}: the {info.name} it returns does not fit its columns' types: "
                            f"{exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from exc
    except Exception as exc:  # an expired column of a row whose session is gone, for one
        raise ContractError(f"{operation}: could not read the columns of the {info.name} it returns: "
                            f"{type(exc).__name__}: {exc}") from exc


def _related(operation: str, info: ModelInfo, instance: Any, relationship: Relationship) -> Any:
    """The column models of the rows a relationship holds: a list, or one model or None."""
    rows = orm_models.related_rows(info, instance, relationship)
    if relationship.many:
        return [_columns_model(operation, relationship.target, row) for row in rows]
    return None if rows is None else _columns_model(operation, relationship.target, rows)


def _copy(operation: str, cls: type, item: BaseModel, include: tuple[str, ...]) -> Any:
    """Caller side: one row's model -> its read-only copy, with the relationships sent along."""
    info = describe(cls)
    values = {name: getattr(item, _column_field(i)) for i, (name, _) in enumerate(info.columns)}
    related: dict[str, Any] = {}
    for i, name in enumerate(include):
        relationship = relationships_of(cls)[name]
        sent = getattr(item, _related_field(i))
        if relationship.many:
            related[name] = [_copy(operation, relationship.target, row, ()) for row in sent]
        else:
            related[name] = None if sent is None else _copy(operation, relationship.target, sent, ())
    return orm_models.detached_copy(info, values, operation, related)


def _flush_pending(instance: Any) -> None:
    """A row added or changed in the operation's session gets its key and defaults before it is read."""
    from sqlalchemy import inspect

    state: Any = inspect(instance)
    if state.session is not None and (state.pending or state.modified):
        state.session.flush()


def _column_field(index: int) -> str:
    return f"c{index}"


def _related_field(index: int) -> str:
    return f"r{index}"
