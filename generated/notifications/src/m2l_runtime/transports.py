"""How a proxy's call reaches its service: `local` (a worker process) or `lambda` (boto3).

Both take the event as JSON text and give back the service's JSON answer (None for an
asynchronous call), so anything that would not survive the wire fails here too, and both
report a failed function the same way: ContractError, or RemoteError with Lambda's
`errorType`.

The `local` transport runs each service's handler in a Python process of its own (see
worker.py), started on the service's first call and kept for the next ones, as a warm
Lambda environment is; it ends when the caller does. The process has the package's own
`src/` on its path and the environment's site-packages for its requirements, never the
caller's source folders or anything the caller imported, configured or patched: the
package's modules have the same import names as the monolith's proxies
(`shop.pricing.tax` is a proxy in the monolith and the real code in the package), and a
state shared across the boundary (module globals, Django settings, a Flask app, a
monkeypatch) fails in tests as it would on AWS instead of passing silently. Calls wait
for their answer (also asynchronous ones, so tests stay deterministic) up to the
service's timeout; a worker that exits or times out is replaced on the next call.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from .errors import ContractError, RemoteError
from .processes import kill_group, start_worker
from .worker import BOOT, decode_line, wait_briefly

HANDLER = "handler.handler"  # every package's (template.yaml)
INIT_TIMEOUT = 10.0  # seconds, Lambda's limit for a function's init phase (at least the call's timeout here)
STOP_GRACE = 1.0  # seconds a worker gets to exit once its request pipe is closed
log = logging.getLogger(__name__)
_WORKERS: weakref.WeakSet[Worker] = weakref.WeakSet()
_INVOCATIONS = {"sync": '"sync"', "async": '"async"'}  # as JSON
_PID = [os.getpid()]  # this process's id, kept by a fork hook: os.getpid() is a system call, twice a call
os.register_at_fork(after_in_child=lambda: _PID.__setitem__(0, os.getpid()))


class WorkerGone(Exception):
    """The worker exited or stopped answering; the message says how."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


