"""Operations that are a class's methods: finding them, and sending the object they run on.

An operation's name in its module is `function` or `Class.method`. A staticmethod is called
as `Class.method(...)` and a classmethod on its class, as they are. An instance method runs on
an object the service rebuilds, for each call, from the constructor arguments of the caller's
object: the proxy class (its `__init__` wrapped by `record`) keeps the arguments each instance
was made with (a dataclass's fields are read as they are at the call), they travel in the
event's `instance` part, checked against a contract of `__init__`'s parameters, and the
handler calls `Class(**arguments).method(...)`. What the method changes on that object stays
in the service: the caller's object is not updated.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import inspect
import sys
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from pydantic import TypeAdapter

from .contract import Contract, contract_of, type_hints
from .errors import ContractError

INIT_ARGUMENTS = "_m2l_init_arguments"  # where a proxy instance keeps its constructor arguments
T = TypeVar("T", bound=type)


def resolve(module: str, name: str) -> tuple[Callable[..., Any], type | None]:
    """The code `name` (`function` or `Class.method`) is in `module`, and, for an instance
    method, the class whose objects it runs on (None for a function, staticmethod or classmethod,
    whose code is returned ready to call: a classmethod bound to its class)."""
    holder: Any = sys.modules.get(module) or importlib.import_module(module)  # imported after the first call
    *owners, attribute = name.split(".")
    for owner in owners:
        holder = getattr(holder, owner)
    code = getattr(holder, attribute)
    if owners and isinstance(holder, type) and inspect.isfunction(inspect.getattr_static(holder, attribute)):
        return code, holder
    return code, None


def _no_arguments(self: object) -> None:
    """The constructor of a class that defines none (`object.__init__`): nothing to send."""


@cache
def init_contract(cls: type) -> Contract:
    """What the constructor accepts: the contract of the instance part of an event."""
    init = cls.__init__  # type: ignore[misc]
    return contract_of(_no_arguments if init is object.__init__ else init, method=True)


def unrebuildable(cls: type) -> str | None:
    """Why the service could not rebuild objects of `cls` from their constructor arguments, or None."""
    if inspect.isabstract(cls):
        return f"{cls.__qualname__} is abstract"
    init = cls.__init__  # type: ignore[misc]
    if init is object.__init__:
        return None
    parameters = list(inspect.signature(init).parameters.values())[1:]
    spread = [p.name for p in parameters if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if spread:
        return f"its __init__ takes *{spread[0]}, which says nothing of what it needs"
    hints = type_hints(init)
    missing = [p.name for p in parameters if p.name not in hints]
    if missing:
        return f"its __init__ parameter(s) {', '.join(repr(n) for n in missing)} have no type hint"
    for parameter in parameters:
        hint = hints[parameter.name]
        try:
            TypeAdapter(hint).json_schema()
        except Exception:  # pydantic raises several kinds for a type it cannot describe
            return (f"its __init__ parameter {parameter.name!r} is a {getattr(hint, '__qualname__', hint)}, which "
                    "cannot cross a wire")
    try:
        init_contract(cls).request_schema()
    except Exception as exc:
        return f"its __init__ parameters cannot cross a wire: {type(exc).__name__}: {exc}".splitlines()[0]
    return None


def instance_schema(cls: type) -> dict[str, Any]:
    schema = init_contract(cls).request_schema()
    schema["title"] = cls.__qualname__
    schema["description"] = (f"the constructor arguments of the {cls.__qualname__} the method runs on: the service "
                             "rebuilds it from them for each call")
    return schema


def dump(instance: object, operation: str) -> dict[str, Any]:
    """Caller side: the constructor arguments of `instance`, JSON-ready and checked."""
    cls: type = type(instance)
    arguments = dict(getattr(instance, INIT_ARGUMENTS, None) or {})
    if dataclasses.is_dataclass(instance):  # its fields as they are now
        arguments.update({f.name: getattr(instance, f.name) for f in dataclasses.fields(instance) if f.init})
    try:
        return init_contract(cls).dump_request(arguments)
    except ContractError as exc:
        raise ContractError(f"{operation}: the {cls.__qualname__} it is called on cannot be sent: {exc}") from None


def rebuilder(cls: type, data: object, operation: str) -> Callable[[], object]:
    """Service side: the event's instance part, checked now, and a call that builds the object."""
    try:
        args, kwargs = init_contract(cls).load_request({} if data is None else data)
    except ContractError as exc:
        raise ContractError(f"{operation}: the instance part does not fit {cls.__qualname__}: {exc}") from None
    return lambda: cls(*args, **kwargs)


def record(cls: T) -> T:
    """The proxy class's decorator: each instance keeps the arguments it was constructed with
    (after defaults), which `dump` sends along with every call of an instance method."""
    init = cls.__init__  # type: ignore[misc]
    if init is object.__init__ or getattr(init, "_m2l_records", False):
        return cls
    signature = inspect.signature(init)

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        arguments = dict(list(bound.arguments.items())[1:])
        with contextlib.suppress(AttributeError):  # __slots__ without room: only a dataclass's fields can be sent
            object.__setattr__(self, INIT_ARGUMENTS, arguments)
        init(self, *args, **kwargs)

    __init__._m2l_records = True  # type: ignore[attr-defined]
    cls.__init__ = __init__  # type: ignore[misc]
    return cls
