"""A function's handler in a Python of its own: the process behind the `local` transport
and behind each `mono2lambda serve` worker.

It runs as
    python -I [-S] -B -u -c PROGRAM SRC FUNCTION HANDLER PATH EXCLUDED FD_IN FD_OUT
and sees what a Lambda function would: its package's `src/` (SRC) first, then the folders
of PATH (JSON: serve's installed requirements and what the Lambda runtime provides), the
standard library and, without `-S`, the environment's site-packages; nothing of the
caller's process: no module it imported, no setting it configured, no app object it made,
no patch it applied. `-I` leaves out the current folder, PYTHONPATH and the user site.
EXCLUDED (JSON) names the caller's source folders (those holding a module of the same
top-level name as the package's), which are taken off the path, and a module found under
one of them (a `.pth` file or an editable install can still reach it) fails to import, as
it would on AWS. HANDLER is `module.function`, resolved with the Lambda runtime's error
names (Runtime.ImportModuleError, Runtime.HandlerNotFound, ...). The transport imports
this module from the package (BOOT); serve runs its text (PROGRAM), so it uses the
standard library only.

Requests and answers travel on two pipes of their own (FD_IN, FD_OUT), one JSON object a
line, because stdout and stderr belong to the handler (its prints and logs go to the
caller's console, each line after `[FUNCTION]`). Messages:
    worker -> caller, once:      {"ready": true} | {"ready": false, "error": ERROR}
    caller -> worker, per call:  {"id": ID, "deadline_ms": EPOCH_MS, "event": EVENT,
                                  "invocation": "sync"|"async" (optional),
                                  "context": {"aws_request_id": ..., "invoked_function_arn": ...} (optional)}
    worker -> caller, per call:  {"id": ID, "result": ANSWER, "calls": [[SERVICE, OPERATION, N], ...]}
                                 | {"id": ID, "error": ERROR, "calls": [...]} | {"id": ID, "out_of_memory": true}
ERROR is Lambda's error payload (`errorType` the exception's class name or the runtime's
error name, `errorMessage`, `stackTrace`). `calls` are the calls this one made to other
services (counted by the package's client, added to the transport's `client.CALLS`).

Containment: with AWS_LAMBDA_FUNCTION_MEMORY_SIZE set (serve sets it) the process's
address space is limited to it before the handler is loaded; a MemoryError then answers
`out_of_memory` and the worker exits, as Lambda ends an environment that ran out of
memory. A process the handler forked never answers: only the worker speaks on the pipes.
The worker ends when FD_IN is closed.
"""

from __future__ import annotations

import importlib
import itertools
import json
import os
import random
import resource
import select
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); "
        "from m2l_runtime.worker import main; main(sys.argv[1:])")
Handler = Callable[[Any, Any], Any]

_VERSION_4 = (0x4 << 76) | (0x2 << 62)  # the version and variant bits of a random UUID
_NOT_VERSION_4 = ~((0xF << 76) | (0x3 << 62))


def uuid4_text(generator: random.Random) -> str:
    """`str(uuid.UUID(int=generator.getrandbits(128), version=4))`, without the UUID object."""
    text = "%032x" % (generator.getrandbits(128) & _NOT_VERSION_4 | _VERSION_4)
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class RequestIds:
    """Ids in a random UUID's form, unique to this process: the first 80 bits drawn at random
    once (again in a forked child), the last 48 a counter from a random start. A random UUID a
    call cost more than the rest of its context; an id is only ever compared."""

    def __init__(self) -> None:
        self._generator = random.Random()  # its own: no system call per id, the application's `random` untouched
        self.reseed()
        os.register_at_fork(after_in_child=self.reseed)

    def reseed(self) -> None:
        self._generator.seed()
        text = uuid4_text(self._generator)
        self._prefix, self._counter = text[:24], itertools.count(int(text[24:], 16))

    def __call__(self) -> str:
        return f"{self._prefix}{next(self._counter) & 0xFFFFFFFFFFFF:012x}"


new_request_id = RequestIds()


class InitError(Exception):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


class LambdaContext:
    """The context object of Lambda's Python runtime, with its values and their types (memory
    is a string): the function's from `about_function`, the request's from the caller or made up."""

    function_name: str
    function_version: str
    memory_limit_in_mb: str
    log_group_name: str
    log_stream_name: str
    invoked_function_arn: str

    def __init__(self, function: dict[str, Any], request: dict[str, Any]) -> None:
        self.__dict__.update(function)  # the attributes above, in one step (a context is made for every call)
        self.identity = self.client_context = None
        self._deadline_ms: int = request["deadline_ms"]
        given = request.get("context")
        if given:
            self.invoked_function_arn = given.get("invoked_function_arn") or function["invoked_function_arn"]
            self.aws_request_id: str = given.get("aws_request_id") or new_request_id()
        else:
            self.aws_request_id = new_request_id()

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def about_function(name: str) -> dict[str, Any]:
    """The context's values that stay the same for the worker's life: from the environment serve
    gives its workers (Lambda's variables), else made up for the `local` transport's service."""
    return {"function_name": name, "invoked_function_arn": f"arn:aws:lambda:local:000000000000:function:{name}",
            "function_version": os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            "memory_limit_in_mb": os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"),
            "log_group_name": os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", f"/aws/lambda/{name}"),
            "log_stream_name": os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "local")}


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