class Worker:
    """One service's process and the pipes to it; one call at a time, as a Lambda environment."""

    def __init__(self, service: str, src: Path) -> None:
        self.service = service
        self.src = src
        self.lock = threading.Lock()
        self.owner = _PID[0]
        self._process: subprocess.Popen[bytes] | None = None
        self._answered = select.poll()  # polls `_answers`, registered once per worker
        self._requests = -1
        self._answers = -1
        self._buffer = b""
        self._ids = itertools.count(1)  # request ids: unique per worker, which is all an answer is checked against
        self.environment: dict[str, str] = {}
        self._environ_seen: dict[Any, Any] = {}  # `_environ_now()` when started

    @property
    def alive(self) -> bool:
        return self._process is not None and self.owner == _PID[0] and self._process.poll() is None

    def current(self) -> bool:
        """Alive, and started with the caller's environment as it is now (a changed environment is a
        configuration update: Lambda starts new environments for it, and so does this transport).
        Variables that say where the caller is rather than how it is configured (pytest's
        PYTEST_CURRENT_TEST, set anew for every test) are not compared: a new worker per test is
        not what Lambda does, and costs a cold start per service per test."""
        if not self.alive:
            return False
        now = _environ_now()
        if self._environ_seen == now:
            return True
        if _configuration(self._environ_seen) != _configuration(now):
            return False
        self._environ_seen = dict(now)  # only where the caller is changed: the worker stays warm
        return True

    def start(self, timeout: float) -> None:
        self.environment, self._environ_seen = dict(os.environ), dict(_environ_now())
        command = [sys.executable, "-I", "-B", "-u", "-c", BOOT, str(self.src), self.service, HANDLER, "[]",
                   json.dumps(excluded_roots(self.src))]
        self._process, self._requests, self._answers = start_worker(command, self.src, self.environment,
                                                                    stderr=subprocess.STDOUT)
        self._buffer = b""
        self._answered = select.poll()
        self._answered.register(self._answers, select.POLLIN)
        _WORKERS.add(self)
        assert self._process.stdout is not None
        threading.Thread(target=_print_lines, args=(self.service, self._process.stdout), daemon=True,
                         name=f"m2l-local-{self.service}").start()
        ready = self._receive(time.monotonic() + max(INIT_TIMEOUT, timeout), "loading its handler")
        if not ready.get("ready"):
            self.stop()
            error = ready.get("error") or {}
            kind = str(error.get("errorType", "InitError"))  # the runtime's own error name, or the exception's
            raise RemoteError(self.service, kind if kind.startswith("Runtime.") else f"Runtime.{kind}",
                              f"the handler did not load: {error.get('errorMessage', '')}")

    def call(self, payload: str, invocation: str, timeout: float) -> dict[str, Any]:
        request_id = f"{self.service}-{next(self._ids)}"
        deadline_ms = int((time.time() + timeout) * 1000)
        line = (f'{{"id": "{request_id}", "invocation": {_INVOCATIONS.get(invocation) or json.dumps(invocation)}, '
                f'"deadline_ms": {deadline_ms}, "event": {payload}}}\n')
        if "\n" in payload:
            line = json.dumps({"id": request_id, "invocation": invocation, "deadline_ms": deadline_ms,
                               "event": json.loads(payload)}) + "\n"
        try:
            _write_all(self._requests, line.encode())
        except OSError:
            self.kill()
            raise WorkerGone("Runtime.ExitError", f"the worker exited (status {self._status()})") from None
        answer = self._receive(time.monotonic() + timeout, f"RequestId: {request_id}")
        if answer.get("id") != request_id:
            self.kill()
            raise WorkerGone("Runtime.InvalidResponse", f"RequestId: {request_id}: the worker answered "
                             f"{str(answer.get('id'))[:40]!r} instead; it was killed and will be replaced")
        return answer

    def _receive(self, deadline: float, doing: str) -> dict[str, Any]:
        try:
            line = self._read_line(deadline)
        except TimeoutError:
            self.kill()
            raise WorkerGone("Sandbox.Timedout", f"{doing}: no answer in time; the worker was killed") from None
        if line is None:
            self.kill()
            raise WorkerGone("Runtime.ExitError", f"{doing}: the worker exited (status {self._status()})")
        return decode_line(line)  # type: ignore[no-any-return]

    def _read_line(self, deadline: float) -> bytes | None:
        chunks, buffered = [self._buffer], self._buffer
        while b"\n" not in buffered:
            if not wait_briefly(self._answered):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._answered.poll(remaining * 1000 + 1):  # ms, rounded up
                    raise TimeoutError
            buffered = os.read(self._answers, 1 << 16)
            if not buffered:
                return None
            if not chunks[0] and len(chunks) == 1 and buffered[-1:] == b"\n" and buffered.count(b"\n") == 1:
                self._buffer = b""  # the usual case: one read, one whole answer
                return buffered[:-1]
            chunks.append(buffered)
        line, _, self._buffer = b"".join(chunks).partition(b"\n")
        return line

    def stop(self) -> None:
        """Close the request pipe (the worker's loop ends), wait a little, then kill what is left."""
        self._close()
        if self._process is not None and self.owner == _PID[0]:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=STOP_GRACE)
        self.kill()

    def kill(self) -> None:
        """The worker's whole process group: whatever its handler started ends with it."""
        self._close()
        if self._process is not None and self.owner == _PID[0]:
            kill_group(self._process)

    def _close(self) -> None:
        for fd in (self._requests, self._answers):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._requests = self._answers = -1

    def _status(self) -> int | None:
        if self._process is None:
            return None
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self._process.wait(timeout=STOP_GRACE)
        return None


