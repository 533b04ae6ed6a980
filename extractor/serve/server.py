"""The HTTP side of `serve`: Lambda's Invoke API on 127.0.0.1, each function run by its runner.

`LambdaServer.handle` turns one HTTP request into one response (protocol.py has the wire
format); the threaded HTTP server only moves bytes. Each finished invocation is reported
to `on_invocation` (the CLI prints it as one line) and counted in `counts`, so a test can
tell that the calls really reached the workers.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType

from .functions import FunctionSpec, function_arn, region_of, worker_environment
from .httpbase import FramingError, LocalHttpServer, OneWriteHandler, body_length
from .plan import ServePlan
from .protocol import (
    DRY_RUN,
    EVENT,
    ApiError,
    InvokeRequest,
    Outcome,
    Response,
    accepted_response,
    api_error_response,
    dry_run_response,
    invoke_response,
    limit_response_size,
    not_found,
    parse_invoke,
)
from .runner import DEFAULT_MAX_WORKERS, Call, FunctionRunner
from .worker import Worker

HOST = "127.0.0.1"  # never another interface: the endpoint runs code for whoever can reach it
DEFAULT_PORT = 9001
MAX_BODY = 16 * 1024 * 1024  # bytes read at most; a larger body is refused without reading it
MAX_THREADS = 256  # requests answered at once (a sync call holds its thread while it runs); more wait
DRAIN_SECONDS = 10.0  # how long stopping waits for the Event calls already accepted


@dataclass(frozen=True)
class Invocation:
    """One finished invocation, for the console."""

    function: str
    request_id: str
    invocation: str
    duration_ms: float
    status: str  # "ok", or the error's type


def _ignore(_: object) -> None:
    return None


class LambdaServer:
    def __init__(self, plan: ServePlan, *, port: int = DEFAULT_PORT, environ: Mapping[str, str] | None = None,
                 on_line: Callable[[str], None] = _ignore, on_invocation: Callable[[Invocation], None] = _ignore,
                 max_workers: int = DEFAULT_MAX_WORKERS, region: str | None = None) -> None:
        self._port = port
        self._environ = dict(os.environ if environ is None else environ)
        self._region = region or region_of(self._environ)
        self._on_invocation = on_invocation
        self._on_line = on_line
        self._runners = {spec.name: FunctionRunner(spec, self._worker_factory(plan, spec, on_line), max_workers,
                                                   on_line) for spec in plan.functions}
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._http: _HttpServer | None = None

    @property
    def url(self) -> str:
        port = self._http.server_address[1] if self._http is not None else self._port
        return f"http://{HOST}:{port}"

    def start(self) -> str:
        """Listen (port 0 picks a free one) and serve in a background thread; returns the URL."""
        self._http = _HttpServer((HOST, self._port), _HttpHandler, MAX_THREADS)
        self._http.app = self
        threading.Thread(target=self._http.serve_forever, daemon=True, name="m2l-serve-http").start()
        return self.url

    def stop(self, drain: float = DRAIN_SECONDS) -> int:
        """Stop listening, let the queued Event calls run for up to `drain` seconds in all, then kill every
        worker and what it started; returns (and reports) how many accepted Event calls did not run."""
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        deadline = time.monotonic() + drain
        dropped = sum(runner.close(deadline) for runner in self._runners.values())
        if dropped:
            self._on_line(f"serve stopped: {dropped} accepted Event call(s) were dropped")
        return dropped

    def __enter__(self) -> LambdaServer:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Response:
        request_id = str(uuid.uuid4())
        try:
            request = parse_invoke(method, target, headers, body)
            runner = self._runner(request)
        except ApiError as error:
            return api_error_response(error, request_id)
        call = Call(request_id, function_arn(request.function, self._region, request.qualifier), request.event)
        if request.invocation == DRY_RUN:
            return dry_run_response(request_id)
        started = time.monotonic()
        if request.invocation == EVENT:
            runner.submit(call, lambda outcome: self._record(request, call, started, outcome))
            return accepted_response(request_id)
        outcome = limit_response_size(runner.invoke(call))
        self._record(request, call, started, outcome)
        return invoke_response(outcome, request_id)

    def _runner(self, request: InvokeRequest) -> FunctionRunner:
        runner = self._runners.get(request.function)
        if runner is None:
            raise not_found(function_arn(request.function, self._region, request.qualifier))
        return runner

    def _record(self, request: InvokeRequest, call: Call, started: float, outcome: Outcome) -> None:
        with self._lock:
            self.counts[request.function] += 1
        self._on_invocation(Invocation(request.function, call.request_id, request.invocation,
                                       (time.monotonic() - started) * 1000, outcome.error_type or "ok"))

    def _worker_factory(self, plan: ServePlan, spec: FunctionSpec,
                        on_line: Callable[[str], None]) -> Callable[[], Worker]:
        folders = (plan.dependencies[spec.name].target, plan.runtimes[spec.name].target)
        python = plan.python_of(spec.name).executable
        # a worker starts on a call, so after start(): the URL (and a port 0's real port) is known
        return lambda: Worker(spec, folders, worker_environment(spec, self._environ, self._region, self.url),
                              on_line, python)


class _HttpServer(LocalHttpServer):
    app: LambdaServer


class _HttpHandler(OneWriteHandler):
    """Reads the request, asks the app for the response, writes it; keeps connections alive."""

    protocol_version = "HTTP/1.1"
    server: _HttpServer

    def do_POST(self) -> None:
        try:
            length = body_length(self.command, dict(self.headers.items()), MAX_BODY)
        except FramingError as error:
            self.close_connection = True
            self._send(api_error_response(ApiError(error.status, "InvalidRequestContentException", error.message),
                                          "-"))
            return
        if length > MAX_BODY:
            self.close_connection = True
            self._send(api_error_response(ApiError(413, "RequestTooLargeException",
                                                   f"Request must be smaller than {MAX_BODY} bytes"), "-"))
            return
        body = self.rfile.read(length)
        try:
            response = self.server.app.handle(self.command, self.path, dict(self.headers.items()), body)
        except Exception as error:  # a bug of serve's: the client still gets an answer, as from AWS
            response = api_error_response(ApiError(500, "ServiceException", f"{type(error).__name__}: {error}"), "-")
        self._send(response)

    do_GET = do_PUT = do_DELETE = do_POST

    def _send(self, response: Response) -> None:
        self.send_whole(response.status, response.headers, response.body)

    def log_message(self, format: str, *args: object) -> None:  # the app reports invocations itself
        return None
