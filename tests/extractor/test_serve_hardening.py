"""`serve`'s workers under attack or fault: answers matched to their request, the wait for
Event calls bounded, draining on stop, memory limits and whole process groups killed.

Fast: one throwaway package, workers and runners driven directly (no HTTP, no pip)."""

from __future__ import annotations

import http.client
import os
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractor.serve.deps import Install
from extractor.serve.functions import FunctionSpec, worker_environment
from extractor.serve.plan import ServePlan
from extractor.serve.runner import Call, FunctionRunner
from extractor.serve.server import LambdaServer
from extractor.serve.worker import Worker

APP = '''\
import os, subprocess, sys, time

STATE = []


def echo(event, context):
    time.sleep(event.get("sleep", 0))
    return {"echo": event.get("value"), "request": context.aws_request_id}


def fork_twice(event, context):
    os.fork()  # both processes return: two answers for one request
    return {"echo": event.get("value")}


def inject(event, context):
    os.write(int(sys.argv[-1]), b'{"id": "someone-else", "payload": "\\\\"stolen\\\\""}\\n')
    return {"echo": event.get("value")}


def hog(event, context):
    STATE.append(bytearray(event["mb"] * 1024 * 1024))
    return len(STATE)


def spawn(event, context):
    child = subprocess.Popen(["sleep", "300"])
    open(event["pidfile"], "w").write(str(child.pid))
    time.sleep(event.get("sleep", 0))
    return child.pid


def relay(event, context):
    """Invokes hard-echo where AWS_ENDPOINT_URL_LAMBDA points, as boto3 would."""
    import json, urllib.request
    url = os.environ["AWS_ENDPOINT_URL_LAMBDA"] + "/2015-03-31/functions/hard-echo/invocations"
    with urllib.request.urlopen(urllib.request.Request(url, json.dumps(event).encode(), method="POST")) as answer:
        return {"relayed": json.loads(answer.read())["echo"]}


def add(event, context):
    time.sleep(event.get("sleep", 0))
    STATE.append(event["add"])
    return list(STATE)
'''


def spec(root: Path, handler: str, *, timeout: int = 5, memory: int = 256) -> FunctionSpec:
    return FunctionSpec(name=f"hard-{handler.split('.')[-1]}", package="hard", logical_id="F", handler=handler,
                        code=root / "src", requirements=root / "requirements.txt", timeout=timeout, memory=memory)


