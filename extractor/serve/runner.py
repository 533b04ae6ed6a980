"""One function at run time: its pool of workers, and the order in which its calls run.

The pool: a call takes an idle worker (the one used last, so a warm one), or starts a new
one while fewer than `max_workers` run, or waits for one to come back. Lambda would start
more execution environments (and throttle past its limit); a few local processes are
enough to show that calls run concurrently and that each environment has its own memory.
A worker that died or was killed (timeout) is dropped; the next call starts a fresh one.

The order of `Event` (asynchronous) calls, the one place where this endpoint departs
from Lambda on purpose. On AWS an Event call is queued and runs some time later, in
parallel with anything else. A monolith whose code used to run in-process rarely
expects that: the example shop queues a notification with an Event call and its tests
read the queue right away. So here a function's Event calls run one at a time in arrival
order, and a RequestResponse call to the same function first waits until the Event calls
accepted before it have finished. A caller therefore sees its own earlier asynchronous
calls as done, and the suite behaves the same as with the in-process transport; code that
is really racy still shows up when it runs on AWS. The wait is bounded: after the
function's timeout in all (however many Event calls are queued) the call runs anyway, and
`on_note` says so (an Event handler that synchronously calls its own function would
otherwise wait for itself).

Closing drains: the Event calls already accepted still run, until a shared deadline;
those that could not run by then are counted and reported, never dropped silently.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .functions import FunctionSpec
from .protocol import Outcome, failed
from .worker import INIT_TIMEOUT, Worker

DEFAULT_MAX_WORKERS = 4
Note = Callable[[str], None]


def _ignore(_: str) -> None:
    return None


@dataclass(frozen=True)
class Call:
    request_id: str
    arn: str
    event: Any


Done = Callable[[Outcome], None]


class _StartFailed(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.error_type)
        self.outcome = outcome


class FunctionRunner:
    def __init__(self, spec: FunctionSpec, new_worker: Callable[[], Worker],
                 max_workers: int = DEFAULT_MAX_WORKERS, on_note: Note = _ignore) -> None:
        self.spec = spec
        self._on_note = on_note
        self._dropping = False
        self.dropped = 0
        self._new_worker = new_worker
        self._max_workers = max_workers
        self._pool = threading.Condition()
        self._idle: list[Worker] = []
        self._workers: set[Worker] = set()
        self._starting = 0
        self._order = threading.Condition()
        self._accepted = self._finished = 0
        self._events: queue.Queue[tuple[Call, Done] | None] = queue.Queue()
        self._drainer: threading.Thread | None = None

    def invoke(self, call: Call) -> Outcome:
        """A RequestResponse call: after the Event calls accepted before it (see the docstring)."""
        self._wait_for_earlier_events()
        return self._run(call)

    def submit(self, call: Call, done: Done) -> None:
        """An Event call: queued, run in arrival order; `done` gets its outcome."""
        with self._order:
            self._accepted += 1
            if self._drainer is None:
                self._drainer = threading.Thread(target=self._drain, daemon=True, name=f"m2l-events-{self.spec.name}")
                self._drainer.start()
        self._events.put((call, done))

    def close(self, deadline: float | None = None) -> int:
        """Run the Event calls still queued until `deadline` (time.monotonic()), then kill every worker
        (and all it started); returns how many accepted Event calls did not run (also reported)."""
        self._events.put(None)
        drainer = self._drainer
        if drainer is not None:
            drainer.join(timeout=max(0.0, (deadline if deadline is not None else time.monotonic()) - time.monotonic()))
        with self._order:
            self._dropping = True
        with self._pool:
            workers, self._idle = list(self._workers), []
        for worker in workers:
            worker.kill()
        if drainer is not None:
            drainer.join(timeout=INIT_TIMEOUT)
        with self._order:
            self.dropped = self._accepted - self._finished
        if self.dropped:
            self._on_note(f"[{self.spec.name}] {self.dropped} accepted Event call(s) did not run before serve "
                          "stopped (the drain deadline passed)")
        return self.dropped

    def _run(self, call: Call) -> Outcome:
        try:
            worker = self._acquire()
        except _StartFailed as failure:
            return failure.outcome
        try:
            return worker.invoke(call.request_id, call.arn, call.event)
        finally:
            self._release(worker)

    def _acquire(self) -> Worker:
        with self._pool:
            while True:
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive:
                        return worker
                    self._workers.discard(worker)  # it died while idle (a thread of the handler ended it)
                if len(self._workers) + self._starting < self._max_workers:
                    break
                self._pool.wait()
            self._starting += 1
        return self._start()

    def _start(self) -> Worker:
        worker, failure = self._new_worker(), None
        try:
            failure = worker.start()
        finally:
            with self._pool:
                self._starting -= 1
                if failure is None and worker.alive:
                    self._workers.add(worker)
                self._pool.notify()
        if failure is not None:
            raise _StartFailed(failure)
        return worker

    def _release(self, worker: Worker) -> None:
        with self._pool:
            if worker.alive:
                self._idle.append(worker)
            else:
                self._workers.discard(worker)
            self._pool.notify()
        if not worker.alive:
            worker.kill()  # whatever it started is still in its process group

    def _drain(self) -> None:
        while (item := self._events.get()) is not None:
            call, done = item
            with self._order:
                dropping = self._dropping
            if dropping:  # serve is stopping and the drain deadline passed: counted by close()
                continue
            try:
                done(self._run(call))
            except Exception as error:  # a bug of serve's must not stop the Event calls that follow
                done(failed("ServiceException", f"{type(error).__name__}: {error}"))
            finally:
                with self._order:
                    self._finished += 1
                    self._order.notify_all()

    def _wait_for_earlier_events(self) -> None:
        """Wait at most the function's timeout in all; say so when the earlier Event calls are not done by then."""
        deadline = time.monotonic() + self.spec.timeout
        with self._order:
            target = self._accepted
            while self._finished < target:
                left = deadline - time.monotonic()
                if left <= 0:
                    pending = target - self._finished
                    break
                self._order.wait(timeout=left)
            else:
                return
        self._on_note(f"[{self.spec.name}] a RequestResponse call waited {self.spec.timeout} s (the function's "
                      f"timeout) for {pending} earlier Event call(s) and runs without waiting longer")
