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
    CONVERT_ORM,
    DEFAULT_MEMORY,
    DEFAULT_RUNTIME,
    DEFAULT_TIMEOUT,
    DISCARD_INSTANCE_CHANGES,
    FUNCTION_LAYOUTS,
    HTTP_METHODS,
    INCLUDE,
    INVOCATIONS,
    MEMORY_RANGE,
    OPERATION_KEYS,
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
    Vpc,
)
from .yamltree import is_map, is_seq, line_of

TOP_KEYS = ("version", "source", "unit", "framework", "services", "monolith", "shared")
FRAMEWORK_KEYS = ("django_settings", "flask_app", "sqlalchemy_session")
SERVICE_KEYS = ("modules", "pinned", "memory", "timeout", "functions", "runtime", "operations",
                "environment", "secrets", "vpc", "layers", "policies")
VPC_KEYS = ("subnet_ids", "security_group_ids")
VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Lambda sets these itself and refuses a function that sets them (and serve's worker needs
# its own); DJANGO_SETTINGS_MODULE and FLASK_APP come from the framework (`framework:`).
RESERVED_VARIABLES = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    "DJANGO_SETTINGS_MODULE", "FLASK_APP", "M2L_TRANSPORT",
})
SECRET_REFERENCE = re.compile(r"(ssm:/[A-Za-z0-9_.\-/]+|secretsmanager:[A-Za-z0-9/_+=.@:\-]+)")
SUBNET = re.compile(r"subnet-[0-9a-f]{8,17}")
SECURITY_GROUP = re.compile(r"sg-[0-9a-f]{8,17}")
LAYER_ARN = re.compile(r"arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+")
MAX_LAYERS = 5  # Lambda's limit per function
POLICY_ARN = re.compile(r"arn:aws[a-zA-Z-]*:iam::(aws|\d{12}):policy/[A-Za-z0-9_+=,.@/-]+")
STATEMENT_KEYS = ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition")
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
        runtime = self.choice(path + ("runtime",), body, RUNTIMES, DEFAULT_RUNTIME) if "runtime" in body else None
        environment = self.variables(path + ("environment",), body, _environment_value)
        secrets = self.variables(path + ("secrets",), body, _secret_value)
        for variable, _ in secrets:
            if variable in dict(environment):
                self.error(path + ("secrets", variable), f"{clip(variable)} is set both in `environment` and in "
                           "`secrets`", "keep one of them")
        return Service(name=name, modules=self.names(path + ("modules",), body),
                       pinned=self.names(path + ("pinned",), body), memory=memory, timeout=timeout,
                       functions=functions, runtime=runtime,
                       operations=self.operations(path + ("operations",), body.get("operations")),
                       environment=environment, secrets=secrets, vpc=self.vpc(path + ("vpc",), body),
                       layers=self.layers(path + ("layers",), body), policies=self.policies(path + ("policies",), body))

    def variables(self, path: Path, owner: Any, check: Callable[[Any], str | None]) -> tuple[tuple[str, str], ...]:
        """`environment:` or `secrets:`, a map of variable names to strings."""
        value = owner.get(path[-1])
        if value is None:
            return ()
        if not is_map(value):
            self.error(path, f"`{path[-1]}` must map variable names to strings", _VARIABLES_HINT[str(path[-1])])
            return ()
        found = []
        for name, item in value.items():
            if not isinstance(name, str) or not VARIABLE.fullmatch(name):
                self.error(path + (name,), f"{clip(name)} is not an environment variable name",
                           "use letters, digits and '_', not starting with a digit (like DATABASE_URL)")
            elif name in RESERVED_VARIABLES or name.startswith("AWS_LAMBDA_"):
                self.error(path + (name,), f"{clip(name)} is set by Lambda or by mono2lambda itself",
                           "choose another name; the framework's settings module comes from `framework:`")
            else:
                problem = check(item)
                if problem:
                    self.error(path + (name,), f"bad value for {clip(name)} in `{path[-1]}`: {clip(item)}", problem)
                else:
                    found.append((name, str(item)))
        return tuple(sorted(found))

    def vpc(self, path: Path, owner: Any) -> Vpc | None:
        value = owner.get("vpc")
        if value is None:
            return None
        if not is_map(value):
            self.error(path, "`vpc` must be a mapping with `subnet_ids:` and `security_group_ids:`", _VPC_HINT)
            return None
        self.keys(path, value, VPC_KEYS, "under `vpc`")
        lists = [self.ids(path + (key,), value, pattern, example)
                 for key, pattern, example in (("subnet_ids", SUBNET, "subnet-0123456789abcdef0"),
                                               ("security_group_ids", SECURITY_GROUP, "sg-0123456789abcdef0"))]
        return Vpc(lists[0], lists[1]) if all(lists) else None

    def ids(self, path: Path, owner: Any, pattern: re.Pattern[str], example: str) -> tuple[str, ...]:
        value = owner.get(path[-1])
        if not is_seq(value) or not value:
            self.error(path if value is not None else path[:-1], f"`vpc` needs a non-empty list `{path[-1]}:`",
                       _VPC_HINT)
            return ()
        found = []
        for index, item in enumerate(value):
            if isinstance(item, str) and pattern.fullmatch(item):
                found.append(item)
            else:
                self.error(path + (index,), f"{clip(item)} is not an id like {example}", _VPC_HINT)
        return tuple(found) if len(found) == len(value) else ()

    def layers(self, path: Path, owner: Any) -> tuple[str, ...]:
        value = owner.get("layers")
        if value is None:
            return ()
        if not is_seq(value):
            self.error(path, "`layers` must be a list of layer version ARNs", _LAYER_HINT)
            return ()
        if len(value) > MAX_LAYERS:
            self.error(path, f"{len(value)} layers: Lambda allows at most {MAX_LAYERS} per function",
                       "merge some layers, or put their code in the package")
        found = []
        for index, item in enumerate(value):
            if isinstance(item, str) and LAYER_ARN.fullmatch(item):
                found.append(item)
            else:
                self.error(path + (index,), f"{clip(item)} is not a layer version ARN", _LAYER_HINT)
        return tuple(found)

    def policies(self, path: Path, owner: Any) -> tuple[object, ...]:
        value = owner.get("policies")
        if value is None:
            return ()
        if not is_seq(value):
            self.error(path, "`policies` must be a list of managed policy ARNs or IAM statements", _POLICY_HINT)
            return ()
        found: list[object] = []
        for index, item in enumerate(value):
            if isinstance(item, str):
                if POLICY_ARN.fullmatch(item):
                    found.append(item)
                else:
                    self.error(path + (index,), f"{clip(item)} is not a managed policy ARN", _POLICY_HINT)
            elif is_map(item):
                problem = _statement_problem(item)
                if problem:
                    self.error(path + (index,), f"bad IAM statement: {problem}", _POLICY_HINT)
                else:
                    found.append(_plain(item))
            else:
                self.error(path + (index,), f"{clip(item)} is neither a managed policy ARN nor an IAM statement",
                           _POLICY_HINT)
        return tuple(found)

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
        if not is_map(body) or not any(key in body for key in OPERATION_KEYS):
            self.error(path, f"operation {clip(function)} needs an `invocation:`",
                       f"indent `invocation: KIND` under it; kinds: {', '.join(INVOCATIONS)}")
            return None
        kind = body.get("invocation", "sync")  # an operation listed for its other keys alone is called as before
        if kind not in INVOCATIONS:
            self.error(path + ("invocation",), f"unknown invocation {clip(kind)}",
                       _suggest(str(kind), list(INVOCATIONS), "valid invocations"))
            return None
        convert = body.get(CONVERT_ORM, True)
        if not isinstance(convert, bool):
            self.error(path + (CONVERT_ORM,), f"`{CONVERT_ORM}` must be true or false, not {clip(convert)}",
                       f"write `{CONVERT_ORM}: false` to keep ORM sessions and rows of this operation unconverted")
            convert = True
        discard = body.get(DISCARD_INSTANCE_CHANGES, False)
        if not isinstance(discard, bool):
            self.error(path + (DISCARD_INSTANCE_CHANGES,), f"`{DISCARD_INSTANCE_CHANGES}` must be true or false, "
                       f"not {clip(discard)}", "write `discard_instance_changes: true` to accept that changes an "
                       "instance method makes to its object stay in the service")
            discard = False
        settings = {key: _plain(value) for key, value in body.items() if key not in OPERATION_KEYS}
        self.settings(path, kind, settings)
        return Operation(str(function), Invocation(kind, tuple(sorted(settings.items()))), convert_orm=convert,
                         discard_instance_changes=discard, include=self.include(path + (INCLUDE,), body))

    def include(self, path: Path, body: Any) -> tuple[str, ...]:
        """`include: [items, customer]`: relationships (attribute names) of the rows the operation returns."""
        if INCLUDE not in body:
            return ()
        value = body[INCLUDE]
        names = list(value) if is_seq(value) else None
        if names is None or not all(isinstance(n, str) and n.isidentifier() for n in names):
            self.error(path, f"`{INCLUDE}` must be a list of relationship names (attributes of the model the "
                       f"operation returns), not {clip(value)}",
                       "write for example `include: [items]`; a relationship of those rows is not followed "
                       "(list the operation's own result's relationships only)")
            return ()
        return tuple(sorted(set(names)))

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


