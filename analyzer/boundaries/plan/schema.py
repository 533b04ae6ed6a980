"""Structural validation: a round-trip YAML tree -> a `Plan`, or every problem with its line.

All problems are collected in one pass, so a person fixes the file once rather than once
per run. Checks that need the graph (do these modules exist?) live in `check.py`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from typing import Any

from ...errors import clip
from ..placement import RESERVED, UNIT_KINDS
from .model import (
    DEFAULT_MEMORY,
    DEFAULT_RUNTIME,
    DEFAULT_TIMEOUT,
    FUNCTION_LAYOUTS,
    HTTP_METHODS,
    INVOCATIONS,
    MEMORY_RANGE,
    PLAN_VERSION,
    RUNTIMES,
    SCHEDULE,
    SERVICE_NAME,
    TIMEOUT_RANGE,
    Invocation,
    Operation,
    Plan,
    Problem,
    Service,
)
from .yamltree import is_map, is_seq, line_of

TOP_KEYS = ("version", "source", "unit", "framework", "services", "monolith", "shared")
FRAMEWORK_KEYS = ("django_settings", "flask_app")
SERVICE_KEYS = ("modules", "pinned", "memory", "timeout", "functions", "runtime", "operations")
BATCH_RANGE = (1, 10000)
# A service's Lambda function is called SOURCE-SERVICE; Lambda allows 1 to 64 of these characters.
FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]+")
MAX_FUNCTION_NAME = 64
Path = tuple[str | int, ...]


def plan_of_tree(tree: Any) -> tuple[Plan | None, list[Problem]]:
    """The plan a tree describes, with every structural problem (the plan is None if any)."""
    if not is_map(tree):
        return None, [Problem(1, "error", "the plan must be a mapping with keys such as version, source and "
                              "services", "start from the example in docs/plan-format.md")]
    check = _Checker(tree)
    plan = check.plan()
    return (None if check.problems else plan), check.problems


class _Checker:
    """Reads a tree top-down, noting a problem (with its line) wherever the file is wrong."""

    def __init__(self, tree: Any) -> None:
        self.tree = tree
        self.problems: list[Problem] = []
        self.prefix = ""  # of every function name: the source, when it is a valid one

    def error(self, path: Path, message: str, hint: str = "") -> None:
        self.problems.append(Problem(line_of(self.tree, *path) or 1, "error", message, hint))

    def plan(self) -> Plan:
        self.keys((), self.tree, TOP_KEYS, "at the top of the plan")
        version = self.tree.get("version", PLAN_VERSION)
        if version != PLAN_VERSION or isinstance(version, bool):
            self.error(("version",), f"unsupported plan version {clip(version)}",
                       f"this mono2lambda reads version {PLAN_VERSION}; write `version: {PLAN_VERSION}`")
        unit = self.tree.get("unit", "module")
        if unit not in UNIT_KINDS:
            self.error(("unit",), f"unknown unit {clip(unit)}", "write `unit: module` or `unit: class`")
        return Plan(source=self.source(), services=self.services(), monolith=self.names(("monolith",)),
                    shared=self.names(("shared",)), unit=str(unit), version=PLAN_VERSION, framework=self.framework())

    def framework(self) -> tuple[tuple[str, str], ...]:
        """`framework: {django_settings: hc.settings}` or `{flask_app: "pkg.app:create_app"}`."""
        value = self.tree.get("framework")
        if value is None:
            return ()
        if not is_map(value):
            self.error(("framework",), "`framework` must be a mapping",
                       "write `framework: {django_settings: pkg.settings}` or `{flask_app: \"pkg.app:create_app\"}`")
            return ()
        self.keys(("framework",), value, FRAMEWORK_KEYS, "under `framework`")
        found = []
        for key in FRAMEWORK_KEYS:
            item = value.get(key)
            if item is not None and not (isinstance(item, str) and item.strip()):
                self.error(("framework", key), f"`{key}` must be a dotted module name",
                           "e.g. `django_settings: hc.settings` or `flask_app: \"pkg.app:create_app\"`")
            elif item is not None:
                found.append((key, item.strip()))
        return tuple(found)

    def keys(self, path: Path, mapping: Any, valid: Sequence[str], where: str) -> None:
        for key in mapping:
            if key not in valid:
                self.error(path + (key,), f"unknown key {clip(key)} {where}", _suggest(str(key), valid, "valid keys"))

    def source(self) -> str:
        source = self.tree.get("source")
        if not isinstance(source, str) or not source:
            self.error(("source",), "`source` must name the analyzed folder",
                       "write `source: NAME`, the folder given to `mono2lambda analyze`")
            return ""
        if not FUNCTION_NAME.fullmatch(source) or len(source) >= MAX_FUNCTION_NAME - 1:
            self.error(("source",), f"`source` {clip(source)} cannot prefix Lambda function names (SOURCE-SERVICE "
                       f"must be 1 to {MAX_FUNCTION_NAME} letters, digits, '-' or '_')",
                       "rename the analyzed folder, or write a shorter `source:` made of those characters")
        else:
            self.prefix = source
        return str(source)

    def names(self, path: Path, owner: Any = None) -> tuple[str, ...]:
        """A list of unit names or globs (a missing or empty value is an empty list)."""
        owner = self.tree if owner is None else owner
        value = owner.get(path[-1])
        if value is None:
            return ()
        if not is_seq(value):
            self.error(path, f"`{path[-1]}` must be a list of module names or globs",
                       f"write one per line under `{path[-1]}:`, like `- shop.orders.*`")
            return ()
        names = []
        for index, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                names.append(str(item).strip())
            else:
                self.error(path + (index,), f"{clip(item)} is not a module name or glob",
                           "write a dotted name such as shop.orders or a glob such as shop.orders.*")
        return tuple(names)

    def services(self) -> tuple[Service, ...]:
        services = self.tree.get("services")
        if services is None:
            return ()
        if not is_map(services):
            self.error(("services",), "`services` must map service names to their settings",
                       "write `services:` then `  NAME:` with `modules:` under it")
            return ()
        checked = (self.service(name, body) for name, body in services.items() if self.service_name(name))
        return tuple(service for service in checked if service is not None)

    def service_name(self, name: Any) -> bool:
        path = ("services", name)
        if not isinstance(name, str) or not SERVICE_NAME.fullmatch(name):
            self.error(path, f"invalid service name {clip(name)}",
                       "use lowercase letters, digits, '-' and '_', starting with a letter (like orders)")
            return False
        if name in RESERVED:
            self.error(path, f"{clip(name)} cannot be a service name",
                       f"list units that stay behind or are libraries under the top-level `{name}:` key")
            return False
        function = f"{self.prefix}-{name}"
        if self.prefix and len(function) > MAX_FUNCTION_NAME:
            self.error(path, f"service {clip(name)} makes the Lambda function name {clip(function, 40)}, "
                       f"{len(function)} characters; Lambda allows at most {MAX_FUNCTION_NAME}",
                       f"shorten the service name to at most {MAX_FUNCTION_NAME - len(self.prefix) - 1} characters")
            return False
        return True

    def service(self, name: str, body: Any) -> Service | None:
        path: Path = ("services", name)
        if not is_map(body):
            self.error(path, f"service {clip(name)} must be a mapping with at least `modules:`",
                       "indent `modules:` under the service name")
            return None
        self.keys(path, body, SERVICE_KEYS, f"in service {clip(name)}")
        if "modules" not in body:
            self.error(path, f"service {clip(name)} has no `modules:`", "list the modules it owns under `modules:`")
        memory = self.number(path + ("memory",), body, DEFAULT_MEMORY, MEMORY_RANGE, "MB")
        timeout = self.number(path + ("timeout",), body, DEFAULT_TIMEOUT, TIMEOUT_RANGE, "seconds")
        functions = self.choice(path + ("functions",), body, FUNCTION_LAYOUTS)
        runtime = self.choice(path + ("runtime",), body, RUNTIMES, DEFAULT_RUNTIME)
        return Service(name=name, modules=self.names(path + ("modules",), body),
                       pinned=self.names(path + ("pinned",), body), memory=memory, timeout=timeout,
                       functions=functions, runtime=runtime,
                       operations=self.operations(path + ("operations",), body.get("operations")))

    def choice(self, path: Path, owner: Any, allowed: tuple[str, ...], default: str | None = None) -> str:
        default = default or allowed[0]
        value = owner.get(path[-1], default)
        if value not in allowed:
            self.error(path, f"`{path[-1]}` must be one of {', '.join(allowed)}, not {clip(value)}",
                       f"write for example `{path[-1]}: {default}`")
            return default
        return str(value)

    def number(self, path: Path, owner: Any, default: int, bounds: tuple[int, int], unit: str) -> int:
        value = owner.get(path[-1], default)
        low, high = bounds
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(path, f"`{path[-1]}` must be a whole number of {unit} from {low} to {high}, not {clip(value)}",
                       f"write for example `{path[-1]}: {default}`")
            return default
        return value

    def operations(self, path: Path, operations: Any) -> tuple[Operation, ...] | None:
        if operations is None:
            return None
        if not is_map(operations):
            self.error(path, "`operations` must map function names to how they are invoked",
                       "write `operations:` then `  shop.orders.checkout.place_order:` and `    invocation: sync`")
            return None
        checked = (self.operation(path + (name,), name, body) for name, body in operations.items())
        return tuple(operation for operation in checked if operation is not None)

    def operation(self, path: Path, function: Any, body: Any) -> Operation | None:
        if not is_map(body) or "invocation" not in body:
            self.error(path, f"operation {clip(function)} needs an `invocation:`",
                       f"indent `invocation: KIND` under it; kinds: {', '.join(INVOCATIONS)}")
            return None
        kind = body["invocation"]
        if kind not in INVOCATIONS:
            self.error(path + ("invocation",), f"unknown invocation {clip(kind)}",
                       _suggest(str(kind), list(INVOCATIONS), "valid invocations"))
            return None
        settings = {key: _plain(value) for key, value in body.items() if key != "invocation"}
        self.settings(path, kind, settings)
        return Operation(str(function), Invocation(kind, tuple(sorted(settings.items()))))

    def settings(self, path: Path, kind: str, settings: dict[str, Any]) -> None:
        spec = INVOCATIONS[kind]
        for key, value in settings.items():
            if key not in spec:
                valid = list(spec) or ["(none)"]
                self.error(path + (key,), f"unknown setting {clip(key)} for a {kind} invocation",
                           _suggest(str(key), valid, f"{kind} settings"))
            elif isinstance(value, bool) or not isinstance(value, spec[key].kind):
                self.error(path + (key,), f"`{key}` of a {kind} invocation must be a "
                           f"{_type_name(spec[key].kind)}, not {clip(value)}", f"see the {kind} example in "
                           "docs/plan-format.md")
            else:
                self.setting_value(path + (key,), kind, key, value)
        for key in spec:
            if spec[key].required and key not in settings:
                self.error(path, f"a {kind} invocation needs `{key}:`", _REQUIRED_HINT.get(key, ""))

    def setting_value(self, path: Path, kind: str, key: str, value: Any) -> None:
        check = _VALUE_CHECKS.get(key)
        problem = check(value) if check else None
        if problem:
            self.error(path, f"bad `{key}` for a {kind} invocation: {clip(value)}", problem)


def _batch(value: int) -> str | None:
    low, high = BATCH_RANGE
    return None if low <= value <= high else f"use a batch size from {low} to {high}"


def _expression(value: str) -> str | None:
    return None if SCHEDULE.fullmatch(value.strip()) else "write rate(1 hour) or cron(0 12 * * ? *)"


def _method(value: str) -> str | None:
    return None if value in HTTP_METHODS else f"use one of {', '.join(HTTP_METHODS)} (in capitals)"


def _route(value: str) -> str | None:
    return None if value.startswith("/") else "an HTTP path starts with '/', like /orders/{id}"


_VALUE_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "batch_size": _batch, "expression": _expression, "method": _method, "path": _route,
}
_REQUIRED_HINT = {
    "expression": "for example `expression: rate(1 hour)` or `expression: cron(0 12 * * ? *)`",
    "method": "for example `method: POST`",
    "path": "for example `path: /orders`",
}


def _suggest(word: str, valid: Sequence[str], label: str) -> str:
    """'did you mean ...?' when a valid word is close, then the valid words."""
    close = difflib.get_close_matches(word, list(valid), n=1, cutoff=0.6)
    listing = f"{label}: {', '.join(valid)}"
    return f"did you mean {clip(close[0])}? {listing}" if close else listing


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "string", int: "whole number", list: "list", dict: "mapping"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _plain(value: Any) -> Any:
    """ruamel's commented containers as plain dicts and lists (what the model holds)."""
    if is_map(value) or isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if is_seq(value) or isinstance(value, list):
        return [_plain(v) for v in value]
    for plain in (bool, str, int, float):  # ruamel's scalar subclasses (quoted strings, ...) as plain values
        if isinstance(value, plain):
            return plain(value)
    return value
