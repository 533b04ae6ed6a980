"""What the boundary needs to know about one ORM class, SQLAlchemy's or Django's.

`describe(cls)` reads a model once: its primary key (one attribute or several), its
version attribute (SQLAlchemy's `version_id_col`; for Django, the field a model names in
`m2l_version_field = "rev"`, or else django-concurrency's `VersionField` when that package
is loaded), and its columns with their Python
types. From that the boundary sends an instance as its key (`identity`), loads it again
in the service (`fetch`), sends a result as its columns (`columns_of`) and builds the
caller's copy (`detached_copy`): an object of the same class, outside any session, whose
columns read as sent and which refuses what would need the database or change the row:

- SQLAlchemy: the instance is made by the mapper without `__init__`, its columns set as
  committed values and its identity key set (it is *detached*, as a row whose session
  closed); each relationship gets an instance-level loader that raises DetachedRowError,
  and setting an attribute raises through an attribute `set` event the class gets the
  first time one of its rows comes back.
- Django: `Model.from_db(None, ...)` with every concrete field; the related-object and
  prefetch caches raise on a lookup (so `order.customer` and `customer.orders.all()` do
  not query), and the class's `__setattr__`, `save`, `delete` and `refresh_from_db` get a
  guard (once per class) that refuses them for such copies.

Copies are told apart from the caller's own rows by identity (`id()`, forgotten when the
copy is collected), so the guards cost a dictionary lookup on the class's other instances.
Nothing here imports an ORM that the monolith's own code has not imported already.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import sys
import typing
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import ContractError
from .orm_shapes import walk

SQLALCHEMY = "sqlalchemy"
DJANGO = "django"
_NONE = type(None)
_READ_ONLY: dict[int, str] = {}  # id() of a caller's copy -> the operation that returned it
_GUARDED: set[type] = set()


class DetachedRowError(RuntimeError):
    """A row an operation returned is a read-only copy: what was tried needs the row itself."""


# The errors of loading a row by its key, here rather than in orm.py so that a caller without
# pydantic 2 (plain.py) raises them again as the same classes.
class RowNotFound(LookupError):
    """A key an operation was sent names no row (deleted, or never committed)."""

    def __init__(self, message: str, model: str = "", key: object = None) -> None:
        super().__init__(message)
        self.model = model
        self.key = key


class RowVersionConflict(RuntimeError):
    """The row changed since the caller read it: its version is not the one the caller sent."""

    def __init__(self, message: str, model: str = "", key: object = None, sent: object = None,
                 current: object = None) -> None:
        super().__init__(message)
        self.model = model
        self.key = key
        self.sent = sent
        self.current = current


@dataclass(frozen=True)
class ModelInfo:
    """One ORM class as the boundary sees it."""

    cls: type
    kind: str  # SQLALCHEMY or DJANGO
    keys: tuple[tuple[str, Any], ...]  # primary key attributes and their types
    version: tuple[str, Any] | None  # the version attribute and its type, when the model has one
    columns: tuple[tuple[str, Any], ...]  # every column attribute and its type (Optional when nullable)

    @property
    def name(self) -> str:
        return qualified(self.cls)

    def key_type(self) -> Any:
        types = [hint for _, hint in self.keys]
        return types[0] if len(types) == 1 else tuple[tuple(types)]  # type: ignore[misc]


@dataclass(frozen=True)
class Relationship:
    """One relationship of an ORM class: its attribute, the class of its rows, and whether it
    holds many rows (a list) or one (a row or None)."""

    name: str
    target: type
    many: bool


def qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


@functools.cache
def kind_of(hint: Any) -> str | None:
    """SQLALCHEMY for a mapped class, DJANGO for a concrete Django model, else None."""
    if not isinstance(hint, type):
        return None
    if "sqlalchemy.orm" in sys.modules:
        from sqlalchemy import inspect
        from sqlalchemy.orm import Mapper

        if isinstance(inspect(hint, raiseerr=False), Mapper):
            return SQLALCHEMY
    models = sys.modules.get("django.db.models")
    if models is not None and issubclass(hint, models.Model) and not hint._meta.abstract:  # type: ignore[attr-defined]
        return DJANGO
    return None


def is_model(hint: Any) -> bool:
    try:
        return kind_of(hint) is not None
    except TypeError:  # an unhashable hint (a typing construct) is no class
        return False


def is_session(hint: Any) -> bool:
    """A SQLAlchemy session type (`Session` or a subclass, Flask-SQLAlchemy's included, or a
    `scoped_session`): what the service opens itself, never sent."""
    orm = sys.modules.get("sqlalchemy.orm")
    if orm is None:
        return False
    origin = typing.get_origin(hint) or hint
    return isinstance(origin, type) and issubclass(origin, (orm.Session, orm.scoped_session))


@functools.cache
def describe(cls: type) -> ModelInfo:
    return _describe_sqlalchemy(cls) if kind_of(cls) == SQLALCHEMY else _describe_django(cls)


@functools.cache
def relationships_of(cls: type) -> dict[str, Relationship]:
    """The relationships of a model by attribute name (SQLAlchemy's, or Django's forward and reverse
    relations by the attribute the code reads: `note.book`, `book.notes`)."""
    if kind_of(cls) == SQLALCHEMY:
        from sqlalchemy import inspect

        mapper: Any = inspect(cls)
        return {prop.key: Relationship(prop.key, prop.mapper.class_, bool(prop.uselist))
                for prop in mapper.relationships}
    found = {}
    for field in cls._meta.get_fields():  # type: ignore[attr-defined]
        if not field.is_relation or field.related_model is None or isinstance(field.related_model, str):
            continue
        reverse = field.auto_created and not field.concrete  # another model's field pointing here
        name = field.get_accessor_name() if reverse else field.name
        if name:
            found[name] = Relationship(name, field.related_model, bool(field.many_to_many or field.one_to_many))
    return found


def related_rows(info: ModelInfo, instance: Any, relationship: Relationship) -> Any:
    """Service side: the rows `relationship` of `instance` holds (a list, or a row or None), loaded
    in the operation's session (SQLAlchemy) or on the service's connection (Django)."""
    if info.kind == SQLALCHEMY:
        value = getattr(instance, relationship.name)
        if not relationship.many:
            return value
        return list(value.values() if isinstance(value, dict) else value)
    if relationship.many:
        return list(getattr(instance, relationship.name).all())
    try:
        return getattr(instance, relationship.name)
    except relationship.target.DoesNotExist:  # type: ignore[attr-defined]  # a reverse one-to-one with no row
        return None


# --- caller side: what an instance is ----------------------------------------------------

def identity(info: ModelInfo, instance: Any) -> tuple[Any, Any] | None:
    """(key, version) of a saved instance; None when it has no key yet (new, not flushed)."""
    if info.kind == SQLALCHEMY:
        from sqlalchemy import inspect

        found = inspect(instance).identity
        if found is None:
            return None
        key = found[0] if len(found) == 1 else tuple(found)
    else:
        key = instance.pk
        if key is None or (isinstance(key, tuple) and None in key):
            return None
    return key, getattr(instance, info.version[0]) if info.version else None


# --- service side: load by key -----------------------------------------------------------

def wire_keys(operation: str, parameter: str, hint: Any, value: Any) -> Any:
    """Caller side: the rows in `value` (shaped as `hint`) -> their keys, with their versions where the
    model has one; anything else is left to the contract to check (a caller may pass the key itself)."""
    def leaf(cls: type, item: Any) -> Any:
        info = describe(cls)
        if not isinstance(item, cls):
            return {"key": item} if info.version and not isinstance(item, dict) else item
        found = identity(info, item)
        if found is None:
            raise ContractError(f"{operation}: {parameter!r} holds a {info.name} with no primary key yet (a new "
                                "object): save (flush or commit) it before calling, as the service loads it by "
                                "its key")
        key, version = found
        return {"key": key, "version": version} if info.version else key
    return walk(hint, value, is_model, leaf)


def fetch(info: ModelInfo, session: Any, key: Any) -> Any:
    """The row with primary key `key` (None when there is none)."""
    if info.kind == SQLALCHEMY:
        return session.get(info.cls, tuple(key) if isinstance(key, list) else key)
    manager = info.cls._default_manager  # type: ignore[attr-defined]
    try:
        return manager.get(pk=tuple(key) if isinstance(key, list) else key)
    except info.cls.DoesNotExist:  # type: ignore[attr-defined]
        return None


def columns_of(info: ModelInfo, instance: Any) -> dict[str, Any]:
    """The column values of a row the service returns, by attribute name (a Django file field's is
    the stored name, as its column holds it)."""
    values = {name: getattr(instance, name) for name, _ in info.columns}
    if info.kind == DJANGO:
        values = {name: value.name if hasattr(value, "storage") and hasattr(value, "field") else value
                  for name, value in values.items()}
    return values


# --- caller side: the read-only copy -----------------------------------------------------

def detached_copy(info: ModelInfo, values: dict[str, Any], origin: str,
                  related: dict[str, Any] | None = None) -> Any:
    """An instance of the model with `values` as its columns, detached and read-only; `origin`
    names the operation that returned it, for the errors its guards raise. `related` holds the
    relationships the service sent along (copies too: a list, or a copy or None), which the copy
    answers; its other relationships raise."""
    _guard(info)
    related = related or {}
    copy = _sqlalchemy_copy(info, values, related) if info.kind == SQLALCHEMY else _django_copy(info, values, related)
    _READ_ONLY[id(copy)] = origin
    weakref.finalize(copy, _READ_ONLY.pop, id(copy), None)
    return copy


def read_only_origin(instance: object) -> str | None:
    """The operation that returned `instance` when it is a read-only copy, else None."""
    return _READ_ONLY.get(id(instance))


def refuse(instance: object, what: str, origin: str) -> DetachedRowError:
    fix = ("list the relationship under the operation's `include:` in the plan (the service then sends it "
           "along), have the operation return what you need (a DTO, or the related rows), or load them with an "
           "operation of the service that owns them" if what.startswith("loading") else
           "call an operation of the service that owns the row to change it, or have the operation return a "
           "DTO the caller may change")
    return DetachedRowError(f"{qualified(type(instance))} returned by {origin} is read-only (a copy of the "
                            f"columns the service sent, attached to no database session): {what} is not "
                            f"possible; {fix}")


def _guard(info: ModelInfo) -> None:
    if info.cls in _GUARDED:
        return
    _GUARDED.add(info.cls)
    if info.kind == SQLALCHEMY:
        _guard_sqlalchemy(info.cls)
    else:
        _guard_django(info.cls)


# --- SQLAlchemy --------------------------------------------------------------------------

def _describe_sqlalchemy(cls: type) -> ModelInfo:
    from sqlalchemy import inspect

    mapper: Any = inspect(cls)
    annotations = _annotations(cls)
    columns = []
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        columns.append((prop.key, _nullable(annotations.get(prop.key) or _sqlalchemy_type(column),
                                            bool(getattr(column, "nullable", False)))))
    types = dict(columns)
    keys = tuple((mapper.get_property_by_column(column).key, types.get(mapper.get_property_by_column(column).key, Any))
                 for column in mapper.primary_key)
    version = None
    if mapper.version_id_col is not None:
        name = mapper.get_property_by_column(mapper.version_id_col).key
        version = (name, _strip_none(types.get(name, Any)))
    return ModelInfo(cls, SQLALCHEMY, tuple((name, _strip_none(hint)) for name, hint in keys), version,
                     tuple(columns))


def _annotations(cls: type) -> dict[str, Any]:
    """`Mapped[X]` annotations of the class and its bases, as X (more precise than a column's
    type, which for a TypeDecorator names what is stored, not what the code sees)."""
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        try:
            hints = typing.get_type_hints(klass)
        except Exception:  # an annotation that does not resolve at run time: the column's type is used
            continue
        for name, hint in hints.items():
            if getattr(typing.get_origin(hint), "__name__", "") == "Mapped":
                found[name] = typing.get_args(hint)[0]
    return found


def _sqlalchemy_type(column: Any) -> Any:
    from sqlalchemy.types import TypeDecorator

    if isinstance(column.type, TypeDecorator):
        return Any  # its python_type is the stored type's (a Decimal kept as cents says int)
    try:
        return column.type.python_type
    except (NotImplementedError, AttributeError):
        return Any


def _sqlalchemy_copy(info: ModelInfo, values: dict[str, Any], related: dict[str, Any]) -> Any:
    from sqlalchemy import inspect
    from sqlalchemy.orm import make_transient_to_detached
    from sqlalchemy.orm.attributes import set_committed_value

    mapper: Any = inspect(info.cls)
    instance = mapper.class_manager.new_instance()
    for name, value in values.items():
        set_committed_value(instance, name, value)
    for name, rows in related.items():
        set_committed_value(instance, name, rows)
    make_transient_to_detached(instance)
    state: Any = inspect(instance)
    state.callables = {prop.key: _SqlalchemyRefusal(prop.key) for prop in mapper.relationships
                       if prop.key not in related}
    return instance


class _SqlalchemyRefusal:
    """An instance-level loader for one relationship of a copy: refuses the lazy load."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, state: Any, passive: Any) -> Any:
        from sqlalchemy.orm.base import LoaderCallableStatus, PassiveFlag

        if not passive & PassiveFlag.SQL_OK:  # a backref or a flush asking without loading: nothing here
            return LoaderCallableStatus.PASSIVE_NO_RESULT
        instance = state.obj()
        raise refuse(instance, f"loading the relationship {self.key!r}", read_only_origin(instance) or "a service")


