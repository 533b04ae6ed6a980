"""From the recorder's per-process files to a `Trace` in the graph's names.

A code object is known by (file relative to the root, first line, name, qualified name).
It maps to the graph's node: `module.qualname` when the graph has it (Python 3.11+ gives the
qualified name; the recorder names the lambdas it instruments as the graph does), a lambda
by its line (two on one line: the code that wrote them), a decorated function by its name
at or after its first line (which is its first decorator's), and otherwise the innermost
definition whose
lines hold it (a comprehension, a nested function the graph folds into its parent), or the
module. Pure: records and graph in, a Trace out.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..graph import CodeGraph
from .model import ObservedCall, Trace

CodeKey = tuple[str, int, str, str]  # path, first line, name, qualified name


@dataclass(frozen=True)
class Definition:
    node: str
    name: str
    line: int
    end_line: int


class NameIndex:
    """The graph's modules and definitions, by file, for `name_of`."""

    def __init__(self, graph: CodeGraph) -> None:
        self.graph = graph
        self.modules: dict[str, str] = {}
        self.definitions: dict[str, list[Definition]] = {}
        for node in graph.nodes("module", "class", "function", "method"):
            path, line = graph.attr(node, "file"), graph.attr(node, "line")
            if not path:
                continue
            if graph.attr(node, "kind") == "module":
                self.modules[path] = node
            elif line:
                name = node.rsplit(".", 1)[-1]
                self.definitions.setdefault(path, []).append(
                    Definition(node, name, int(line), int(graph.attr(node, "end_line") or line)))
        for found in self.definitions.values():
            found.sort(key=lambda d: (d.line, d.end_line))
        self._starts = {path: [d.line for d in found] for path, found in self.definitions.items()}

    def name_of(self, key: CodeKey) -> str | None:
        path, first_line, name, qualname = key
        module = self.modules.get(path)
        if module is None:
            return None
        if name == "<module>":
            return module
        if qualname and f"{module}.{qualname}" in self.graph:
            return f"{module}.{qualname}"
        found = self.definitions.get(path, [])
        if name == "<lambda>":
            lambdas = [d for d in found if d.line == first_line and d.name.startswith("<lambda:")]
            if len(lambdas) == 1:
                return lambdas[0].node
        named = [d for d in found if d.name == name and d.line >= first_line]
        if named and named[0].line - first_line <= 20:  # decorators between the first line and `def`
            return min(named, key=lambda d: d.line).node
        holding = [d for d in found[:bisect_right(self._starts.get(path, []), first_line)]
                   if d.end_line >= first_line and not (name == "<lambda>" and d.name.startswith("<lambda:"))]
        return min(holding, key=lambda d: d.end_line - d.line).node if holding else module


def trace_from_records(records: Iterable[Mapping[str, Any]], graph: CodeGraph) -> Trace:
    """The recorder's documents (one per traced process) -> the trace, in the graph's names."""
    index = NameIndex(graph)
    counts: Counter[tuple[str | None, str]] = Counter()
    lines: dict[tuple[str | None, str], set[int]] = {}
    tests: dict[str, set[str]] = {}
    tracers: set[str] = set()
    processes = unmapped = 0
    for record in records:
        processes += 1
        tracers.add(f"{record.get('tracer', '?')} on Python {record.get('python', '?')}")
        names = [index.name_of(_code_key(code)) for code in record.get("codes", ())]
        test_ids: Sequence[str] = record.get("tests", ())
        for test, caller_index, line, callee_index, count in record.get("calls", ()):
            callee = names[callee_index]
            if callee is None:
                unmapped += count
                continue
            caller = names[caller_index] if caller_index >= 0 else None
            pair = (caller, callee)
            counts[pair] += count
            if caller is not None and line:
                lines.setdefault(pair, set()).add(int(line))
            if test >= 0:
                tests.setdefault(test_ids[test], set()).add(callee)
    calls = tuple(ObservedCall(caller, callee, count, tuple(sorted(lines.get((caller, callee), ()))))
                  for (caller, callee), count in counts.items() if caller != callee or caller is None)
    return Trace(str(graph.meta.get("root", "")), calls, {t: tuple(sorted(u)) for t, u in tests.items()},
                 processes, tuple(sorted(tracers)), unmapped)


def _code_key(code: Sequence[Any]) -> CodeKey:
    path, first_line, name, qualname = code
    return str(path), int(first_line), str(name), str(qualname or "")