_VARIABLES_HINT = {
    "environment": "write `environment:` then `  NAME: value` (quote numbers and booleans: `DEBUG: \"0\"`)",
    "secrets": "write `secrets:` then `  DB_PASSWORD: ssm:/app/db-password` or `  API_KEY: secretsmanager:app/api`",
}
_VPC_HINT = ("write `vpc:` with `subnet_ids: [subnet-0123456789abcdef0]` and "
             "`security_group_ids: [sg-0123456789abcdef0]`")
_LAYER_HINT = "e.g. arn:aws:lambda:us-east-1:123456789012:layer:my-layer:3 (at most 5)"
_POLICY_HINT = ("write a managed policy ARN (arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess) or a statement "
                "with Effect (Allow or Deny), Action and Resource")


def _environment_value(value: Any) -> str | None:
    return None if isinstance(value, str) else "a value must be a string: quote it (\"8080\", \"true\")"


def _secret_value(value: Any) -> str | None:
    if isinstance(value, str) and SECRET_REFERENCE.fullmatch(value):
        return None
    return ("write ssm:/path/of/parameter (SSM Parameter Store) or secretsmanager:NAME-OR-ARN (Secrets "
            "Manager)")


def _statement_problem(statement: Any) -> str | None:
    unknown = [str(key) for key in statement if key not in STATEMENT_KEYS]
    if unknown:
        return f"unknown key {clip(unknown[0])} (statement keys: {', '.join(STATEMENT_KEYS)})"
    if statement.get("Effect") not in ("Allow", "Deny"):
        return "`Effect` must be Allow or Deny"
    for one, other in (("Action", "NotAction"), ("Resource", "NotResource")):
        given = [key for key in (one, other) if key in statement]
        if len(given) != 1:
            return f"give exactly one of `{one}` or `{other}`"
        item = statement[given[0]]
        items = list(item) if is_seq(item) else [item]
        if not items or not all(isinstance(i, str) and i for i in items):
            return f"`{given[0]}` must be a string or a list of strings"
    return None


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
