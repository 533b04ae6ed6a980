"""Writes a caller still holds uncommitted when it hands its session to another place's operation.

    cart = get_or_create_cart(session, customer_id)       # flushes a new cart row
    reservations.reserve(session, product_id, 1, cart.id)  # inventory writes a reservation for it

In the monolith both writes share one session and commit together. Once `reserve` is an
operation of another service, its session parameter is not sent: the service runs it in a
unit of work of its own (docs/extract.md), which does not see the caller's uncommitted row (a
foreign key to it fails) and waits on its lock (sqlite answers "database is locked"). The
boundary stage makes such a call a `cross-service-transaction` at the call site.

What is read from the graph, once per graph (`WorkFacts`): each function's table writes with
their lines (its `writes` edges), its calls to functions that take a SQLAlchemy session (its
`calls` edges, by line), the lines where it commits or rolls back (`commits` on its node) and
those of calls whose result it returns (`returned_calls`: the function ends there, so what such a
helper leaves uncommitted is pending at no later call).
A call to a function taking a session is taken to pass the caller's own session: the one the
caller's writes went through. Per placement (`PendingWrites`), the writes pending at a call
are the caller's own writes since its last commit before the call, and those its helpers left
uncommitted: functions of its own process (its place, or shared code) that it called with
its session since that commit, followed as deep as they go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..graph import CodeGraph
from .hazards import takes_session
from .placement import SHARED

Lines = tuple[tuple[int, str], ...]  # (line, table or callee), sorted
_END = 1 << 30  # past a function's last line: what it leaves uncommitted when it returns


@dataclass(frozen=True)
class WorkFacts:
    """What the check reads from a graph, whatever the placement."""

    writes: Mapping[str, Lines]  # code node -> (line, table) of each table it writes
    session_calls: Mapping[str, Lines]  # caller -> (line, callee) of each call to a function taking a session
    commits: Mapping[str, tuple[int, ...]]  # code node -> lines where it commits or rolls back
    returned_calls: Mapping[str, frozenset[int]]  # code node -> lines of `return helper(...)` calls


def work_facts(graph: CodeGraph, code: Mapping[str, Mapping[str, Any]],
               calls: Iterable[tuple[str, str, Mapping[str, Any]]]) -> WorkFacts:
    """The facts of the code nodes in `code` (their attributes), from `calls` edges and the graph's writes."""
    writes: dict[str, list[tuple[int, str]]] = {}
    for source, target, data in graph.dependencies("writes"):
        if source in code and target.startswith("table:"):
            writes.setdefault(source, []).extend((line, target) for line in data["lines"])
    sessions = {node for node, attrs in code.items() if takes_session(attrs)}
    session_calls: dict[str, list[tuple[int, str]]] = {}
    for source, target, edge in calls:
        if target in sessions and source in code:
            session_calls.setdefault(source, []).extend((line, target) for line in edge["lines"])
    commits = {node: tuple(attrs["commits"]) for node, attrs in code.items() if attrs.get("commits")}
    returned = {node: frozenset(attrs["returned_calls"]) for node, attrs in code.items()
                if attrs.get("returned_calls") and node in session_calls}
    return WorkFacts({n: tuple(sorted(w)) for n, w in writes.items()},
                     {n: tuple(sorted(c)) for n, c in session_calls.items()}, commits, returned)


class PendingWrites:
    """Tables written and not yet committed, for one placement. `home(node)` is the place whose
    code holds the node (SHARED for shared libraries); `callees(node)` what it calls."""

    def __init__(self, facts: WorkFacts, home: Callable[[str], str],
                 callees: Callable[[str], Iterable[str]]) -> None:
        self.facts, self.home, self.callees = facts, home, callees
        self._left_open: dict[tuple[str, frozenset[str]], frozenset[str]] = {}
        self._written: dict[str, dict[str, frozenset[str]]] = {}  # place -> node -> tables it writes there

    def before_call(self, caller: str, line: int, runs_in: frozenset[str]) -> frozenset[str]:
        """Tables `caller` (running in `runs_in`) has written in its unit of work, uncommitted, before `line`."""
        since = max((c for c in self.facts.commits.get(caller, ()) if c < line), default=0)
        return self._pending(caller, since, line, runs_in, set())

    def written_by(self, operation: str, place: str) -> frozenset[str]:
        """Tables `operation` writes running in `place`: its own writes and those of the code it
        calls there (its place's and shared code)."""
        known = self._written.setdefault(place, {})
        if operation not in known:
            self._find_written(operation, place, known)
        return known[operation]

    def _find_written(self, start: str, place: str, known: dict[str, frozenset[str]]) -> None:
        """Fill `known` with what `start` and every node it reaches in `place` write (Tarjan's strongly
        connected components, iteratively: a component's nodes all write the same tables, those of its
        members and of the components it calls), so each node is walked once per place."""
        order: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        local = {start: self._local_callees(start, place)}
        work = [(start, iter(local[start]))]
        order[start] = low[start] = 0
        stack.append(start)
        on_stack.add(start)
        while work:
            node, callees = work[-1]
            for callee in callees:
                if callee in known:
                    continue
                if callee not in order:
                    order[callee] = low[callee] = len(order)
                    stack.append(callee)
                    on_stack.add(callee)
                    local[callee] = self._local_callees(callee, place)
                    work.append((callee, iter(local[callee])))
                    break
                if callee in on_stack:
                    low[node] = min(low[node], order[callee])
            else:
                work.pop()
                if work:
                    caller = work[-1][0]
                    low[caller] = min(low[caller], low[node])
                if low[node] == order[node]:
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == node:
                            break
                    tables = {table for member in members for _, table in self.facts.writes.get(member, ())}
                    for member in members:
                        for callee in local[member]:
                            if callee in known:
                                tables |= known[callee]
                    written = frozenset(tables)
                    for member in members:
                        known[member] = written

    def _local_callees(self, node: str, place: str) -> list[str]:
        return [callee for callee in self.callees(node) if self.home(callee) in (place, SHARED)]

    def _pending(self, node: str, since: int, until: int, runs_in: frozenset[str],
                 visiting: set[str]) -> frozenset[str]:
        tables = {table for line, table in self.facts.writes.get(node, ()) if since < line < until}
        visiting.add(node)
        returned = self.facts.returned_calls.get(node, frozenset()) if until < _END else frozenset()
        for line, helper in self.facts.session_calls.get(node, ()):
            if since < line < until and line not in returned and helper not in visiting \
                    and self._local(helper, runs_in):
                tables |= self._left_open_by(helper, runs_in, visiting)
        visiting.discard(node)
        return frozenset(tables)

    def _left_open_by(self, helper: str, runs_in: frozenset[str], visiting: set[str]) -> frozenset[str]:
        """What `helper` leaves uncommitted when it returns: what it writes after its last commit."""
        key = (helper, runs_in)
        if key not in self._left_open:
            since = max(self.facts.commits.get(helper, ()), default=0)
            self._left_open[key] = self._pending(helper, since, _END, runs_in, visiting)
        return self._left_open[key]

    def _local(self, node: str, runs_in: frozenset[str]) -> bool:
        """Whether a call to `node` runs in the caller's own process (and so in its session)."""
        home = self.home(node)
        return home == SHARED or home in runs_in
