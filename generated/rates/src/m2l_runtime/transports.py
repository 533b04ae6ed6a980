"""How a proxy's call reaches its service: `local` (in this process) or `lambda` (boto3).

Both take the event as JSON text and give back the service's JSON answer (None for an
asynchronous call), so anything that would not survive the wire fails here too.

The `local` transport runs the service's handler from the package's own `src/`, whose
modules have the same import names as the monolith's proxies (`shop.pricing.tax` is a
proxy in the monolith and the real code in the package). It keeps the two apart by
swapping `sys.modules` and `sys.path` around each call: the package's modules, loaded
once, live in a private table while the monolith runs, and the monolith's live in
another while the package runs. So the service keeps its own module state (its own
database engine, caches, clock) exactly as a separate Lambda would, and a shared-state
hazard shows up in tests instead of being hidden.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from .errors import ContractError, RemoteError

RUNTIME_PACKAGE = __name__.partition(".")[0]
log = logging.getLogger(__name__)


class IsolatedPackage:
    """A package's `src/`, importable only while `active()`."""

    def __init__(self, src: Path) -> None:
        self.src = src
        self.names = frozenset(_top_level_names(src)) - {RUNTIME_PACKAGE}
        self._modules: dict[str, ModuleType] = {}
        self._lock = threading.RLock()

    @contextmanager
    def active(self) -> Iterator[None]:
        with self._lock:
            outside = self._take()
            sys.modules.update(self._modules)
            sys.path.insert(0, str(self.src))
            try:
                yield
            finally:
                sys.path.remove(str(self.src))
                self._modules = self._take()
                sys.modules.update(outside)

    def _take(self) -> dict[str, ModuleType]:
        taken = {name: module for name, module in sys.modules.items() if name.partition(".")[0] in self.names}
        for name in taken:
            del sys.modules[name]
        return taken


class LocalTransport:
    def __init__(self, packages: dict[str, Path]) -> None:
        self._paths = packages
        self._packages: dict[str, IsolatedPackage] = {}

    def invoke(self, service: str, operation: str, payload: str, invocation: str,
               timeout: float) -> dict[str, Any] | None:
        package = self._package(service)
        request = json.loads(payload)
        with package.active():
            handler = importlib.import_module("handler")
            try:
                answer = handler.handler(request, LocalContext(service, timeout))
            except ContractError:
                raise
            except Exception:
                if invocation == "sync":
                    raise
                # an asynchronous caller never sees the error: Lambda would retry, then dead-letter it
                log.exception("asynchronous call to %s failed", service)
                answer = None
        return None if invocation != "sync" else json.loads(json.dumps(answer))

    def _package(self, service: str) -> IsolatedPackage:
        if service not in self._packages:
            src = self._paths.get(service)
            if src is None or not (src / "handler.py").is_file():
                raise RemoteError(service, "PackageNotFound", f"no package for service {service!r} at {src}")
            self._packages[service] = IsolatedPackage(src)
        return self._packages[service]


class LambdaTransport:
    """boto3 `invoke`; the endpoint comes from boto3's own configuration, so
    AWS_ENDPOINT_URL_LAMBDA points it at `sam local start-lambda` or `mono2lambda serve`."""

    def __init__(self, functions: dict[str, str], operations: dict[str, str] | None = None) -> None:
        self._functions = functions  # service -> function name
        self._operations = operations or {}  # operation -> its own function (a per-operation service)
        self._client: Any = None

    def invoke(self, service: str, operation: str, payload: str, invocation: str,
               timeout: float) -> dict[str, Any] | None:
        response = self._lambda(timeout).invoke(
            FunctionName=self._operations.get(operation) or self._functions[service],
            InvocationType="RequestResponse" if invocation == "sync" else "Event",
            Payload=payload.encode(),
        )
        if invocation != "sync":
            return None
        answer = json.loads(response["Payload"].read() or b"null")
        if response.get("FunctionError"):
            error = answer if isinstance(answer, dict) else {}
            if error.get("errorType") == "ContractError":
                raise ContractError(str(error.get("errorMessage")))
            raise RemoteError(service, str(error.get("errorType", "Unhandled")), str(error.get("errorMessage", "")))
        return answer  # type: ignore[no-any-return]

    def _lambda(self, timeout: float) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(read_timeout=timeout + 5, retries={"total_max_attempts": 1})
            self._client = boto3.client("lambda", config=config)
        return self._client


@dataclass
class LocalContext:
    """The parts of Lambda's context object that handlers and Powertools read."""

    function_name: str
    timeout: float

    def __post_init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.memory_limit_in_mb = 512
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{self.function_name}"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return int(self.timeout * 1000)


def _top_level_names(src: Path) -> Iterator[str]:
    for entry in src.iterdir():
        if entry.suffix == ".py":
            yield entry.stem
        elif entry.is_dir() and (entry / "__init__.py").is_file():
            yield entry.name