def _guard_sqlalchemy(cls: type) -> None:
    from sqlalchemy import event, inspect

    mapper: Any = inspect(cls)
    for prop in mapper.attrs:
        event.listen(getattr(cls, prop.key), "set", functools.partial(_refuse_set, prop.key))
    for prop in mapper.relationships:
        if prop.uselist:  # a list the service sent along: no rows added to it or taken from it
            event.listen(getattr(cls, prop.key), "append", functools.partial(_refuse_change, prop.key, "adding to"))
            event.listen(getattr(cls, prop.key), "remove",
                         functools.partial(_refuse_change, prop.key, "removing from"))


def _refuse_set(key: str, target: object, value: object, old: object, initiator: object) -> None:
    origin = _READ_ONLY.get(id(target))
    if origin is not None:
        raise refuse(target, f"setting {key!r}", origin)


def _refuse_change(key: str, what: str, target: object, value: object, initiator: object) -> None:
    origin = _READ_ONLY.get(id(target))
    if origin is not None:
        raise refuse(target, f"{what} {key!r}", origin)


# --- Django ------------------------------------------------------------------------------

_DJANGO_TYPES: dict[str, Any] = {
    **dict.fromkeys(("AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
                     "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
                     "PositiveSmallIntegerField"), int),
    **dict.fromkeys(("CharField", "TextField", "SlugField", "EmailField", "URLField", "FilePathField",
                     "GenericIPAddressField", "IPAddressField", "FileField", "ImageField"), str),
    "BooleanField": bool, "NullBooleanField": bool, "FloatField": float, "DecimalField": decimal.Decimal,
    "DateTimeField": datetime.datetime, "DateField": datetime.date, "TimeField": datetime.time,
    "DurationField": datetime.timedelta, "UUIDField": uuid.UUID, "BinaryField": bytes, "JSONField": Any,
}


