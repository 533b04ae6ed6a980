"""A service's handler in a Python of its own: the process behind the `local` transport.

transports.LocalTransport starts one per service, on its first call, as
    python -I -B -u -c BOOT SRC SERVICE EXCLUDED FD_IN FD_OUT
so the service sees what a Lambda function would: its package's `src/` first, then the
standard library and the environment's site-packages (its requirements), and nothing of
the caller's process: no module it imported, no setting it configured, no app object it
made, no patch it applied. `-I` leaves out the current folder, PYTHONPATH and the user
site; EXCLUDED (JSON) names the caller's source folders (those holding a module of the
same top-level name as the package's), which are taken off the path, and a module found
under one of them (a `.pth` file or an editable install can still reach it) fails to
import, as it would on AWS.

Requests and answers travel on two pipes of their own (FD_IN, FD_OUT), one JSON object a
line, because stdout and stderr belong to the handler (the transport prints them, each
line after `[SERVICE]`). Messages:
    worker -> caller, once:      {"ready": true} | {"ready": false, "error": ERROR}
    caller -> worker, per call:  {"id": ID, "invocation": "sync"|"async", "deadline_ms": EPOCH_MS, "event": EVENT}
    worker -> caller, per call:  {"id": ID, "result": ANSWER, "calls": [[SERVICE, OPERATION, N], ...]}
                                 | {"id": ID, "error": ERROR, "calls": [...]}
ERROR is Lambda's error payload (`errorType` the exception's class name, `errorMessage`,
`stackTrace`). `calls` are the calls this one made to other services (counted here, added
to the caller's `client.CALLS`). The worker ends when FD_IN is closed.
It uses the standard library only until the handler is loaded.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import sys
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Sequence
from typing import IO, Any

BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); "
        "from m2l_runtime.worker import main; main(sys.argv[1:])")


_REQUEST_IDS = random.Random()  # its own generator: no system call per id, and the handler's `random` untouched


class LocalContext:
    """The parts of Lambda's context object that handlers and Powertools read."""

    def __init__(self, function_name: str, deadline_ms: int) -> None:
        self.function_name = function_name
        self.aws_request_id = str(uuid.UUID(int=_REQUEST_IDS.getrandbits(128), version=4))
        self.memory_limit_in_mb = 512
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function_name}"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


class MonolithGuard:
    """A meta path finder, first in line: a module found under one of the caller's source
    folders is not part of this package, so importing it fails."""

    def __init__(self, src: str, excluded: Sequence[str]) -> None:
        self.src = os.path.join(os.path.realpath(src), "")
        self.excluded = tuple(os.path.realpath(path) for path in excluded)

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(name, path, target)
            if spec is not None:
                break
        else:
            return None
        places = [spec.origin] if spec.origin and os.path.isabs(spec.origin) else []
        places += list(spec.submodule_search_locations or [])
        for place in places:
            if self.foreign(place):
                raise ModuleNotFoundError(f"No module named {name!r}: it is the caller's code at {place}, "
                                          "not part of this package", name=name)
        return spec

    def foreign(self, place: str) -> bool:
        real = os.path.realpath(place)
        if real.startswith(self.src):
            return False
        return any(real == root or real.startswith(os.path.join(root, "")) for root in self.excluded)


def isolate(src: str, excluded: Sequence[str]) -> None:
    guard = MonolithGuard(src, excluded)
    kept = [src]
    for entry in sys.path:
        if not os.path.isabs(entry) or entry == src:  # the current folder ("" or relative), or src again
            continue
        if not guard.foreign(entry):
            kept.append(entry)
    sys.path[:] = kept
    sys.meta_path.insert(0, guard)


def main(argv: list[str]) -> None:
    src, service, excluded, fd_in, fd_out = argv
    isolate(src, json.loads(excluded))
    os.chdir(src)
    for fd in (int(fd_in), int(fd_out)):  # processes the handler starts must not hold the pipes open
        os.set_inheritable(fd, False)
    answers = os.fdopen(int(fd_out), "w", encoding="utf-8")
    try:
        handler = importlib.import_module("handler").handler
    except BaseException as error:  # the caller gets it as the function's init error (also a SystemExit)
        send(answers, {"ready": False, "error": error_object(error)})
        return
    send(answers, {"ready": True})
    worker = os.getpid()
    counted: Counter[tuple[str, str]] = Counter()
    with os.fdopen(int(fd_in), "r", encoding="utf-8") as requests:
        for line in requests:
            request = json.loads(line)
            answer = invoke(handler, service, request)
            if os.getpid() != worker:  # a process the handler forked returned from it: it must not answer
                os._exit(0)
            answer["calls"], counted = _new_calls(counted)
            send(answers, answer)


def invoke(handler: Any, service: str, request: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = {"id": request["id"]}
    try:
        answer["result"] = handler(request["event"], LocalContext(service, request["deadline_ms"]))
    except Exception as error:
        if request.get("invocation") != "sync" and type(error).__name__ != "ContractError":
            traceback.print_exc()  # an asynchronous caller never sees it: Lambda would retry, then dead-letter it
        answer["error"] = error_object(error)
    return answer


def answer_line(answer: dict[str, Any]) -> str:
    """The answer as one line of JSON; a result JSON cannot carry is Lambda's marshal error
    (checked here, where the answer is encoded anyway: a separate check encoded it twice)."""
    try:
        return json.dumps(answer) + "\n"
    except (TypeError, ValueError) as error:
        if "result" not in answer:
            raise
        failed = {key: value for key, value in answer.items() if key != "result"}
        failed["error"] = {"errorType": "Runtime.MarshalError", "errorMessage": f"Unable to marshal response: {error}",
                           "stackTrace": []}
        return json.dumps(failed) + "\n"


def error_object(error: BaseException) -> dict[str, Any]:
    trace = error.__traceback__
    stack = traceback.format_list(traceback.extract_tb(trace.tb_next if trace and trace.tb_next else trace))
    return {"errorType": type(error).__name__, "errorMessage": str(error), "stackTrace": stack}


def send(stream: IO[str], message: dict[str, Any]) -> None:
    stream.write(answer_line(message))
    stream.flush()


def _new_calls(counted: Counter[tuple[str, str]]) -> tuple[list[list[Any]], Counter[tuple[str, str]]]:
    """The calls to other services since the last answer (this package's own client counts them)."""
    client = sys.modules.get(__name__.rpartition(".")[0] + ".client")
    if client is None:
        return [], counted
    now = Counter(client.CALLS)
    return [[svc, op, n] for (svc, op), n in (now - counted).items()], now
