"""The Lambda handler side: one `Service` per package routes events to its operations.

The event of a direct invocation is `{"operation": NAME, "arguments": {...}}` (plus an
optional `correlation_id`). The handler validates the arguments against the operation's
contract before the code runs (a malformed event raises ContractError: the code never
sees it), rebuilds the real argument types, calls the original function, and answers
`{"result": ...}` through the contract, or `{"error": {...}}` when the code raised.
An operation that takes a SQLAlchemy session or rows runs in a unit of work of its own
(orm.py): its session is opened here, the rows loaded in it, and it commits when the
operation returns and rolls back when it raises. In a package that boots Django, every
operation runs in a `transaction.atomic()` of its own the same way (unless the function
opts out with `@transaction.non_atomic_requests`).
An asynchronous operation raises instead, so Lambda retries it and then sends the event
to the dead-letter queue.

Nothing is imported at import time beyond this runtime and what the framework imports
when the handler boots it (bootstrap.py: Django's installed apps, the Flask app): an
operation's module is imported on its first call, which keeps cold starts to what the
operation needs.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .contract import Contract, contract_of
from .errors import ContractError, encode_error
from .instances import rebuilder, resolve
from .orm import unit_of_work
from .triggers import serve

try:  # the standard structured logger on Lambda; optional so a bare test environment still runs
    from aws_lambda_powertools import Logger
except ImportError:  # pragma: no cover - exercised only without Powertools installed
    Logger = None  # type: ignore[assignment,misc]


@dataclass(frozen=True)
class Operation:
    """Where an operation's code lives and how it is invoked: `sync`, `async`, or the kind of
    event that triggers it (a triggered operation can still be called directly, as the
    monolith's proxies do)."""

    module: str
    function: str  # its name in the module: `function`, or `Class.method` (instances.py)
    invocation: str = "sync"
    include: tuple[str, ...] = ()  # relationships of the rows it returns, sent along (orm.py)

    def load(self) -> Callable[..., Any]:
        return resolve(self.module, self.function)[0]

    def instance_class(self) -> type | None:
        """The class an instance method runs on (rebuilt for each call), else None."""
        return resolve(self.module, self.function)[1]

    def contract(self) -> Contract:
        return contract_of(self.load(), method=self.instance_class() is not None, include=self.include)

    def patch(self, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
        """Replace the operation's code with `wrap(code)`, of the same kind (a staticmethod or
        classmethod stays one): the generated tests record the calls this way."""
        *owners, name = self.function.split(".")
        holder: Any = importlib.import_module(self.module)
        for owner in owners:
            holder = getattr(holder, owner)
        static = inspect.getattr_static(holder, name)
        if isinstance(static, (staticmethod, classmethod)):
            setattr(holder, name, type(static)(wrap(static.__func__)))
        else:
            setattr(holder, name, wrap(getattr(holder, name)))


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stdout` is at the time: test runners swap it (and the local
    transport runs handlers inside the monolith's process), while a plain StreamHandler
    would keep writing to the stream it was created with, long closed."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class Service:
    def __init__(self, name: str, operations: Mapping[str, Operation]) -> None:
        self.name = name
        self.operations = dict(operations)
        self.logger = Logger(service=name, logger_handler=_StdoutHandler()) if Logger is not None else None
        self._records = logging.getLogger(self.logger.name if self.logger is not None else name)  # its stdlib logger

    def handle(self, event: Any, context: object = None) -> dict[str, Any]:
        operation_name, arguments = self._route(event)
        operation = self.operations[operation_name]
        self._log_start(event, context, operation_name)
        function, cls = resolve(operation.module, operation.function)
        contract = contract_of(function, method=cls is not None, include=operation.include)
        args, kwargs = contract.load_request(arguments)
        build = rebuilder(cls, event.get("instance"), operation_name) if cls is not None else None
        own = contract.transaction == "own"
        try:
            if not own and build is None and not contract.rows:  # nothing to open, load or rebuild: most calls
                result = function(*args, **kwargs)
            else:  # commits on return, rolls back on a raise
                with unit_of_work(operation_name, contract.needs_session, contract.django_atomic) as session:
                    args, kwargs = contract.bind(session, args, kwargs)
                    if build is not None:  # an instance method: on an object rebuilt from the caller's arguments
                        function = getattr(build(), operation.function.rsplit(".", 1)[-1])
                    result = function(*args, **kwargs)
                    if own:  # while its session is open
                        return {"result": contract.dump_result(result)}
        except Exception as exc:
            if operation.invocation == "async":
                raise
            self._log_error(operation_name, exc)
            return {"error": encode_error(exc)}
        return {"result": contract.dump_result(result)}

    def trigger(self, operation_name: str, event: object, context: object = None) -> dict[str, Any]:
        """An event-triggered operation: its event source's event in, the answer that source
        expects out. Each trigger has its own Lambda function, so the operation is named by
        the generated handler, not by the event; triggers.py holds the rules per kind."""
        operation = self.operations.get(operation_name)
        if operation is None:
            raise ContractError(f"{self.name}: unknown operation {operation_name!r}")
        self._log_start(event if isinstance(event, dict) else {}, context, operation_name)
        function, cls = resolve(operation.module, operation.function)
        if cls is not None:  # an event carries no constructor arguments: the class's defaults
            function = getattr(rebuilder(cls, None, operation_name)(), operation.function.rsplit(".", 1)[-1])
        return serve(operation.invocation, function, event, context)

    def _route(self, event: object) -> tuple[str, object]:  # the operation's name, and its arguments
        if not isinstance(event, dict) or not isinstance(event.get("operation"), str):
            raise ContractError(f"{self.name}: the event must be an object with an 'operation' name")
        name = event["operation"]
        if name not in self.operations:
            known = ", ".join(sorted(self.operations))
            raise ContractError(f"{self.name}: unknown operation {name!r}; this service has: {known}")
        return name, event.get("arguments", {})

    def _log_start(self, event: dict[str, Any], context: object, operation: str) -> None:
        if self.logger is None:
            return
        keys = {"request_id": context.aws_request_id} if hasattr(context, "aws_request_id") else {}
        # one call for the three keys (set_correlation_id is append_keys(correlation_id=...)), straight to
        # the formatter that Logger.append_keys reaches through two properties: the handler given to the
        # Logger (which its registered_handler answers) and that handler's formatter
        formatter: Any = self.logger.logger_handler.formatter
        formatter.append_keys(**keys, correlation_id=event.get("correlation_id"), operation=operation)
        # a record nobody keeps costs as much as the keys: made only when DEBUG is on, or when Powertools
        # buffers what is below its level (attribute unknown to this Powertools version: assume it does)
        if getattr(self.logger, "_buffer_config", True) or self._records.isEnabledFor(logging.DEBUG):
            self.logger.debug("invoked")

    def _log_error(self, operation: str, exc: Exception) -> None:
        if self.logger is not None:
            self.logger.info("operation raised", extra={"operation": operation, "error": type(exc).__name__})