def _describe_django(cls: type) -> ModelInfo:
    meta: Any = cls._meta  # type: ignore[attr-defined]
    columns = tuple((field.attname, _nullable(_django_type(field), bool(field.null))) for field in meta.concrete_fields)
    pk = meta.pk
    key_fields = [meta.get_field(name) for name in pk.field_names] if hasattr(pk, "field_names") else [pk]
    keys = tuple((field.attname, _django_type(field)) for field in key_fields)
    return ModelInfo(cls, DJANGO, keys, _django_version(cls, meta), columns)


VERSION_ATTRIBUTE = "m2l_version_field"  # a Django model's own declaration of its version field


def _django_version(cls: type, meta: Any) -> tuple[str, Any] | None:
    """The version field of a Django model: the one it names in `m2l_version_field`, else a
    django-concurrency `VersionField` (only when the model's module loaded that package)."""
    named = getattr(cls, VERSION_ATTRIBUTE, None)
    if named is not None:
        fields = {field.name: field for field in meta.concrete_fields}
        if named not in fields:
            raise TypeError(f"{qualified(cls)}.{VERSION_ATTRIBUTE} names {named!r}, which is not one of its "
                            f"concrete fields ({', '.join(sorted(fields))})")
        return fields[named].attname, _django_type(fields[named])
    concurrency = sys.modules.get("concurrency.fields")
    version_field = getattr(concurrency, "VersionField", None)
    for field in meta.concrete_fields if isinstance(version_field, type) else ():
        if isinstance(field, version_field):  # type: ignore[arg-type]
            return field.attname, int
    return None


