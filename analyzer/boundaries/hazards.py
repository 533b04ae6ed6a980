"""Extraction hazards: what would break if a piece of code moved behind a wire.

A `Finding` is the value every check returns (kind, severity, `file:line`, subject,
service, message, fix hint); reporters print them. This module holds the checks that
read one function's signature; the checks that need a placement (shared state, tables
with two writers, transactions across services) live in `metrics`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .wire_shapes import CONVERTED, UNSUPPORTED, orm_shape

ERROR = "error"
WARNING = "warning"
SEVERITY_RANK = {ERROR: 0, WARNING: 1}

WIRE_UNSAFE_TYPE = "wire-unsafe-type"
MISSING_TYPE_HINTS = "missing-type-hints"
INSTANCE_METHOD_ACROSS = "instance-method-across"
SHARED_MODULE_STATE = "shared-module-state"
TABLE_MULTIPLE_WRITERS = "table-multiple-writers"
CROSS_SERVICE_TRANSACTION = "cross-service-transaction"
ARGUMENT_MUTATION = "argument-mutation"
WIRE_UNSAFE_ARGUMENT = "wire-unsafe-argument"
RETURNED_ROW_MUTATION = "returned-row-mutation"
RETURNED_ROW_RELATIONSHIP = "returned-row-relationship"
# A SQLAlchemy session or an ORM instance that extract converts (not a blocker): a session
# parameter is not sent (the service opens its own), rows are sent as their keys as
# parameters and as their columns as results (the caller gets a read-only copy).
ORM_CONVERTED = "orm-converted"
# Hazards the design asks for but the graph holds no fact for yet (see docs/metrics.md).
NOT_DETECTED: tuple[str, ...] = ()

# Names in an annotation that denote something that cannot be serialised into an event:
# name -> (what it is, how to fix it).
_SESSION = ("a database session or connection",
            "open the session inside the service and pass ids or plain values instead")
_FILE = ("an open file", "pass the content (str or bytes) or an S3 key instead of an open file")
_CALLABLE = ("a callable", "replace the callback with a named operation the service calls, or an event")
_LAZY = ("a generator or iterator", "return a list (paginate large results) instead of a lazy iterator")
_SYNC = ("a lock or thread", "coordinate through a shared store (a conditional write, a queue) "
         "instead of an in-process lock or thread")
WIRE_UNSAFE_NAMES: Mapping[str, tuple[str, str]] = {
    **dict.fromkeys(("Session", "AsyncSession", "scoped_session", "Connection", "AsyncConnection",
                     "Engine", "AsyncEngine", "Cursor"), _SESSION),
    **dict.fromkeys(("IO", "TextIO", "BinaryIO", "BufferedReader", "BufferedWriter", "TextIOWrapper",
                     "FileIO"), _FILE),
    **dict.fromkeys(("Callable", "Awaitable", "Coroutine"), _CALLABLE),
    **dict.fromkeys(("Generator", "AsyncGenerator", "Iterator", "AsyncIterator"), _LAZY),
    **dict.fromkeys(("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Thread", "Condition"), _SYNC),
}
_CONVERTED_SESSIONS = frozenset({"Session", "scoped_session"})  # sync sessions only (m2l_runtime/orm.py)
_ROW_SHAPES_HINT = ("type it as the model itself, `X | None`, a list, tuple or set of X, or a dict of X values, which "
                    "extract converts (sent as keys as a parameter, as columns as a result), or pass ids or a DTO "
                    "(a dataclass or pydantic model)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, order=True)
class Finding:
    """One hazard. `location` is `file:line` relative to the analyzed root ('' when unknown)."""

    kind: str
    severity: str
    location: str
    subject: str
    service: str
    message: str
    hint: str

    def sort_key(self) -> tuple[int, str, str, str, str, str]:
        return (SEVERITY_RANK.get(self.severity, 9), self.kind, self.subject, self.location,
                self.service, self.message)

    def to_json(self) -> dict[str, str]:
        return {"hint": self.hint, "kind": self.kind, "location": self.location, "message": self.message,
                "service": self.service, "severity": self.severity, "subject": self.subject}


@dataclass(frozen=True)
class Problem:
    """A finding before it is placed: what is wrong with one function, whatever its service."""

    kind: str
    severity: str
    message: str
    hint: str
    needs_session: bool = False  # an ORM conversion that needs the package's SQLAlchemy session factory

    def found(self, location: str, subject: str, service: str) -> Finding:
        return Finding(self.kind, self.severity, location, subject, service, self.message, self.hint)


def signature_problems(function: str, attrs: Mapping[str, Any], models: Mapping[str, str],
                       django: frozenset[str] = frozenset()) -> tuple[Problem, ...]:
    """What stops `function` from being called through a JSON contract.

    `models` maps the short name of each ORM model class the signature names (from its
    `uses_type` edges) to the class id, and `django` holds the ids of those that are Django
    models (the rest are SQLAlchemy's): in the shapes extract converts (wire_shapes.py) they
    are `orm-converted` warnings, anywhere else blocking."""
    problems = [*_unsafe_types(attrs, models, django), *_missing_hints(attrs)]
    if attrs.get("mutates"):
        names = ", ".join(repr(n) for n in attrs["mutates"])
        problems.append(Problem(
            ARGUMENT_MUTATION, WARNING,
            f"{function} changes what the caller passed in ({names}): in the monolith the caller sees "
            "the change, across a wire it would not",
            "return the changed value (or the new state) and let the caller use it, or change it "
            "inside the service and return only the result"))
    if attrs.get("kind") == "method" and attrs.get("method_kind") == "instance":
        problems.append(Problem(
            INSTANCE_METHOD_ACROSS, WARNING,
            f"instance method {function} is called from outside its service: the caller holds an "
            "object the service owns",
            "expose a module-level operation that takes an id (or a DTO) and loads the object inside "
            "the service, or move the class to a shared library"))
    return tuple(problems)


def _annotated(attrs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(what, annotation) for each annotated parameter and the return."""
    found = [(f"parameter {p['name']!r}", p["annotation"]) for p in attrs.get("params", ()) if p.get("annotation")]
    if attrs.get("returns"):
        found.append(("the return", attrs["returns"]))
    return found


def _unsafe_types(attrs: Mapping[str, Any], models: Mapping[str, str], django: frozenset[str]) -> list[Problem]:
    problems = []
    for what, annotation in _annotated(attrs):
        session = _session(what, annotation)
        if session is not None:
            problems.append(session)
            continue
        shape = orm_shape(annotation.strip().strip("'\""), models)
        if shape.verdict == CONVERTED:
            problems.append(_rows_converted(what, shape.models, django))
        elif shape.verdict == UNSUPPORTED:
            named = ", ".join(shape.models)
            problems.append(Problem(WIRE_UNSAFE_TYPE, ERROR, f"{what} holds an ORM model instance ({named}) in a "
                                    f"shape no conversion reaches ({shape.reason}: {annotation}) and cannot cross "
                                    "a wire", _ROW_SHAPES_HINT))
        for name in dict.fromkeys(_NAME.findall(annotation)):
            if name in WIRE_UNSAFE_NAMES and name not in models:
                label, hint = WIRE_UNSAFE_NAMES[name]
                problems.append(Problem(WIRE_UNSAFE_TYPE, ERROR,
                                        f"{what} is {label} ({annotation}) and cannot cross a wire",
                                        _with_conversion(name, what, hint)))
    return problems


def _session(what: str, annotation: str) -> Problem | None:
    """A session parameter the runtime converts: not sent, the service opens its own."""
    if not what.startswith("parameter ") or not _converted_session(annotation):
        return None
    return Problem(ORM_CONVERTED, WARNING,
                   f"{what} is a database session ({annotation}): it is not sent, the service runs the "
                   "operation in a session and transaction of its own (the caller's uncommitted changes are "
                   "not seen, and the service's commit is not undone by the caller's rollback)",
                   "commit before calling, or keep caller and operation in one service when both writes must "
                   "commit together", needs_session=True)


def _converted_session(annotation: str) -> bool:
    text = annotation.strip().strip("'\"")
    last = text.rsplit(".", 1)[-1]
    return last in _CONVERTED_SESSIONS and _NAME.fullmatch(last) is not None


def takes_session(attrs: Mapping[str, Any]) -> bool:
    """Whether a function has a parameter typed as a SQLAlchemy session, which a proxy does not send:
    called across a wire, it runs in a unit of work of its own."""
    return any(p.get("annotation") and _converted_session(p["annotation"]) for p in attrs.get("params") or ())


def _rows_converted(what: str, found: tuple[str, ...], django: frozenset[str]) -> Problem:
    """ORM instances the runtime converts: a parameter's sent as keys, a result's as columns."""
    named = ", ".join(found)
    needs_session = any(model not in django for model in found)
    if what.startswith("parameter "):
        return Problem(ORM_CONVERTED, WARNING,
                       f"{what} is an ORM model instance ({named}): it is sent as its primary key (and version, "
                       "when the model has one) and the service loads the committed row itself (identity: the "
                       "service works on its own copy, its changes are not seen on the caller's instance; "
                       "transaction: the caller's uncommitted changes are not seen)",
                       "flush or commit the row before calling; changes the service makes to it are not seen on "
                       "the caller's instance", needs_session=needs_session)
    return Problem(ORM_CONVERTED, WARNING,
                   f"{what} is an ORM model instance ({named}): it is sent as its columns and the caller gets a "
                   "detached, read-only copy of the same class (identity: a new object, not the row in the caller's "
                   "session; laziness: no relationships, loading one raises; read-only: setting or saving raises; "
                   "transaction: the columns as the service's unit of work left them)",
                   "read its columns only; to change the row, call an operation of the service that owns it; to "
                   "use its relationships, list them under the operation's `include:` in the plan (the service sends "
                   "them along), or have the operation return them (or a DTO)")


def _with_conversion(name: str, what: str, hint: str) -> str:
    """The fix hint, naming the conversion that would apply to a session typed another way."""
    if name in ("AsyncSession", "Connection", "AsyncConnection", "Engine", "AsyncEngine", "Cursor") \
            and what.startswith("parameter "):
        return f"{hint}; a parameter typed `Session` (sqlalchemy.orm) would be converted: not sent, the service " \
               "opens its own"
    return hint


def _missing_hints(attrs: Mapping[str, Any]) -> list[Problem]:
    params = list(attrs.get("params", ()))
    if attrs.get("kind") == "method" and attrs.get("method_kind") in ("instance", "class", "property") and params:
        params = params[1:]  # self / cls
    missing = [repr(p["name"]) for p in params if not p.get("annotation")]
    if not attrs.get("returns"):
        missing.append("the return")
    if not missing:
        return []
    return [Problem(MISSING_TYPE_HINTS, WARNING, f"no type hint on {', '.join(missing)}",
                    "add type hints: the operation's request and response schemas are generated from them")]


# What a `calls` edge's `unsafe_args` entry says was passed (docs/graph-format.md) -> words.
_PASSED = {
    "lambda": "a lambda",
    "function": "the function {expr}",
    "method": "the method {expr}",
    "bound-method": "the bound method {expr}",
    "callable": "a callable ({expr})",
    "generator": "a generator expression",
    "open-file": "an open file ({expr})",
    # into an untyped parameter (analyzer/arguments.py): nothing converts what it gets
    "request": "the web request ({expr})",
    "bytes": "bytes ({expr})",
    "model": "a model instance ({expr}, a {model})",
    "upload": "an uploaded file ({expr})",
}
_PASS_DATA = ("pass data instead: a name or an id the service can look up (for a callback, a key into a "
              "table of handlers kept inside the service)")
_PASSED_HINTS = {
    "generator": "pass a list (`list(...)`) or the values the generator is made from",
    "open-file": "pass the content (str or bytes) or a key the service can read (an S3 key)",
    "request": "pass what the operation reads from the request instead (the user's id, the form's cleaned data "
               "as a dict, an uploaded file's content), with type hints on those parameters",
    "bytes": "pass text and annotate the parameter `str` (decode the bytes, or base64-encode binary data)",
    "upload": "pass the file's content (text, or base64 for binary data) or a key the service can read (an S3 "
              "key), with a type hint on the parameter",
}


def is_operation(function: str, attrs: Mapping[str, Any]) -> bool:
    """A public top-level function of its module: what `extract` proxies when the module moves."""
    name = function.rsplit(".", 1)[-1]
    return (attrs.get("kind") == "function" and function == f"{attrs.get('module')}.{name}"
            and not name.startswith("_"))


def unsafe_argument(caller: str, location: str, operation: str, service: str, params: Any,
                    unsafe: Mapping[str, Any]) -> Finding:
    """A call from outside `service` that hands `operation` a value no wire can carry.

    `unsafe` is one entry of a `calls` edge's `unsafe_args`; `params` the operation's
    parameter facts, to name the parameter that receives it."""
    passed, expr = str(unsafe.get("passed", "")), str(unsafe.get("expr", ""))
    model = str(unsafe.get("type", ""))
    keep = f"or keep {caller} and {operation} in one service"
    what = _PASSED.get(passed, "a value that cannot be serialised ({expr})").format(expr=expr, model=model)
    untyped = "the parameter has no type hint, so nothing converts it, and " if unsafe.get("param") else ""
    fix = _model_hint(str(unsafe.get("param", "")), model) if passed == "model" else \
        _request_hint(operation, str(unsafe.get("param", "")), unsafe.get("reads")) if passed == "request" and \
        unsafe.get("reads") else _PASSED_HINTS.get(passed, _PASS_DATA)
    return Finding(
        WIRE_UNSAFE_ARGUMENT, ERROR, location, operation, service,
        f"{caller} passes {what} as {_argument(unsafe.get('arg'), params)} of {operation}, an operation of "
        f"{service}: {untyped}it cannot cross a wire",
        f"{fix}; {keep}")


def _request_hint(operation: str, param: str, reads: Any) -> str:
    """What to pass instead of a request: what the operation reads of it."""
    read = ", ".join(f"`{param}.{name}`" for name in reads)
    user = " (the user as a `User` parameter: extract sends it as its key)" if "user" in reads else ""
    return (f"{operation.rsplit('.', 1)[-1]} reads {read} of it: pass that instead{user}, with type hints "
            "on the new parameters")


def _model_hint(param: str, model: str) -> str:
    """A model instance in an untyped parameter: with the model as its hint, extract converts it."""
    name = model.rsplit(".", 1)[-1]
    return (f"annotate the parameter with the model class (`{param}: {name}`, importing {model}): extract then "
            "sends the row as its primary key and the service loads it; or pass its id")


def returned_row_change(caller: str, location: str, operation: str, service: str, change: Mapping[str, Any]) -> Finding:
    """A caller outside `service` changes a row `operation` returns and commits (or saves) it: across
    the wire it gets a read-only copy (analyzer/result_changes.py records the fact)."""
    attribute, saved = change.get("attr", "?"), change.get("saved")
    return Finding(
        RETURNED_ROW_MUTATION, ERROR, location, operation, service,
        f"{caller} changes {attribute!r} of the row {operation} returns and commits it (line {saved}); "
        f"{operation} is an operation of {service}, so the caller gets a read-only copy and the change raises "
        "DetachedRowError instead of writing the row",
        f"call an operation of {service} that makes the change (or let {operation} take the new value), or "
        f"have it return a DTO the caller may change; or keep {caller} and {operation} in one service")


def returned_row_relationship(caller: str, location: str, operation: str, service: str,
                              read: Mapping[str, Any]) -> Finding:
    """A caller outside `service` reads a relationship of a row `operation` returns (directly, or
    through a method of the model): across the wire it gets a copy of the columns, whose
    relationships raise (analyzer/relationships.py records the fact)."""
    attribute, model, via = read.get("attr", "?"), read.get("model", "?"), read.get("via")
    how = f"calls {model.rsplit('.', 1)[-1]}.{via}(), which reads" if via else "reads"
    return Finding(
        RETURNED_ROW_RELATIONSHIP, ERROR, location, operation, service,
        f"{caller} {how} the relationship {attribute!r} of the {model} that {operation} returns; {operation} is "
        f"an operation of {service}, so the caller gets a copy of the row's columns and loading {attribute!r} "
        "raises DetachedRowError",
        f"list it under the operation in the plan (`include: [{attribute}]`: the service loads it and sends the "
        f"related rows along), or have {operation} return what the caller needs (a DTO); or keep {caller} and "
        f"{operation} in one service")


def decorator_across(module: str, decorated: list[str], location: str, operation: str, service: str,
                     factory: bool, registry: str, user: str) -> Finding:
    """Code of `module` (outside `service`) decorated with `operation`, a decorator of the service
    that registers what it decorates in `registry`, which `user` in the service reads: the proxy
    keeps the decorator as code, so the registration happens in the caller's process only."""
    names = ", ".join(decorated[:3]) + (f" and {len(decorated) - 3} more" if len(decorated) > 3 else "")
    how = f"what {operation}(...) returns" if factory else operation
    return Finding(
        WIRE_UNSAFE_ARGUMENT, ERROR, location, operation, service,
        f"{module} decorates {names} with {how}, which registers them in {registry}: the registration happens "
        f"in the caller's process, but {user} in {service} uses {registry}",
        f"make {operation}'s module a shared library (`mono2lambda plan share`) so each service registers its "
        f"own, or keep {module} and {operation} in one service")


def _argument(arg: Any, params: Any) -> str:
    """`argument 2 ('key')` for a position, `argument 'key'` for a keyword."""
    if isinstance(arg, str):
        return f"argument {arg!r}"
    if not isinstance(arg, int):
        return "an argument"
    positional = [p.get("name") for p in params or () if p.get("kind") == "positional"]
    if arg < len(positional):
        return f"argument {arg + 1} ({positional[arg]!r})"
    rest = [p.get("name") for p in params or () if p.get("kind") == "vararg"]
    return f"argument {arg + 1}" + (f" (*{rest[0]})" if rest else "")
