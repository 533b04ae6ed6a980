"""An operation's contract, built from its function's signature and type hints.

The request is a pydantic model with one field per parameter (aliased to the parameter's
name, so names such as `json` or `copy` cannot clash with pydantic's own attributes);
the response is a TypeAdapter of the return annotation. The same code builds the JSON
Schemas written into `contracts/` and validates every call at run time, on both ends,
so the files and the behaviour cannot drift apart.

ORM conversions (orm.py): a SQLAlchemy session parameter has no field (the service opens its
own, and the contract's `transaction` is "own", as it is for every operation of a package
that boots Django, which runs it in a `transaction.atomic()` of its own); a parameter holding ORM models (SQLAlchemy
or Django) has a field of their keys; a result holding ORM models is typed as their
columns (and the relationships the plan lists, nested), and the caller gets read-only copies
of the same classes.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from types import ModuleType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model
from pydantic import ValidationError as PydanticValidationError

from . import orm
from .errors import ContractError
from .orm_models import is_session
from .passthrough import Check, checker, fields_checker

_VAR_POSITIONAL, _VAR_KEYWORD = inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD
_POSITIONAL_ONLY, _POSITIONAL_OR_KEYWORD = inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD
_REQUEST_CONFIG = ConfigDict(extra="forbid", arbitrary_types_allowed=True, validate_by_alias=True)


@dataclass(frozen=True)
class Contract:
    """What one operation accepts and returns."""

    name: str
    signature: inspect.Signature
    request: type[BaseModel]
    response: TypeAdapter[Any]
    sessions: frozenset[str] = frozenset()  # parameters that take the service's own session: not sent
    rows: tuple[orm.RowParameter, ...] = ()  # parameters that take ORM instances: sent as their keys
    result_rows: orm.RowResult | None = None  # a result holding ORM instances: sent as their columns
    django_atomic: bool = False  # run in a Django transaction.atomic() of its own (Django is booted here)
    response_hint: Any = Any  # what `response` validates: the return annotation, or its rows' wire form

    @cached_property
    def needs_session(self) -> bool:
        """The service opens a SQLAlchemy session for the operation (a session or SQLAlchemy rows)."""
        return bool(self.sessions) or any(row.needs_session for row in self.rows)

    @cached_property
    def transaction(self) -> str | None:
        """"own" when the service runs the operation in a unit of work of its own (a SQLAlchemy
        session it opens, or a Django transaction.atomic())."""
        return "own" if self.needs_session or self.django_atomic else None

    def dump_request(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Caller side: real arguments -> JSON-ready data, checked against the contract."""
        data = {name: value for name, value in arguments.items() if name not in self.sessions} if self.sessions \
            else arguments
        if self._plain_request is not None and self._plain_request(data):  # what pydantic would dump, as it is
            return data if type(data) is dict else dict(data)
        data = dict(data)
        for row in self.rows:
            if row.name in data:
                data[row.name] = orm.to_key(self.name, row, data[row.name])
        model = self._validate(self.request.__pydantic_validator__.validate_python, data, "request")
        return model.model_dump(mode="json", by_alias=True)

    def load_request(self, data: object) -> tuple[list[Any], dict[str, Any]]:
        """Service side: JSON data -> the positional and keyword arguments to call with."""
        if not isinstance(data, dict):
            raise ContractError(f"{self.name}: the arguments must be a JSON object, got {type(data).__name__}")
        if self._plain_request is not None and self._plain_request(data):  # what pydantic would give back, as it is
            return self._arguments(data)
        request = self._validate(self.request.__pydantic_validator__.validate_python, data, "request")
        return self.call_arguments(request)

    def call_arguments(self, request: BaseModel) -> tuple[list[Any], dict[str, Any]]:
        """A validated request model -> the positional and keyword arguments to call with.

        Public because event envelopes (SNS, EventBridge, HTTP) validate the request model
        themselves; this is the one place that knows how its fields map to parameters."""
        return self._arguments({name: getattr(request, field) for name, field, _ in self._parameters if field})

    def _arguments(self, values: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        """Each parameter's value (by its name; None for a session) -> positional and keyword arguments."""
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for name, _, kind in self._parameters:
            value: Any = values.get(name)
            if kind is _VAR_POSITIONAL:
                args.extend(value)
            elif kind is _VAR_KEYWORD:
                kwargs.update(value)
            elif kind is _POSITIONAL_ONLY:
                args.append(value)
            else:
                kwargs[name] = value
        return args, kwargs

    @cached_property
    def _parameters(self) -> tuple[tuple[str, str | None, Any], ...]:
        """(name, request field or None for a session, kind) of each parameter, read once: going
        through the signature again on every call cost half as much as validating the request.
        Before a `*args`, a parameter that may be named is passed by position (else the
        values of `*args` would land on it)."""
        parameters = self.signature.parameters.values()
        variadic = any(parameter.kind is _VAR_POSITIONAL for parameter in parameters)
        return tuple((parameter.name, None if parameter.name in self.sessions else _field(i),
                      _POSITIONAL_ONLY if variadic and parameter.kind is _POSITIONAL_OR_KEYWORD else parameter.kind)
                     for i, parameter in enumerate(parameters))

    @cached_property
    def _plain_request(self) -> Check | None:
        """Whether request data (by parameter name) holds every field in order and nothing else, each
        value plain JSON that pydantic passes through unchanged (passthrough.py); None when a
        field's values never are, or a row is converted."""
        fields = self.request.model_fields.values()
        if self.rows or any(field.metadata or field.alias is None for field in fields):
            return None
        return fields_checker([(typing.cast(str, field.alias), field.annotation) for field in fields])

    @cached_property
    def _plain_result(self) -> Check | None:
        return None if self.result_rows is not None else checker(self.response_hint)

    def bind(self, session: Any, args: list[Any], kwargs: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        """Service side, inside the operation's unit of work: its session into the session
        parameters, and each row parameter's key replaced by the row loaded in that session."""
        if session is None and not self.rows:
            return args, kwargs
        bound = self.signature.bind_partial(*args, **kwargs)
        for name in self.sessions:
            bound.arguments[name] = session
        for row in self.rows:
            if row.name in bound.arguments:
                bound.arguments[row.name] = orm.load(self.name, session, row, bound.arguments[row.name])
        return list(bound.args), dict(bound.kwargs)

    def dump_result(self, value: object) -> object:
        if self._plain_result is not None and self._plain_result(value):
            return value
        if self.result_rows is not None:
            value = self.result_rows.dump(value)
        try:
            return self.response.dump_python(value, mode="json")
        except Exception as exc:  # pydantic raises several kinds here
            raise ContractError(f"{self.name}: the result does not fit the contract: {exc}") from exc

    def load_result(self, data: object) -> object:
        if self._plain_result is not None and self._plain_result(data):
            return data
        value = self._validate(self.response.validate_python, data, "response")
        return value if self.result_rows is None else self.result_rows.load(value)

    def request_schema(self) -> dict[str, Any]:
        return self.request.model_json_schema(by_alias=True, mode="validation")

    def response_schema(self) -> dict[str, Any]:
        return self.response.json_schema(mode="serialization")

    def _validate(self, validate: Callable[[Any], Any], data: object, what: str) -> Any:
        try:
            return validate(data)
        except PydanticValidationError as exc:
            raise ContractError(f"{self.name}: the {what} does not match the contract: {_summary(exc)}") from exc


@cache
def contract_of(function: Callable[..., Any], method: bool = False, include: tuple[str, ...] = ()) -> Contract:
    """The contract of a function (cached: built once per process, on first use); of an
    instance method's function when `method`, whose first parameter (self) is not sent;
    `include`: relationships of the rows it returns that are sent along (the plan's)."""
    signature = inspect.signature(function)
    if method:
        signature = signature.replace(parameters=list(signature.parameters.values())[1:])
    hints = _type_hints(function)
    sessions = frozenset(name for name in signature.parameters if is_session(hints.get(name)))
    rows = tuple(row for row in (orm.row_parameter(name, hints.get(name)) for name in signature.parameters)
                 if row is not None)
    keys = {row.name: orm.key_hint(row) for row in rows}
    fields: dict[str, Any] = {
        _field(i): _field_spec(parameter, keys.get(name, hints.get(name, Any)))
        for i, (name, parameter) in enumerate(signature.parameters.items()) if name not in sessions
    }
    name = f"{function.__module__}.{function.__qualname__}"
    request = create_model(f"{function.__name__}_request", __config__=_REQUEST_CONFIG, **fields)
    result_rows = orm.row_result(name, hints.get("return"), include)
    response_hint = result_rows.wire if result_rows else hints.get("return", Any)
    return Contract(name, signature, request, TypeAdapter(response_hint), sessions, rows, result_rows,
                    orm.django_atomic(function), response_hint)


def _type_hints(function: Callable[..., Any]) -> dict[str, Any]:
    """The function's hints, with names imported under `if TYPE_CHECKING:` resolved too: they
    are absent at run time, so they are imported here (every module is loaded by now)."""
    try:
        return typing.get_type_hints(function)
    except NameError:
        module = sys.modules.get(function.__module__)
        if module is None:
            raise
        return typing.get_type_hints(function, localns=_type_checking_names(module))


type_hints = _type_hints  # public: instances.py checks a constructor's hints


def _type_checking_names(module: ModuleType) -> dict[str, Any]:
    names: dict[str, Any] = {}
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError, SyntaxError):
        return names
    for node in tree.body:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.body:
                names.update(_imported(statement, module.__package__ or ""))
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported(statement: ast.stmt, package: str) -> dict[str, Any]:
    """What one `import` statement would bind (names that fail to import are left out)."""
    bound: dict[str, Any] = {}
    try:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                top = importlib.import_module(alias.name)
                bound[alias.asname or alias.name.split(".")[0]] = top if alias.asname else \
                    importlib.import_module(alias.name.split(".")[0])
        elif isinstance(statement, ast.ImportFrom):
            source = importlib.import_module("." * statement.level + (statement.module or ""), package or None)
            for alias in statement.names:
                bound[alias.asname or alias.name] = getattr(source, alias.name)
    except (ImportError, AttributeError):
        pass
    return bound


def _field(index: int) -> str:
    return f"p{index}"


def _field_spec(parameter: inspect.Parameter, hint: Any) -> tuple[Any, Any]:
    if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
        return list[hint], Field(default_factory=list, alias=parameter.name)  # type: ignore[valid-type]
    if parameter.kind is inspect.Parameter.VAR_KEYWORD:
        return dict[str, hint], Field(default_factory=dict, alias=parameter.name)  # type: ignore[valid-type]
    if parameter.default is inspect.Parameter.empty:
        return hint, Field(alias=parameter.name)
    return hint, Field(default=parameter.default, alias=parameter.name)


def _summary(error: PydanticValidationError) -> str:
    problems = [f"{'.'.join(str(part) for part in item['loc']) or '(root)'}: {item['msg']}" for item in error.errors()]
    return "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