class LocalTransport:
    def __init__(self, packages: dict[str, Path]) -> None:
        self._paths = packages
        self._workers: dict[str, Worker] = {}
        self._lock = threading.Lock()

    def invoke(self, service: str, operation: str, payload: str, invocation: str,
               timeout: float) -> dict[str, Any] | None:
        worker = self._worker(service)
        with worker.lock:
            try:
                if not worker.current():
                    worker.stop()
                    worker.start(timeout)
                answer = worker.call(payload, invocation, timeout)
            except WorkerGone as gone:
                raise RemoteError(service, gone.error_type, str(gone)) from None
        _count_calls(answer.get("calls") or ())
        error = answer.get("error")
        if error is not None:
            if error.get("errorType") == "ContractError":
                raise ContractError(str(error.get("errorMessage")))
            if invocation == "sync":
                raise RemoteError(service, str(error.get("errorType", "Unhandled")), str(error.get("errorMessage", "")))
            # an asynchronous caller never sees the error: Lambda would retry, then dead-letter it
            log.error("asynchronous call to %s failed: %s: %s", service, error.get("errorType"),
                      error.get("errorMessage"))
            return None
        return answer.get("result") if invocation == "sync" else None

    def stop(self) -> None:
        for worker in self._workers.values():
            worker.stop()

    def _worker(self, service: str) -> Worker:
        worker = self._workers.get(service)
        if worker is not None and worker.owner == _PID[0]:  # the usual case, without the lock
            return worker
        with self._lock:
            worker = self._workers.get(service)
            if worker is None or worker.owner != _PID[0]:  # a forked caller starts its own
                src = self._paths.get(service)
                if src is None or not (src / "handler.py").is_file():
                    raise RemoteError(service, "PackageNotFound", f"no package for service {service!r} at {src}")
                worker = self._workers[service] = Worker(service, src.resolve())
            return worker


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


def excluded_roots(src: Path) -> list[str]:
    """The caller's folders that hold a module named as one of the package's: its source
    tree (where the monolith's proxies live), kept off the worker's path. A site-packages
    folder is not excluded as a whole, only the module in it."""
    names = set(_top_level_names(src))
    roots: set[str] = set()
    for entry in sys.path:
        folder = Path(entry or os.getcwd()).resolve()
        if folder == src or not folder.is_dir():
            continue
        found = [folder / name for name in names if (folder / name).is_dir() or (folder / f"{name}.py").is_file()]
        if not found:
            continue
        if folder.name in ("site-packages", "dist-packages"):
            roots.update(str(path) if path.is_dir() else f"{path}.py" for path in found)
        else:
            roots.add(str(folder))
    return sorted(roots)


def _top_level_names(src: Path) -> Iterator[str]:
    for entry in src.iterdir():
        if entry.suffix == ".py":
            yield entry.stem
        elif entry.is_dir() and (entry / "__init__.py").is_file():
            yield entry.name


VOLATILE = frozenset({"PYTEST_CURRENT_TEST", b"PYTEST_CURRENT_TEST"})  # the caller's whereabouts


def _configuration(environ: Mapping[Any, Any]) -> dict[Any, Any]:
    return {k: v for k, v in environ.items() if k not in VOLATILE}


def environ_value(name: str) -> str | None:
    """`os.environ.get(name)`, read where `_environ_now` reads (encoding the name for `os.environ`
    costs more than the lookup, on every call)."""
    data = getattr(os.environ, "_data", None)
    if not isinstance(data, dict):
        return os.environ.get(name)
    value = data.get(name.encode())
    return None if value is None else os.fsdecode(value)


def _environ_now() -> Mapping[Any, Any]:
    """The environment, in a form cheap to compare on every call: CPython keeps the encoded
    variables of `os.environ` in a plain dict, compared in C (comparing `os.environ` itself
    decodes every variable: a third of a call's own time); `os.environ` elsewhere."""
    data = getattr(os.environ, "_data", None)
    return data if isinstance(data, dict) else os.environ


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _print_lines(service: str, stream: IO[bytes]) -> None:
    """The worker's stdout and stderr, each line after `[service]` on the caller's stderr."""
    with stream:
        for raw in stream:
            with contextlib.suppress(Exception):  # the caller's stderr may be gone at exit
                sys.stderr.write(f"[{service}] {raw.decode('utf-8', 'replace').rstrip()}\n")


def _count_calls(calls: Any) -> None:
    """Calls a service made to other services count in this process's CALLS too."""
    if calls:
        from .client import CALLS

        for service, operation, count in calls:
            CALLS[service, operation] += count


@atexit.register
def _stop_workers() -> None:
    workers = [worker for worker in list(_WORKERS) if worker.owner == _PID[0]]
    for worker in workers:
        worker._close()
    for worker in workers:
        worker.stop()
