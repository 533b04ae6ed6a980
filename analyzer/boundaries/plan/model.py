"""The plan as plain frozen values: what `extract` reads and `score` compares.

The YAML document (comments, layout, line numbers) lives in `document.py`; these values
are what the file *means*, so stages can compare and hash them without caring how a
person laid the file out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLAN_VERSION = 1
DEFAULT_MEMORY = 512
DEFAULT_TIMEOUT = 30
MEMORY_RANGE = (128, 10240)  # MB, AWS Lambda's limits
TIMEOUT_RANGE = (1, 900)  # seconds, AWS Lambda's limits
SERVICE_NAME = re.compile(r"[a-z][a-z0-9_-]*")
GLOB_CHARACTERS = frozenset("*?[")
SEVERITIES = ("error", "warning")
FUNCTION_LAYOUTS = ("per-service", "per-operation")  # one Lambda routing every operation, or one each
RUNTIMES = ("python3.10", "python3.11", "python3.12", "python3.13")  # AWS Lambda's Python runtimes
DEFAULT_RUNTIME = "python3.12"
CONVERT_ORM = "convert_orm"  # an operation's key that turns the ORM conversions off for it


@dataclass(frozen=True)
class Setting:
    """One setting of an invocation kind: its value type and whether it must be given."""

    kind: type | tuple[type, ...]
    required: bool = False


_BATCH = Setting(int)
INVOCATIONS: dict[str, dict[str, Setting]] = {
    "sync": {},
    "async": {},
    "sqs": {"queue": Setting(str), "batch_size": _BATCH},
    "sns": {"topic": Setting(str)},
    "eventbridge": {"pattern": Setting(dict), "bus": Setting(str)},
    "s3": {"bucket": Setting(str), "events": Setting(list), "prefix": Setting(str)},
    "dynamodb": {"table": Setting(str), "batch_size": _BATCH},
    "kinesis": {"stream": Setting(str), "batch_size": _BATCH},
    "schedule": {"expression": Setting(str, required=True)},
    "http": {"method": Setting(str, required=True), "path": Setting(str, required=True)},
}
HTTP_METHODS = ("ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
SCHEDULE = re.compile(r"(rate|cron)\(.+\)")
DISCARD_INSTANCE_CHANGES = "discard_instance_changes"
INCLUDE = "include"  # an operation's key: relationships of the rows it returns, sent along
OPERATION_KEYS = ("invocation", CONVERT_ORM, DISCARD_INSTANCE_CHANGES, INCLUDE)  # beside its invocation's settings


@dataclass(frozen=True)
class Invocation:
    """How an operation is called: `sync`, `async`, or an event trigger with its settings.

    Settings are sorted (name, value) pairs so two plans that say the same thing are
    equal however the file ordered them; values are plain YAML data (str, int, list,
    dict)."""

    kind: str
    settings: tuple[tuple[str, object], ...] = ()

    def setting(self, name: str, default: object = None) -> object:
        return dict(self.settings).get(name, default)


@dataclass(frozen=True)
class Operation:
    """A function (`pkg.mod.function`), a class's method (`pkg.mod.Class.method`) or a whole
    class (`pkg.mod.Class`: its public methods) and how it is invoked. `convert_orm` (default
    true) lets ORM sessions and rows be converted at the boundary; `discard_instance_changes`
    accepts that an instance method's changes to its object, rebuilt in the service for each
    call, are not sent back (else they block extraction); `include` names relationships of the
    rows it returns that the service loads and sends along with their columns."""

    function: str
    invocation: Invocation
    convert_orm: bool = True  # False: ORM sessions and rows of this operation are not converted (they block)
    discard_instance_changes: bool = False
    include: tuple[str, ...] = ()  # relationships of the returned rows sent along (sorted, each once)


@dataclass(frozen=True)
class Vpc:
    """Where a service's functions run inside a VPC: its subnets and security groups."""

    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]


@dataclass(frozen=True)
class Service:
    """A Lambda service: the units it owns (exact names or fnmatch globs) and its settings.

    `operations` is None when the file leaves them out: the extractor then computes them
    from the graph (functions called from outside the service)."""

    name: str
    modules: tuple[str, ...]
    pinned: tuple[str, ...] = ()
    operations: tuple[Operation, ...] | None = None
    memory: int = DEFAULT_MEMORY
    timeout: int = DEFAULT_TIMEOUT
    functions: str = FUNCTION_LAYOUTS[0]
    runtime: str | None = None  # None: the app's Python (extract --python), else DEFAULT_RUNTIME
    # deployment settings, sorted (name, value) pairs where they are maps
    environment: tuple[tuple[str, str], ...] = ()  # variables set in the functions' Environment
    secrets: tuple[tuple[str, str], ...] = ()  # variable -> "ssm:/path" or "secretsmanager:name-or-arn"
    vpc: Vpc | None = None
    layers: tuple[str, ...] = ()  # layer version ARNs
    policies: tuple[object, ...] = ()  # managed policy ARNs (str) or IAM statements (plain dicts)


@dataclass(frozen=True)
class Plan:
    source: str
    services: tuple[Service, ...]
    monolith: tuple[str, ...] = ()
    shared: tuple[str, ...] = ()
    unit: str = "module"
    version: int = PLAN_VERSION
    framework: tuple[tuple[str, str], ...] = ()  # (key, value) from `framework:`, e.g. django_settings

    def service(self, name: str) -> Service | None:
        return next((service for service in self.services if service.name == name), None)

    def service_names(self) -> list[str]:
        return [service.name for service in self.services]


@dataclass(frozen=True)
class Problem:
    """One finding about a plan: where (1-based line, None when it has no place), how bad,
    what, and how to fix it."""

    line: int | None
    severity: str
    message: str
    hint: str = ""

    def render(self, filename: str) -> str:
        where = f"{filename}:{self.line}" if self.line else filename
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}: {self.severity}: {self.message}{hint}"


def is_glob(pattern: str) -> bool:
    return not GLOB_CHARACTERS.isdisjoint(pattern)
