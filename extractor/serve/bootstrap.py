"""The program of a worker process: load one handler, then run the invocations it is sent.

It is not imported by the server: its text is run with `python -I -S -B -u -c TEXT SRC DEPS
RUNTIME HANDLER FD_IN FD_OUT`, i.e. isolated (no PYTHON* variables, no user site, no current
folder on the path), without `site` (no site-packages at all) and writing no bytecode into
the package. So it must use the standard library only. Its path is what Lambda's is: the
package's `src/` (`/var/task`), its installed requirements, what the Lambda runtime
provides (boto3; `/var/runtime`), then the standard library. Whatever else the handler
imports is missing here as it would be on AWS.

Requests and answers travel on two pipes of their own (FD_IN, FD_OUT), one JSON object per
line, because stdout and stderr belong to the handler: its prints and logs stream to the
server's console as they would to CloudWatch. Messages:
    worker -> server, once:        {"ready": true} | {"ready": false, "error": ERROR}
    server -> worker, per call:    {"id": REQUEST_ID, "arn": ARN, "deadline_ms": EPOCH_MS, "event": EVENT}
    worker -> server, per call:    {"id": REQUEST_ID, "payload": JSON_TEXT} | {"id": REQUEST_ID, "error": ERROR}
ERROR is Lambda's error payload, with Lambda's error names for what the runtime itself
detects (Runtime.ImportModuleError, Runtime.HandlerNotFound, Runtime.MarshalError, ...).

Containment: the process's address space is limited to the function's MemorySize
(RLIMIT_AS, from AWS_LAMBDA_FUNCTION_MEMORY_SIZE) before the handler is loaded; a
MemoryError answers `{"id": ..., "out_of_memory": true}` and the worker exits, as Lambda
ends an environment that ran out of memory. A process the handler forked never answers
and never reads a request: only the worker itself speaks on the pipes.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import sys
import time
import traceback
from collections.abc import Callable
from typing import IO, Any

Handler = Callable[[Any, Any], Any]


class InitError(Exception):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


class LambdaContext:
    """The context object of the Python runtime, with its values and their types (memory is a string)."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.aws_request_id: str = request["id"]
        self.invoked_function_arn: str = request["arn"]
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self._deadline_ms: int = request["deadline_ms"]

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def main(argv: list[str]) -> None:
    src, deps, runtime, handler_name, fd_in, fd_out = argv
    sys.path[:0] = [src, deps, runtime]
    os.chdir(src)
    for fd in (int(fd_in), int(fd_out)):  # processes the handler starts must not hold the pipes open
        os.set_inheritable(fd, False)
    answers = os.fdopen(int(fd_out), "w", encoding="utf-8")
    limit_memory(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"))
    worker = os.getpid()
    try:
        handler = load_handler(handler_name)
    except InitError as error:
        send(answers, {"ready": False, "error": error_object(error.error_type, str(error))})
        return
    except Exception as error:  # the module raised while it was imported: the function's own error
        send(answers, {"ready": False, "error": exception_object(error)})
        return
    send(answers, {"ready": True})
    with os.fdopen(int(fd_in), "r", encoding="utf-8") as requests:
        for line in requests:
            answer = invoke(handler, json.loads(line))
            if os.getpid() != worker:  # a process the handler forked returned from it: it must not answer
                os._exit(0)
            send(answers, answer)
            if answer.get("out_of_memory"):
                os._exit(1)


def limit_memory(megabytes: str | None) -> None:
    """The function's MemorySize as the limit of this process's address space."""
    if megabytes and megabytes.isdigit():
        size = int(megabytes) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))


def load_handler(name: str) -> Handler:
    """`module.function` as Lambda's Python runtime resolves it, with its error names."""
    module_name, _, function_name = name.rpartition(".")
    if not module_name or not function_name:
        raise InitError("Runtime.MalformedHandlerName", f"Bad handler '{name}': not enough values to unpack")
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise InitError("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}") from error
    except SyntaxError as error:
        raise InitError("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {error}") from error
    handler = getattr(module, function_name, None)
    if handler is None:
        raise InitError("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")
    return handler  # type: ignore[no-any-return]


def invoke(handler: Handler, request: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = {"id": request["id"]}
    try:
        result = handler(request["event"], LambdaContext(request))
    except MemoryError:
        answer["out_of_memory"] = True
        return answer
    except Exception as error:
        answer["error"] = exception_object(error)
        return answer
    try:
        answer["payload"] = json.dumps(result)
    except (TypeError, ValueError) as error:
        answer["error"] = error_object("Runtime.MarshalError", f"Unable to marshal response: {error}")
    return answer


def exception_object(error: BaseException) -> dict[str, Any]:
    stack = traceback.format_list(traceback.extract_tb(_user_frames(error)))
    return error_object(type(error).__name__, str(error), stack)


def _user_frames(error: BaseException) -> Any:
    """The traceback from the handler on: the bootstrap's own frame is not the function's."""
    trace = error.__traceback__
    return trace.tb_next if trace is not None and trace.tb_next is not None else trace


def error_object(error_type: str, message: str, stack: list[str] | None = None) -> dict[str, Any]:
    return {"errorMessage": message, "errorType": error_type, "stackTrace": stack or []}


def send(stream: IO[str], message: dict[str, Any]) -> None:
    stream.write(json.dumps(message) + "\n")
    stream.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
