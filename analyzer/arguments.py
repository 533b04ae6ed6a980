"""What a call site hands to the untyped parameters of the function it calls.

An operation's contract is built from its type hints, so a parameter without one takes
whatever the caller passes, as it is: a view's `request`, a `User`, bytes. None of those
crosses a wire, and nothing would say so before run time. The call site often shows what
flows in, though: the caller's own `request` parameter, `request.user`, a row read with
`Model.objects.get(...)`, `get_object_or_404(Model, ...)` or `session.get(Model, id)`, a
bytes literal or `.encode()`, an upload from `request.FILES`. Each such argument is a
`Flow`; resolve.py keeps those that land in an untyped parameter of a function of the tree
(the `unsafe_args` of the `calls` edge, which the boundary stage turns into
`wire-unsafe-argument` hazards), and the literal values and plain types as the edge's
`arg_values` (extract's sample events use them instead of null).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from .data import DataModel
from .facts import CallSite, Definition, Expr, Param
from .values import Program, ordered

REQUEST = "request"
BYTES = "bytes"
MODEL = "model"
UPLOAD = "upload"
VALUE = "value"  # a literal (`detail` is its JSON text) or a plain type (`detail` is `type:str`)

# Outside names whose instances are a web framework's request (or the proxy that stands for one).
REQUEST_NAMES = frozenset({
    "django.http.HttpRequest", "django.http.request.HttpRequest", "django.core.handlers.wsgi.WSGIRequest",
    "rest_framework.request.Request", "flask.request", "flask.globals.request", "flask.Request",
    "flask.wrappers.Request", "werkzeug.wrappers.Request", "werkzeug.wrappers.request.Request",
    "starlette.requests.Request", "fastapi.Request"})
_REQUEST_TYPES = frozenset({"HttpRequest", "WSGIRequest", "Request"})  # a parameter annotated as one
# Django's own user models: `request.user` is one, and code imports them by these names.
USER_MODELS = frozenset({"django.contrib.auth.models.User", "django.contrib.auth.models.AbstractUser",
                         "django.contrib.auth.models.AbstractBaseUser"})
DJANGO_USER = "django.contrib.auth.models.User"
_ROW_GETTERS = frozenset({"get", "first", "last", "earliest", "latest", "create", "get_or_none"})
_QUERYSETS = frozenset({"all", "filter", "exclude", "order_by", "select_related", "prefetch_related", "distinct",
                        "only", "defer", "annotate", "using", "reverse", "iterator"})
_SINGLE_RELATIONS = frozenset({"ForeignKey", "OneToOneField"})
_UPLOADS = frozenset({"FILES", "files"})  # Django's request.FILES, Flask's request.files
_BYTES_CALLS = frozenset({"bytes", "bytearray"})
_LITERAL_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}
MAX_VALUES = 4  # literal values kept per parameter and edge


@dataclass(frozen=True, slots=True)
class Flow:
    """One argument of a call site, as far as the call site shows what it is."""

    arg: int | str  # position among the written positional arguments, or the keyword
    passed: str  # REQUEST, BYTES, MODEL, UPLOAD or VALUE
    expr: str  # the argument's text
    detail: str = ""  # MODEL: the model class; VALUE: a literal's JSON text, or `type:<json type>`


Evaluate = Callable[[Expr], frozenset]  # what an expression may be, in the scope of the call's definition


def argument_flows(program: Program, data: DataModel, definition: Definition, site: CallSite,
                   text: Callable[[Expr], str], evaluate: Evaluate | None = None) -> tuple[Flow, ...]:
    """What each argument of `site` (a call in `definition`) is, where the call site shows it.
    `evaluate`: `program.eval` in the scope of `definition` (the resolver's remembers its answers)."""
    found = []
    if evaluate is None:
        evaluate = _evaluator(program, definition)
    for position, arg in enumerate(site.args):
        flow = _flow(program, data, definition, evaluate, position, arg, text)
        if flow is not None:
            found.append(flow)
    for name, arg in site.kwargs:
        if name != "**":
            flow = _flow(program, data, definition, evaluate, name, arg, text)
            if flow is not None:
                found.append(flow)
    return tuple(found)


def _evaluator(program: Program, scope: Definition) -> Evaluate:
    return lambda expr: program.eval(expr, scope)


def _flow(program: Program, data: DataModel, definition: Definition, evaluate: Evaluate, position: int | str,
          arg: Expr, text: Callable[[Expr], str]) -> Flow | None:
    tag = arg[0]
    if tag == "const":
        kind, value = arg[1], arg[2]
        if kind == "bytes":
            return Flow(position, BYTES, "b'...'")
        if kind in _LITERAL_TYPES and value is not None and _finite(value):
            return Flow(position, VALUE, repr(value)[:40], json.dumps(value))
        if kind in _LITERAL_TYPES:
            return Flow(position, VALUE, kind, f"type:{_LITERAL_TYPES[kind]}")
        return None
    if tag not in ("name", "attr", "call", "sub"):
        return None
    if _is_bytes(arg):
        return Flow(position, BYTES, text(arg))
    if _is_upload(arg):
        return Flow(position, UPLOAD, text(arg))
    if is_request(definition, evaluate, arg):
        return Flow(position, REQUEST, text(arg))
    model = model_of(program, data, definition, evaluate, arg)
    if model:
        return Flow(position, MODEL, text(arg), model)
    return None


def _finite(value: object) -> bool:
    """JSON has no NaN or infinity (`1e999` is a float literal)."""
    return not isinstance(value, float) or value - value == 0


def _is_bytes(arg: Expr) -> bool:
    """`text.encode(...)`, `bytes(...)`, `bytearray(...)`."""
    if arg[0] != "call":
        return False
    func = arg[1]
    return (func[0] == "attr" and func[2] == "encode") or (func[0] == "name" and func[1] in _BYTES_CALLS)


def _is_upload(arg: Expr) -> bool:
    """`request.FILES['f']`, `request.FILES.get('f')`, `request.files['f']` (not the whole dict)."""
    expr = arg
    while expr[0] in ("attr", "call", "sub"):
        base = expr[1]
        if base[0] == "attr" and base[2] in _UPLOADS:
            return True
        expr = base
    return False


def is_request(definition: Definition, evaluate: Evaluate, arg: Expr) -> bool:
    """The caller's own `request` parameter, `self.request`, or a value of a request type."""
    if arg[0] == "name":
        param = _param(definition, arg[1])
        if param is not None and ((arg[1] == "request" and param.annotation_text is None)
                                  or _names_request(param.annotation_text)):
            return True
    if arg[0] == "attr" and arg[2] == "request" and arg[1][0] == "name" and arg[1][1] in ("self", "cls"):
        return True
    for value in evaluate(arg):  # noqa: SIM110 -- a loop, not any(): no generator per argument
        if (value[0] == "ext" or value[0] == "extinst") and value[1] in REQUEST_NAMES:
            return True
    return False


def _names_request(annotation: str | None) -> bool:
    return bool(annotation) and str(annotation).strip("'\"").rsplit(".", 1)[-1] in _REQUEST_TYPES


def _param(definition: Definition, name: str) -> Param | None:
    for param in definition.params:
        if param.name == name:
            return param
    return None


def model_of(program: Program, data: DataModel, definition: Definition, evaluate: Evaluate, arg: Expr,
             hops: int = 0) -> str:
    """The model class an argument is an instance of, or "": what it evaluates to, `request.user`,
    a row getter (`M.objects.get(...)`, `get_object_or_404(M, ...)`), an element of a queryset
    (`for u in M.objects.filter(...)`, `M.objects.all()[0]`), a foreign key of a row
    (`order.customer`), or a local bound to one of those."""
    model = _instance_model(data, evaluate(arg))
    if model:
        return model
    if arg[0] == "attr" and arg[2] == "user" and is_request(definition, evaluate, arg[1]):
        return DJANGO_USER
    if arg[0] == "attr" and hops < 3:
        return _foreign_key(program, data, model_of(program, data, definition, evaluate, arg[1], hops + 1), arg[2])
    if arg[0] == "call":
        return _row_getter(data, evaluate, arg)
    if arg[0] in ("iter", "sub"):
        return _queryset_of(data, evaluate, arg[1])
    if arg[0] == "name" and hops < 2 and definition.kind != "module" and _param(definition, arg[1]) is None:
        for target, value, _ in reversed(definition.scope.assigns):
            if target == arg[1]:
                return model_of(program, data, definition, evaluate, value, hops + 1)
    return ""


def _instance_model(data: DataModel, values: frozenset) -> str:
    """The first of these values, in their fixed order (values.ordered), that is a row of a model
    or a Django user: its class, else ""."""
    found = [value for value in values if (value[0] == "inst" and data.table(value))
             or (value[0] == "extinst" and value[1] in USER_MODELS)]
    if not found:  # most arguments: nothing to put in order
        return ""
    first = found[0] if len(found) == 1 else min(found, key=repr)
    return str(first[1]) if first[0] == "inst" else DJANGO_USER


def _row_getter(data: DataModel, evaluate: Evaluate, call: Expr) -> str:
    func = call[1]
    if (func[0] == "name" and func[1] == "get_object_or_404") or (func[0] == "attr" and func[2] == "get_object_or_404"):
        return _model_class(data, evaluate, call[2][0]) if call[2] else ""
    if func[0] != "attr" or func[2] not in _ROW_GETTERS:
        return ""
    expr = func[1]
    while expr[0] in ("attr", "call"):
        if expr[0] == "attr" and expr[2] == "objects":
            return _model_class(data, evaluate, expr[1])
        expr = expr[1]
    return ""


def _queryset_of(data: DataModel, evaluate: Evaluate, expr: Expr) -> str:
    """The model of `M.objects` followed by QuerySet methods only (`.filter(...).order_by(...)`)."""
    while expr[0] == "call" and expr[1][0] == "attr" and expr[1][2] in _QUERYSETS:
        expr = expr[1][1]
    if expr[0] == "attr" and expr[2] == "objects":
        return _model_class(data, evaluate, expr[1])
    return ""


def _foreign_key(program: Program, data: DataModel, model: str, name: str) -> str:
    """The model `model.name` holds when the class declares `name = ForeignKey(Other, ...)` (or a
    one-to-one field); "" otherwise."""
    if not model or model == DJANGO_USER:
        return ""
    for owner in program.mro(model):
        definition = program.defs.get(owner)
        if definition is None or name not in definition.class_attrs:
            continue
        expr = definition.class_attrs[name][0]
        if expr[0] != "call" or expr[1][-1] not in _SINGLE_RELATIONS or not expr[2]:
            return ""
        scope = program.defs.get(definition.parent or "") or definition
        return _model_class(data, _evaluator(program, scope), expr[2][0])
    return ""


def _model_class(data: DataModel, evaluate: Evaluate, expr: Expr) -> str:
    for value in ordered(evaluate(expr)):
        if value[0] == "sym" and data.table(value):
            return str(value[1])
        if value[0] == "ext" and value[1] in USER_MODELS:
            return DJANGO_USER
    return ""


def attributes_read(callee: Definition, param: str) -> tuple[str, ...]:
    """The attributes `callee` reads of its parameter `param` (`request.user`, `request.POST[...]`
    give `user`, `POST`), from the chains its code reads and calls: what to pass instead of it."""
    found: set[str] = set()
    chains = [*callee.scope.loads, *(site.func for site in callee.scope.calls),
              *(arg for site in callee.scope.calls for arg in site.args)]
    for expr in chains:
        first = None
        while expr[0] in ("attr", "call", "sub"):
            if expr[0] == "attr":
                first = expr[2]
            expr = expr[1]
        if expr == ("name", param) and first:
            found.add(first)
    return tuple(sorted(found))


def untyped_parameter(callee: Definition, position: int | str, bound: bool) -> str | None:
    """The name of the parameter of `callee` that receives the argument at `position` (a keyword,
    or a position after `self` when `bound`), when it has no type hint; else None."""
    params = callee.params
    if isinstance(position, str):
        param = next((p for p in params if p.name == position and p.kind in ("positional", "keyword")), None)
        param = param or next((p for p in params if p.kind == "varkw"), None)
    else:
        positional = [p for p in params if p.kind == "positional"][1 if bound else 0:]
        param = positional[position] if position < len(positional) else \
            next((p for p in params if p.kind == "vararg"), None)
    if param is None or param.annotation_text is not None:
        return None
    return param.name
