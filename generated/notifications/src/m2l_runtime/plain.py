"""The caller's side of a contract without pydantic 2: plain JSON, checked by the service.

A monolith pinned to another pydantic (CTFd pins 1.x, whose API its own code uses) cannot
load `contract.py` in its process, and installing pydantic 2 there would change the app.
Its proxies then send their arguments as plain JSON and read the answer back by the
return annotation's simple types; the service, which carries pydantic 2, still validates
the request against the contract and answers a ContractError for one that does not fit.

What changes: arguments are not checked before they leave (a bad one fails in the service,
with the same ContractError); a result is rebuilt only for the simple types below (else it
stays the JSON value: a dataclass comes back as a dict); ORM rows and sessions are not
converted (an operation that takes them needs pydantic 2 in the monolith).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import inspect
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import cache
from typing import Any

SIMPLE: dict[Any, Callable[[Any], Any]] = {
    Decimal: Decimal, uuid.UUID: uuid.UUID, datetime.datetime: datetime.datetime.fromisoformat,
    datetime.date: datetime.date.fromisoformat, datetime.time: datetime.time.fromisoformat,
}


@dataclasses.dataclass(frozen=True)
class PlainContract:
    name: str
    returns: Any = Any
    transaction: str | None = None

    def dump_request(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        return {name: jsonable(value) for name, value in arguments.items()}

    def load_result(self, data: object) -> object:
        return load(self.returns, data)


@cache
def plain_contract_of(function: Callable[..., Any], method: bool = False) -> PlainContract:
    """`method`: the function of an instance method (its self is not an argument here either)."""
    try:
        returns = typing.get_type_hints(function).get("return", Any)
    except Exception:  # a hint that does not resolve here: the answer stays JSON
        returns = inspect.signature(function).return_annotation
    return PlainContract(f"{function.__module__}.{function.__qualname__}", returns)


def jsonable(value: object) -> Any:
    """What pydantic's JSON mode would send for the common value types."""
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: jsonable(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(item) for item in value]
    return value  # json.dumps says what it cannot send


def load(hint: Any, data: object) -> object:
    """`data` as `hint` where that is a simple type (or a list or Optional of one); else as it is."""
    if data is None:
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        kinds = [arg for arg in args if arg is not type(None)]
        return load(kinds[0], data) if len(kinds) == 1 else data
    if origin in (list, tuple, set, frozenset) and isinstance(data, list):
        items = [load(args[0], item) for item in data] if args else data
        return origin(items) if origin is not list else items
    if hint in SIMPLE and isinstance(data, str):
        return SIMPLE[hint](data)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(data)
    return data