def isolate(src: str, excluded: Sequence[str], path: Sequence[str] = ()) -> None:
    """The path: `src`, then `path`, then what the interpreter found that is not the caller's code."""
    guard = MonolithGuard(src, excluded)
    kept = [src, *path]
    for entry in sys.path:
        if not os.path.isabs(entry) or entry in kept:  # the current folder ("" or relative), or src again
            continue
        if not guard.foreign(entry):
            kept.append(entry)
    sys.path[:] = kept
    if excluded:
        sys.meta_path.insert(0, guard)


def main(argv: list[str]) -> None:
    src, function, handler_name, path, excluded, fd_in, fd_out = argv
    isolate(src, json.loads(excluded), json.loads(path))
    os.chdir(src)
    for fd in (int(fd_in), int(fd_out)):  # processes the handler starts must not hold the pipes open
        os.set_inheritable(fd, False)
    answers = int(fd_out)
    limited = limit_memory(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"))
    try:
        handler = load_handler(handler_name)
    except InitError as error:
        send(answers, {"ready": False, "error": error_object(error, error.error_type)})
        return
    except Exception as error:  # the module raised while it was imported: the function's own error
        send(answers, {"ready": False, "error": error_object(error)})
        return
    send(answers, {"ready": True})
    PLAIN_JSON.adopt()  # pydantic_core, if the handler imported it, reads the requests
    about = about_function(function)
    forked: list[bool] = []  # set in a process the handler forks (os.getpid() is a system call, on every call)
    os.register_at_fork(after_in_child=lambda: forked.append(True))
    client = __name__.rpartition(".")[0] + ".client"
    counted: Counter[tuple[str, str]] = Counter()
    for line in request_lines(int(fd_in)):
        answer = invoke(handler, about, decode_line(line), limited)
        if forked:  # a process the handler forked returned from it: it must not answer
            os._exit(0)
        answer["calls"], counted = _new_calls(counted, client)
        send(answers, answer)
        if answer.get("out_of_memory"):
            os._exit(1)


SPIN_SECONDS = 50e-6  # how long a waiting side keeps checking before it sleeps in read()


def wait_briefly(poller: select.poll, seconds: float = SPIN_SECONDS) -> bool:
    """Whether what `poller` watches became ready within `seconds`, checked without sleeping.
    The two sides of a call take turns of some microseconds, and waking a sleeping CPU (on a
    virtual machine an idle vCPU halts) costs more than the turn: a one-line pipe ping-pong
    between two processes took 44 µs sleeping and 3.4 µs checking first (Firecracker VM). A
    side that gets nothing in this time sleeps as before, so an idle worker costs nothing."""
    until = time.perf_counter() + seconds
    while not poller.poll(0):
        if time.perf_counter() > until:
            return False
        os.sched_yield()  # a busy CPU goes to whoever waits for it (the other side, on a loaded machine)
    return True


def request_lines(fd: int) -> Iterator[bytes]:
    """The request lines read from `fd` until the caller closes it; each wait starts with `wait_briefly`."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    buffered = b""
    while True:
        while b"\n" not in buffered:
            wait_briefly(poller)
            data = os.read(fd, 1 << 16)
            if not data:
                return
            buffered += data
        line, _, buffered = buffered.partition(b"\n")
        yield line


def limit_memory(megabytes: str | None) -> bool:
    """The function's MemorySize as the limit of this process's address space (when it is set)."""
    if not megabytes or not megabytes.isdigit():
        return False
    size = int(megabytes) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (size, size))
    return True


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


def invoke(handler: Handler, function: dict[str, Any], request: dict[str, Any], limited: bool) -> dict[str, Any]:
    answer: dict[str, Any] = {"id": request["id"]}
    try:
        answer["result"] = handler(request["event"], LambdaContext(function, request))
    except Exception as error:
        if limited and isinstance(error, MemoryError):  # over the function's MemorySize
            return {"id": request["id"], "out_of_memory": True}
        if request.get("invocation", "sync") != "sync" and type(error).__name__ != "ContractError":
            traceback.print_exc()  # an asynchronous caller never sees it: Lambda would retry, then dead-letter it
        answer["error"] = error_object(error)
    return answer


def answer_line(answer: dict[str, Any]) -> str:
    """The answer as one line of JSON; a result JSON cannot carry is Lambda's marshal error
    (checked here, where the answer is encoded anyway: a separate check encoded it twice)."""
    try:
        return encode_json(answer) + "\n"
    except (TypeError, ValueError) as error:
        if "result" not in answer:
            raise
        failed = {key: value for key, value in answer.items() if key != "result"}
        failed["error"] = {"errorMessage": f"Unable to marshal response: {error}", "errorType": "Runtime.MarshalError",
                           "stackTrace": []}
        return encode_json(failed) + "\n"


class _Encoder:
    """`json.dumps(value)`, with the C encoder made once instead of on every call (most of the
    cost of encoding a small message); json.dumps itself where the C encoder is missing."""

    def __init__(self) -> None:
        self._encode = self._make()

    def __call__(self, value: Any) -> str:
        if self._encode is None:
            return json.dumps(value)
        try:
            return "".join(self._encode(value, 0))
        except BaseException:
            self._encode = self._make()  # its record of the containers being encoded is not empty now
            raise

    @staticmethod
    def _make() -> Any:
        make = getattr(json.encoder, "c_make_encoder", None)
        if make is None:
            return None
        return make({}, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None, ": ", ", ", False,
                    False, True)


encode_json = _Encoder()


class PlainJson:
    """The protocol's JSON where json's speed shows: a line read (`decode`), and a value of
    JSON's own types written (`encode_plain`: the caller's event, made by the contract in
    pydantic's JSON mode). Once the process has imported pydantic_core (`adopt`: the worker
    after loading its handler, the caller with pydantic 2's contracts), its parser and writer
    do it in a third of the time with the same values: the text differs only in spaces and
    in writing non-ASCII characters as they are. json reads what pydantic_core refuses (a lone
    surrogate escape, nesting deeper than it allows), and writes everything without it."""

    def __init__(self) -> None:
        self._decoder = json.JSONDecoder()
        self._from_json: Callable[[str | bytes], Any] | None = None
        self._to_json: Callable[..., bytes] | None = None

    def adopt(self) -> None:
        core = sys.modules.get("pydantic_core")
        to_json = getattr(core, "to_json", None)
        try:  # written as json writes them (pydantic_core too old for that: json writes)
            self._to_json = to_json if to_json and to_json(float("inf"), inf_nan_mode="constants") == b"Infinity" \
                else None
        except TypeError:
            self._to_json = None
        self._from_json = getattr(core, "from_json", None)

    def decode(self, line: str | bytes) -> Any:
        """`json.loads(line)` for one line of the protocol (no leading blank; what follows the value
        is its newline)."""
        if self._from_json is not None:
            try:
                return self._from_json(line)
            except ValueError:
                pass
        return self._decoder.raw_decode(line if isinstance(line, str) else line.decode("utf-8"))[0]

    def encode_plain(self, value: Any) -> str:
        """`json.dumps(value)` in meaning, for a value made only of dict (str keys), list, str, int,
        float, bool and None."""
        if self._to_json is None:
            return encode_json(value)
        return self._to_json(value, inf_nan_mode="constants").decode("utf-8")


PLAIN_JSON = PlainJson()
decode_line = PLAIN_JSON.decode


def error_object(error: BaseException, error_type: str | None = None) -> dict[str, Any]:
    """Lambda's error payload; the stack starts in the function's code (this module's frame is not the function's),
    and is empty for an error the runtime itself names (`error_type`)."""
    trace = error.__traceback__
    frames = [] if error_type else traceback.extract_tb(trace.tb_next if trace and trace.tb_next else trace)
    return {"errorMessage": str(error), "errorType": error_type or type(error).__name__,
            "stackTrace": traceback.format_list(frames)}


def send(fd: int, message: dict[str, Any]) -> None:
    """One line on the answer pipe, written straight to it (a text stream's write and flush took a
    third more)."""
    data = memoryview(answer_line(message).encode("utf-8"))
    while data:
        data = data[os.write(fd, data):]


def _new_calls(counted: Counter[tuple[str, str]], module: str) -> tuple[list[list[Any]], Counter[tuple[str, str]]]:
    """The calls to other services since the last answer (this package's own client, `module`, counts them)."""
    client = sys.modules.get(module)
    if client is None or dict.__eq__(client.CALLS, counted):  # compared in C (Counter's == is Python's)
        return [], counted
    now = Counter(client.CALLS)
    return [[svc, op, n] for (svc, op), n in (now - counted).items()], now


if __name__ == "__main__":  # serve runs this module's text
    main(sys.argv[1:])
