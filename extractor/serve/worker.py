"""One worker process: a function's package loaded in a Python of its own, and the pipes to it.

The process runs the text of m2l_runtime/worker.py, the program behind the `local` transport
too (see there for the message format and the memory limit), with `python -I -S -B`:
isolated (no PYTHON* variables, no user site, no current folder on the path), without
`site` (no site-packages at all: its path is what Lambda's is, the package's `src/`, its
installed requirements, what the Lambda runtime provides, the standard library) and writing
no bytecode into the package; in a session of its own, so that killing it (a timeout, an
exit, serve's end) kills its whole process group: whatever the handler started ends with it.
Every answer carries its request's id and must match the call waiting for it: an answer
for another request (a handler that forked and answered twice, or wrote to the answer
pipe) would hand one caller another's answer, so the worker is killed instead and the
call fails with `Runtime.InvalidResponse` (the runner starts a fresh worker).
Its stdout and stderr are read line by line by two threads and handed to `on_line` with
the function's name in front; its answers are read by a third thread into a queue, so an
invocation can wait for its answer with a timeout.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import IO, Any

from ..runtime.m2l_runtime import worker as worker_program
from ..runtime.m2l_runtime.processes import kill_group, start_worker
from .functions import FunctionSpec
from .protocol import Outcome, exited, failed, out_of_memory, timed_out

INIT_TIMEOUT = 10.0  # seconds, Lambda's limit for a function's init phase
STOP_GRACE = 2.0  # seconds a worker gets to exit once its request pipe is closed
Sink = Callable[[str], None]
Answer = dict[str, Any] | None  # None: the worker closed its answer pipe (it exited)


@cache
def program_source() -> str:
    return Path(worker_program.__file__).read_text(encoding="utf-8")


class Worker:
    def __init__(self, spec: FunctionSpec, folders: tuple[Path, Path], environment: Mapping[str, str],
                 on_line: Sink, python: str = sys.executable) -> None:
        """`folders`: the package's installed requirements, and what the Lambda runtime provides;
        `python`: the interpreter it runs (the app's, of the template's runtime)."""
        self.spec = spec
        self._python = python
        self._folders = folders
        self._environment = {**environment, "AWS_LAMBDA_LOG_STREAM_NAME": _log_stream()}
        self._on_line = on_line
        self._answers: queue.Queue[Answer] = queue.Queue()
        self._process: subprocess.Popen[bytes] | None = None
        self._requests: IO[str] | None = None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> Outcome | None:
        """Start the process and load the handler: None when ready, else the init error to answer with."""
        command = [self._python, "-I", "-S", "-B", "-u", "-c", program_source(), str(self.spec.code), self.spec.name,
                   self.spec.handler, json.dumps(list(map(str, self._folders))), "[]"]
        self._process, requests, answers = start_worker(command, self.spec.code, self._environment,
                                                        stderr=subprocess.PIPE)
        self._requests = os.fdopen(requests, "w", encoding="utf-8")
        self._follow(answers)
        return self._ready()

    def invoke(self, request_id: str, arn: str, event: Any) -> Outcome:
        """Run one invocation; on a timeout the worker is killed (a later call starts another)."""
        timeout = float(self.spec.timeout)
        message = {"id": request_id, "deadline_ms": int((time.time() + timeout) * 1000), "event": event,
                   "context": {"aws_request_id": request_id, "invoked_function_arn": arn}}
        if not self._send(message):
            return exited(request_id, self._exit_code())
        try:
            answer = self._answers.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            return timed_out(request_id, timeout)
        if answer is None:
            return exited(request_id, self._exit_code())
        if answer.get("id") != request_id:
            self.kill()
            return failed("Runtime.InvalidResponse", f"RequestId: {request_id} Error: the worker answered "
                          f"{_clip(answer.get('id'))} instead (a handler that forks and returns in both processes, "
                          "or writes to the runtime's answer pipe); the worker was killed and will be replaced")
        if answer.get("out_of_memory"):
            self.kill()
            return out_of_memory(request_id, self.spec.memory)
        return _outcome(answer)

    def stop(self) -> None:
        """Let the worker finish its loop and exit; kill it if it does not."""
        if self._requests is not None and not self._requests.closed:
            with contextlib.suppress(OSError):  # the worker is gone already
                self._requests.close()
        if self._process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=STOP_GRACE)
            self.kill()  # the worker, if it is still there, and whatever it started

    def kill(self) -> None:
        """Kill the worker's whole process group, also when the worker itself has exited already."""
        if self._process is not None:
            kill_group(self._process)

    def _follow(self, answer_read: int) -> None:
        assert self._process is not None and self._process.stdout and self._process.stderr
        for target, stream in ((self._read_answers, answer_read), (self._stream, self._process.stdout),
                               (self._stream, self._process.stderr)):
            threading.Thread(target=target, args=(stream,), daemon=True,
                             name=f"m2l-serve-{self.spec.name}").start()

    def _ready(self) -> Outcome | None:
        try:
            answer = self._answers.get(timeout=INIT_TIMEOUT)
        except queue.Empty:
            self.kill()
            return failed("Runtime.InitTimeout", f"{self.spec.name}: the handler {self.spec.handler} did not load "
                          f"within {INIT_TIMEOUT:.0f} seconds")
        if answer is not None and answer.get("ready"):
            return None
        self.stop()
        if answer is None:
            return failed("Runtime.ExitError", f"{self.spec.name}: the worker exited while loading "
                          f"{self.spec.handler} (exit status {self._exit_code()})")
        return _outcome(answer)

    def _send(self, message: dict[str, Any]) -> bool:
        assert self._requests is not None
        try:
            self._requests.write(json.dumps(message) + "\n")
            self._requests.flush()
        except (OSError, ValueError):  # the worker died: broken pipe, or the pipe is closed already
            return False
        return True

    def _exit_code(self) -> int | None:
        if self._process is None:
            return None
        try:
            return self._process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.kill()
            return self._process.returncode

    def _read_answers(self, answer_read: int) -> None:
        with os.fdopen(answer_read, "r", encoding="utf-8") as answers:
            for line in answers:
                self._answers.put(json.loads(line))
        self._answers.put(None)

    def _stream(self, stream: IO[bytes]) -> None:
        with stream:
            for raw in stream:
                self._on_line(f"[{self.spec.name}] {raw.decode('utf-8', 'replace').rstrip()}")


def _outcome(answer: dict[str, Any]) -> Outcome:
    error = answer.get("error")
    if error is not None:
        return Outcome(json.dumps(error).encode(), str(error.get("errorType", "Unhandled")))
    return Outcome(json.dumps(answer.get("result")).encode())


def _clip(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _log_stream() -> str:
    """Like Lambda's: one stream per execution environment, named by date and an id."""
    return f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"
