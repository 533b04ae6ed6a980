"""A function run in a forked process, its result sent back once through a pipe (`Forked`),
or a generator whose items are sent back one by one as the child makes them (`ForkedItems`).

`multiprocessing.Pool` never answers for a task whose worker died (it starts another
worker and the result stays pending), so a child killed by the out-of-memory killer or a
crash in the parser would hang the run. Here the pipe's writing end belongs to the child
alone: when it ends without sending, reading ends at once and the caller gets an error
naming the exit code. An exception the function raises is raised again in the caller."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from .errors import Mono2LambdaError

T = TypeVar("T")


class Forked(Generic[T]):
    """`function(*args)` running in a child forked from this process (it inherits everything, so
    nothing is pickled on the way in; the result is pickled on the way back): a `ForkedItems`
    of one item."""

    def __init__(self, context: Any, function: Callable[..., T], *args: Any) -> None:
        self._items = ForkedItems(context, _once, function, *args)

    def result(self, doing: str, hint: str) -> T:
        """The function's result, once the child sent it; Mono2LambdaError when the child ended
        without sending (`doing`: what it was doing, `hint`: what the user can do)."""
        (result,) = self._items.rest(doing, hint)
        return result


def _once(function: Callable[..., T], *args: Any) -> Iterator[T]:
    yield function(*args)


PIPE_BYTES = 1 << 20  # room in the pipe (Linux): a child sending items rarely waits for the caller to read


class ForkedItems(Generic[T]):
    """`function(*args)`, a generator, running in a forked child: each item it yields is sent
    back at once, so that the caller can use the first ones while the child makes the others."""

    def __init__(self, context: Any, function: Callable[..., Iterator[T]], *args: Any) -> None:
        self._reader, writer = context.Pipe(duplex=False)
        _widen(writer)
        self._process = context.Process(target=_send_items, args=(writer, function, args), daemon=True)
        self._process.start()
        writer.close()  # the child's end only
        self._ended = False

    def ready(self, doing: str, hint: str) -> Iterator[T]:
        """The items sent so far, without waiting for more."""
        while not self._ended and self._reader.poll():
            yield from self._next(doing, hint)

    def rest(self, doing: str, hint: str) -> Iterator[T]:
        """Every item still to come, until the child ends; Mono2LambdaError when it ended without
        saying it was done (`doing`: what it was doing, `hint`: what the user can do)."""
        while not self._ended:
            yield from self._next(doing, hint)

    def _next(self, doing: str, hint: str) -> list[T]:
        try:
            kind, value = self._reader.recv()
        except EOFError:
            self._end()
            raise Mono2LambdaError(f"a worker process {doing} stopped without its result "
                                   f"(exit code {self._process.exitcode})", hint=hint) from None
        if kind == "item":
            return [value]
        self._end()
        if kind == "error":
            raise value
        return []

    def _end(self) -> None:
        self._ended = True
        self._reader.close()
        self._process.join()


def _send_items(sink: Any, function: Callable[..., Iterator[Any]], args: tuple[Any, ...]) -> None:
    gc.disable()  # many small acyclic objects: cycle collection would only slow the child down
    try:
        for item in function(*args):
            sink.send(("item", item))
        outcome: tuple[str, Any] = ("end", None)
    except Exception as error:  # raised again in the caller, as Pool did
        outcome = ("error", error)
    sink.send(outcome)
    sink.close()


def _widen(connection: Any) -> None:
    with contextlib.suppress(ImportError, AttributeError, OSError):  # Linux only; elsewhere the pipe stays as it is
        import fcntl

        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