@pytest.fixture()
def package(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(textwrap.dedent(APP))
    for folder in ("deps", "runtime"):
        (tmp_path / folder).mkdir()
    return tmp_path


def runner_for(root: Path, handler: str, notes: list[str] | None = None, **options: int) -> FunctionRunner:
    function = spec(root, handler, **options)
    environment = worker_environment(function, {"PATH": os.environ.get("PATH", "")})
    folders = (root / "deps", root / "runtime")
    return FunctionRunner(function, lambda: Worker(function, folders, environment, lambda line: None), 2,
                          (notes if notes is not None else []).append)


@pytest.fixture()
def runners() -> Iterator[list[FunctionRunner]]:
    made: list[FunctionRunner] = []
    yield made
    for runner in made:
        runner.close()


def call(runner: FunctionRunner, request_id: str, event: object) -> tuple[bytes, str | None]:
    outcome = runner.invoke(Call(request_id, "arn:aws:lambda:us-east-1:000000000000:function:f", event))
    return outcome.payload, outcome.error_type


def gone(pid: int, within: float = 5.0) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a zombie is gone for our purpose (its parent, init, reaps it)
            if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


# -- answers belong to their request ----------------------------------------------------------------------------

def test_a_handler_that_forks_never_shifts_answers_to_the_wrong_caller(package: Path,
                                                                      runners: list[FunctionRunner]) -> None:
    runners.append(runner := runner_for(package, "app.fork_twice"))
    for n in range(6):
        payload, error = call(runner, f"req-{n}", {"value": n})
        assert error is None, payload
        assert payload == f'{{"echo": {n}}}'.encode()


def test_an_answer_for_another_request_kills_the_worker_and_fails_that_call(package: Path,
                                                                           runners: list[FunctionRunner]) -> None:
    runners.append(injector := runner_for(package, "app.inject"))
    payload, error = call(injector, "req-1", {"value": 1})
    assert error == "Runtime.InvalidResponse" and b"stolen" not in payload and b"someone-else" in payload
    runners.append(echo := runner_for(package, "app.echo"))
    assert call(echo, "req-2", {"value": 2}) == (b'{"echo": 2, "request": "req-2"}', None)


# -- Event ordering is bounded, and stopping drains ------------------------------------------------------------

def test_the_wait_for_earlier_event_calls_is_bounded_by_the_timeout_and_reported(package: Path,
                                                                               runners: list[FunctionRunner]) -> None:
    notes: list[str] = []
    runners.append(runner := runner_for(package, "app.echo", notes, timeout=1))
    for n in range(5):  # each Event call takes 0.9 s: 4.5 s in all, a sync call must not wait for all of them
        runner.submit(Call(f"event-{n}", "arn", {"sleep": 0.9}), lambda outcome: None)
    started = time.monotonic()
    _payload, error = call(runner, "sync", {"value": "sync"})
    assert error is None and time.monotonic() - started < 3.0
    assert any("waited 1 s" in note and "Event call" in note for note in notes)


def test_stopping_drains_queued_event_calls_and_reports_those_dropped(package: Path) -> None:
    notes: list[str] = []
    runner = runner_for(package, "app.add", notes)
    outcomes: list[str | None] = []
    for n in range(3):
        runner.submit(Call(f"e{n}", "arn", {"add": n, "sleep": 0.1}), lambda o: outcomes.append(o.error_type))
    assert runner.close(time.monotonic() + 10) == 0 and outcomes == [None, None, None] and not notes

    slow = runner_for(package, "app.add", notes)
    for n in range(10):
        slow.submit(Call(f"s{n}", "arn", {"add": n, "sleep": 0.5}), lambda o: None)
    dropped = slow.close(time.monotonic() + 1.2)
    assert 5 <= dropped <= 9
    assert any(f"{dropped} accepted Event call(s) did not run" in note for note in notes)


# -- containment ------------------------------------------------------------------------------------------------

def test_a_function_over_its_memory_size_is_out_of_memory_and_replaced(package: Path,
                                                                      runners: list[FunctionRunner]) -> None:
    runners.append(runner := runner_for(package, "app.hog", memory=128))
    payload, error = call(runner, "big", {"mb": 200})
    assert error == "Runtime.OutOfMemory" and b"128 MB" in payload
    assert call(runner, "small", {"mb": 1}) == (b"1", None)  # a fresh worker: the hog's memory is gone


def test_a_timeout_kills_everything_the_handler_started(package: Path, runners: list[FunctionRunner],
                                                        tmp_path: Path) -> None:
    runners.append(runner := runner_for(package, "app.spawn", timeout=1))
    pidfile = tmp_path / "child.pid"
    _payload, error = call(runner, "slow", {"pidfile": str(pidfile), "sleep": 5})
    assert error == "Sandbox.Timedout"
    assert gone(int(pidfile.read_text()))


def test_closing_kills_everything_the_handlers_started(package: Path, tmp_path: Path) -> None:
    runner = runner_for(package, "app.spawn")
    pidfile = tmp_path / "child.pid"
    _payload, error = call(runner, "quick", {"pidfile": str(pidfile)})
    assert error is None and not gone(int(pidfile.read_text()), within=0.2)
    runner.close()
    assert gone(int(pidfile.read_text()))


def test_concurrent_calls_each_get_their_own_answer(package: Path, runners: list[FunctionRunner]) -> None:
    runners.append(runner := runner_for(package, "app.echo"))
    answers: dict[int, tuple[bytes, str | None]] = {}

    def one(n: int) -> None:
        answers[n] = call(runner, f"c{n}", {"value": n, "sleep": 0.01})

    threads = [threading.Thread(target=one, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answers[n] == (f'{{"echo": {n}, "request": "c{n}"}}'.encode(), None) for n in range(20))


# -- the HTTP side -----------------------------------------------------------------------------------------------

def raw_post(url: str, headers: dict[str, str], body: bytes = b"", function: str = "hard-echo") -> tuple[int, bytes]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    connection.putrequest("POST", f"/2015-03-31/functions/{function}/invocations", skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders(body or None)
    answer = connection.getresponse()
    status, data = answer.status, answer.read()
    connection.close()
    return status, data


@pytest.mark.parametrize(("headers", "body", "status"), [
    ({"Transfer-Encoding": "chunked"}, b"2\r\n{}\r\n0\r\n\r\n", 411),
    ({}, b"", 411),
    ({"Content-Length": "-5"}, b"", 400),
    ({"Content-Length": "0x10"}, b"", 400),
])
def test_the_endpoint_refuses_bodies_it_cannot_measure(package: Path, headers: dict[str, str], body: bytes,
                                                       status: int) -> None:
    function = spec(package, "app.echo")
    plan = ServePlan((function,), {function.name: Install(package / "deps", ())},
                     {function.name: Install(package / "runtime", ())})
    with LambdaServer(plan, port=0, environ={"PATH": os.environ.get("PATH", "")}) as server:
        assert server._http is not None and server._http.request_queue_size >= 128
        code, answer = raw_post(server.url, headers, body)
        assert code == status and b"Content-Length" in answer
        assert raw_post(server.url, {"Content-Length": "2"}, b"{}")[0] == 200


def test_a_function_invokes_another_through_the_server_it_runs_in(package: Path) -> None:
    """Workers get AWS_ENDPOINT_URL_LAMBDA = the server (known only once a port 0 is bound), so a
    service's calls to another service stay on this endpoint; an endpoint the environment names wins."""
    functions = (spec(package, "app.echo"), spec(package, "app.relay"))
    plan = ServePlan(functions, {f.name: Install(package / "deps", ()) for f in functions},
                     {f.name: Install(package / "runtime", ()) for f in functions})
    with LambdaServer(plan, port=0, environ={"PATH": os.environ.get("PATH", "")}) as server:
        body = b'{"value": 7}'
        code, answer = raw_post(server.url, {"Content-Length": str(len(body))}, body, "hard-relay")
        assert (code, answer) == (200, b'{"relayed": 7}')
        assert server.counts == {"hard-relay": 1, "hard-echo": 1}
    named = worker_environment(functions[1], {"AWS_ENDPOINT_URL_LAMBDA": "http://elsewhere:1"}, None, "http://self:2")
    assert named["AWS_ENDPOINT_URL_LAMBDA"] == "http://elsewhere:1"
