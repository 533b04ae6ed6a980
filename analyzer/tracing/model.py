"""The trace file (`trace.json`, docs/graph-format.md#the-trace-file): the calls between the
project's own functions seen while a command ran, and which test reached which.

A plain frozen value with its JSON form; reading checks the format and says where it is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from . import TRACE_FILE as TRACE_FILE  # where it was, for those that read it here

TRACE_FORMAT = "mono2lambda-trace"
TRACE_VERSION = 1


@dataclass(frozen=True)
class ObservedCall:
    """`caller` called `callee` `count` times, from these lines of the caller's file. A caller
    of None is code outside the graph (a test, the framework's dispatch, the interpreter)."""

    caller: str | None
    callee: str
    count: int
    lines: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"caller": self.caller, "callee": self.callee, "count": self.count, "lines": list(self.lines)}


@dataclass(frozen=True)
class Trace:
    root: str  # the analysed folder's name, as in the graph
    calls: tuple[ObservedCall, ...]
    tests: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # test id -> the units it reached
    processes: int = 0  # traced Python processes that reported
    tracers: tuple[str, ...] = ()  # e.g. "sys.settrace on Python 3.11"
    unmapped_calls: int = 0  # calls of project code the graph has no name for (a file changed since)

    def reached_by(self) -> dict[str, list[str]]:
        """unit -> the tests that reached it (sorted)."""
        found: dict[str, list[str]] = {}
        for test, units in sorted(self.tests.items()):
            for unit in units:
                found.setdefault(unit, []).append(test)
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "format": TRACE_FORMAT, "version": TRACE_VERSION, "root": self.root,
            "processes": self.processes, "tracers": list(self.tracers), "unmapped_calls": self.unmapped_calls,
            "calls": [c.to_json() for c in sorted(self.calls, key=_call_key)],
            "tests": {test: sorted(units) for test, units in sorted(self.tests.items())},
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=1, sort_keys=True) + "\n"


def _call_key(call: ObservedCall) -> tuple[str, str]:
    return (call.caller or "", call.callee)


def read_trace(path: Path) -> Trace:
    """The trace file at `path`; a clear InputError when it is not one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"{path}: cannot read the trace file ({error.strerror})",
                         hint="run `mono2lambda trace -- COMMAND` first") from None
    except ValueError as error:
        raise InputError(f"{path}:{getattr(error, 'lineno', 1)}: not JSON ({error})",
                         hint="run `mono2lambda trace -- COMMAND` again") from None
    return trace_from_json(document, str(path))


def trace_from_json(document: Any, where: str = "trace") -> Trace:
    if not isinstance(document, dict) or document.get("format") != TRACE_FORMAT:
        raise InputError(f"{where}: not a mono2lambda trace file (format must be {TRACE_FORMAT!r})",
                         hint="run `mono2lambda trace -- COMMAND` to write one")
    if document.get("version") != TRACE_VERSION:
        raise InputError(f"{where}: trace format version {document.get('version')!r}, this mono2lambda reads "
                         f"{TRACE_VERSION}", hint="run `mono2lambda trace -- COMMAND` again")
    try:
        calls = tuple(ObservedCall(c["caller"], c["callee"], int(c["count"]), tuple(int(n) for n in c["lines"]))
                      for c in document["calls"])
        tests = {str(t): tuple(str(u) for u in units) for t, units in document.get("tests", {}).items()}
        return Trace(str(document.get("root", "")), calls, tests, int(document.get("processes", 0)),
                     tuple(document.get("tracers", ())), int(document.get("unmapped_calls", 0)))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InputError(f"{where}: malformed trace file ({error!r})",
                         hint="run `mono2lambda trace -- COMMAND` again") from None