def _django_type(field: Any) -> Any:
    target = getattr(field, "target_field", None) if field.is_relation else None
    if target is not None:  # a foreign key's column holds the key of the row it points to
        return _django_type(target)
    return _DJANGO_TYPES.get(field.get_internal_type(), Any)


def _django_copy(info: ModelInfo, values: dict[str, Any], related: dict[str, Any]) -> Any:
    meta: Any = info.cls._meta  # type: ignore[attr-defined]
    instance = info.cls.from_db(None, [f.attname for f in meta.concrete_fields],  # type: ignore[attr-defined]
                                [values.get(f.attname) for f in meta.concrete_fields])
    fields = _RefusingCache(instance, "loading the related object {key!r}")
    prefetched = _RefusingCache(instance, "loading the related rows {key!r}")
    for name, rows in related.items():
        relationship = relationships_of(info.cls)[name]
        if relationship.many:
            key, queryset = _prefetch_slot(instance, getattr(instance, name))
            queryset._result_cache = list(rows)  # as prefetch_related leaves it: read without a query
            queryset._prefetch_done = True
            dict.__setitem__(prefetched, key, queryset)
        else:
            dict.__setitem__(fields, _cache_name(meta, name), rows)
    instance._state.fields_cache = fields
    instance.__dict__["_prefetched_objects_cache"] = prefetched
    return instance


