"""The caller side of every proxy function: `call` sends one operation to its service.

Configuration, read once:
    services.json (next to this file)   each service's Lambda function name (and, for a
                                        service with one function per operation, each
                                        operation's), the path of its package's `src/`
                                        (relative to the folder that holds this runtime)
                                        and its timeout
    M2L_TRANSPORT                       `local` or `lambda` (default `lambda`)
    M2L_FUNCTION_<SERVICE>              overrides a function name (service upper-cased,
                                        `-` as `_`), e.g. M2L_FUNCTION_TAX=shop-tax-dev
    M2L_PACKAGES                        the folder holding the service packages, for
                                        `local` (default: from services.json)
    M2L_CALL_LOG                        a file that gets one line per call, so a test in
                                        another process can count them
Every call is also counted in `CALLS`.

The proxy of a Celery task is decorated with `task(service, operation)`: its `.delay(...)`
and `.apply_async(args, kwargs)` invoke the operation asynchronously (Lambda's `Event`
invocation, whatever the plan says for direct calls) and return None (no AsyncResult).
"""

from __future__ import annotations

import inspect
import json
import os
from collections import Counter
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .errors import ContractError, decode_error
from .transports import LambdaTransport, LocalTransport, environ_value
from .worker import PLAIN_JSON, RequestIds

CALLS: Counter[tuple[str, str]] = Counter()
PAYLOAD_LIMITS = {"sync": 6 * 1024 * 1024, "async": 1024 * 1024}  # bytes, Lambda's invoke limits
CONFIG_FILE = Path(__file__).with_name("services.json")
# apply_async options that only steer Celery's broker: meaningless for a Lambda invoke, ignored
BROKER_OPTIONS = frozenset({"queue", "routing_key", "exchange", "priority", "serializer", "compression", "retry",
                            "retry_policy", "headers", "task_id", "expires", "time_limit", "soft_time_limit"})
_CORRELATION_IDS = RequestIds()  # a forked caller draws ids of its own
_CONTRACTS: dict[tuple[Callable[..., Any], bool, tuple[str, ...]], Any] = {}  # each proxy's, made once
F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)


def record(cls: C) -> C:
    """The decorator of a proxy class whose instance methods are operations (instances.py, which needs
    pydantic 2: imported only by a monolith that has such a class)."""
    from . import instances

    return instances.record(cls)


class Transport(Protocol):
    def invoke(self, service: str, operation: str, payload: str, invocation: str,
               timeout: float) -> dict[str, Any] | None:
        ...


def call(service: str, operation: str, function: Callable[..., Any], arguments: Mapping[str, Any],
         invocation: str = "sync", instance: object = None, include: tuple[str, ...] = ()) -> Any:
    """Run `operation` of `service` with `arguments` (named as `function`'s parameters); an
    instance method's `instance` goes as its constructor arguments (instances.py); `include`
    names the relationships of the rows it returns that the service sends along (orm.py)."""
    contract = _contract_of(function, method=instance is not None, include=include)
    event: dict[str, Any] = {"operation": operation, "arguments": contract.dump_request(arguments),
                             "correlation_id": _CORRELATION_IDS()}
    if instance is not None:
        from . import instances  # pydantic 2's: an instance method's proxy needs it in the monolith

        event["instance"] = instances.dump(instance, operation)
    payload = PLAIN_JSON.encode_plain(event)  # the contract made it of JSON's own types
    _check_size(operation, payload, invocation)
    _count(service, operation)
    answer = transport().invoke(service, operation, payload, invocation, _timeout(service))
    if answer is None:
        return None
    if "error" in answer:
        raise decode_error(service, answer["error"])
    return contract.load_result(answer.get("result"))


def task(service: str, operation: str) -> Callable[[F], F]:
    """Give the proxy of a Celery task `.delay` and `.apply_async`: asynchronous invokes of `operation`."""
    def decorate(function: F) -> F:
        signature = inspect.signature(function)

        def delay(*args: Any, **kwargs: Any) -> None:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            call(service, operation, function, bound.arguments, invocation="async")

        def apply_async(args: tuple[Any, ...] | list[Any] | None = None, kwargs: Mapping[str, Any] | None = None,
                        **options: Any) -> None:
            unsupported = sorted(k for k, v in options.items() if v is not None and k not in BROKER_OPTIONS)
            if unsupported:
                raise ContractError(f"{operation}.apply_async: {', '.join(unsupported)} cannot be honoured by an "
                                    "asynchronous Lambda invoke (it runs at once, with no result or callbacks)")
            delay(*(args or ()), **(kwargs or {}))

        function.delay = delay  # type: ignore[attr-defined]
        function.apply_async = apply_async  # type: ignore[attr-defined]
        return function
    return decorate


def _contract_of(function: Callable[..., Any], method: bool = False, include: tuple[str, ...] = ()) -> Any:
    contract = _CONTRACTS.get((function, method, include))  # one look-up: two cached calls took four times as long
    if contract is None:
        make = _contracts()
        contract = make(function, method=method, include=include) if include else make(function, method=method)
        _CONTRACTS[function, method, include] = contract
    return contract


@cache
def _contracts() -> Callable[..., Any]:
    """contract_of; its plain-JSON caller side where this process has no pydantic 2 (plain.py)."""
    try:
        from .contract import contract_of
    except ImportError:  # the monolith's own pydantic is 1.x, or absent
        from .plain import plain_contract_of
        return plain_contract_of
    PLAIN_JSON.adopt()  # pydantic 2's JSON writes the events and reads the answers
    return contract_of


@cache
def transport() -> Transport:
    name = os.environ.get("M2L_TRANSPORT", "lambda")
    services = _config()["services"]
    if name == "local":
        base = Path(os.environ.get("M2L_PACKAGES", "")) if os.environ.get("M2L_PACKAGES") else None
        return LocalTransport({svc: _package_path(svc, spec, base) for svc, spec in services.items()})
    if name == "lambda":
        operations = {op: name for spec in services.values() for op, name in spec.get("operations", {}).items()}
        return LambdaTransport({svc: _function_name(svc, spec) for svc, spec in services.items()}, operations)
    raise ContractError(f"M2L_TRANSPORT={name!r} is not a transport; use 'local' or 'lambda'")


@cache
def _config() -> dict[str, Any]:
    return json.loads(CONFIG_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _package_path(service: str, spec: dict[str, Any], base: Path | None) -> Path:
    if base is not None:
        return base / service / "src"
    return (CONFIG_FILE.parent.parent / spec["package"]).resolve()


def _function_name(service: str, spec: dict[str, Any]) -> str:
    variable = "M2L_FUNCTION_" + service.upper().replace("-", "_")
    return os.environ.get(variable, spec["function"])


@cache
def _timeout(service: str) -> float:
    return float(_config()["services"].get(service, {}).get("timeout", 30))


def _check_size(operation: str, payload: str, invocation: str) -> None:
    size = len(payload) if payload.isascii() else len(payload.encode())  # JSON's escapes make it ASCII
    limit = PAYLOAD_LIMITS["sync" if invocation == "sync" else "async"]
    if size > limit:
        raise ContractError(f"{operation}: the request is {size:,} bytes, over Lambda's {limit:,}-byte limit")


def _count(service: str, operation: str) -> None:
    CALLS[service, operation] += 1
    log_file = environ_value("M2L_CALL_LOG")
    if log_file:
        with open(log_file, "a", encoding="utf-8") as stream:
            stream.write(f"{service} {operation}\n")