def _cache_name(meta: Any, name: str) -> str:
    """The key of a to-one relationship in a Django instance's related-object cache."""
    field = next((f for f in meta.get_fields() if getattr(f, "name", None) == name
                  or (f.auto_created and not f.concrete and f.get_accessor_name() == name)), None)
    if field is None:
        return name
    cache = getattr(field, "cache_name", None) or field.get_cache_name()
    return str(cache)


def _prefetch_slot(instance: Any, manager: Any) -> tuple[str, Any]:
    """The key a related manager looks its rows up under in the prefetch cache, asked of the manager
    itself (Django names it differently for reverse foreign keys and both sides of many-to-many),
    and the lazy queryset it builds when they are not there (no query is run)."""
    probe = _KeyProbe()
    instance.__dict__["_prefetched_objects_cache"] = probe
    try:
        queryset = manager.get_queryset()
    finally:
        del instance.__dict__["_prefetched_objects_cache"]
    return probe.asked, queryset


class _KeyProbe(dict):  # type: ignore[type-arg]
    asked = ""

    def __getitem__(self, key: str) -> Any:
        self.asked = key
        raise KeyError(key)


class _RefusingCache(dict):  # type: ignore[type-arg]
    """A copy's related-object cache: every lookup is a load the copy cannot make."""

    def __init__(self, instance: Any, what: str) -> None:
        super().__init__()
        self.instance = weakref.ref(instance)
        self.what = what

    def __getitem__(self, key: str) -> Any:
        if dict.__contains__(self, key):  # a relationship the service sent along
            return dict.__getitem__(self, key)
        instance = self.instance()
        raise refuse(instance, self.what.format(key=key), read_only_origin(instance) or "a service")

    def __setitem__(self, key: str, value: Any) -> None:
        instance = self.instance()
        raise refuse(instance, f"setting the related object {key!r}", read_only_origin(instance) or "a service")


def _guard_django(cls: type) -> None:
    setattr_: Callable[..., None] = cls.__setattr__  # the class's own (object's, unless it has one)
    delattr_: Callable[..., None] = cls.__delattr__

    def __setattr__(self: Any, name: str, value: Any) -> None:
        origin = _READ_ONLY.get(id(self))
        if origin is not None:
            raise refuse(self, f"setting {name!r}", origin)
        setattr_(self, name, value)

    def __delattr__(self: Any, name: str) -> None:
        origin = _READ_ONLY.get(id(self))
        if origin is not None:
            raise refuse(self, f"deleting {name!r}", origin)
        delattr_(self, name)

    cls.__setattr__ = __setattr__  # type: ignore[method-assign,assignment]
    cls.__delattr__ = __delattr__  # type: ignore[method-assign,assignment]
    for method, what in (("save", "saving it"), ("delete", "deleting it"),
                         ("refresh_from_db", "refreshing it from the database")):
        setattr(cls, method, _refusing_method(getattr(cls, method), what))


def _refusing_method(method: Callable[..., Any], what: str) -> Callable[..., Any]:
    @functools.wraps(method)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        origin = _READ_ONLY.get(id(self))
        if origin is not None:
            raise refuse(self, what, origin)
        return method(self, *args, **kwargs)
    return guarded


# --- types -------------------------------------------------------------------------------

def _nullable(hint: Any, nullable: bool) -> Any:
    if not nullable or hint is Any or _NONE in typing.get_args(hint):
        return hint
    return hint | None


def _strip_none(hint: Any) -> Any:
    args = [arg for arg in typing.get_args(hint) if arg is not _NONE]
    if _NONE in typing.get_args(hint) and len(args) == 1:
        return args[0]
    return hint
