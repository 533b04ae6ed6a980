"""Call-graph constructs, one small program each, with the call edges written out by hand.

Shared by tests/analyzer/test_constructs.py (every case must come out exactly) and
benchmarks/constructs.py (precision and recall per construct, as a table). The cases are
our own, written for this analyzer; they are not taken from any published benchmark.

Edges are (caller, callee) pairs of `calls` edges between definitions of the snippet
(calls to outside names are left out), plus (scope, "<dynamic>") for a call recorded as
unresolved-dynamic (`eval`, `exec`). Lambdas are nodes named by position,
`<enclosing>.<lambda:LINE:COL>`, LINE counted from the first line of the snippet text
(the empty line after the opening quotes is line 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

DYNAMIC = "<dynamic>"


@dataclass(frozen=True)
class Case:
    construct: str
    name: str
    source: str  # the text of m.py
    expected: frozenset[tuple[str, str]]
    unresolved: int | None = None  # when set, exactly this many unresolved call sites
    extra_files: dict[str, str] = field(default_factory=dict)


def _case(construct: str, name: str, source: str, expected: set[tuple[str, str]], **kw) -> Case:
    return Case(construct, name, source, frozenset(expected), **kw)


CASES: list[Case] = [
    # -- lambdas -------------------------------------------------------------------------
    _case("lambda", "called by name", """
def g(): pass
def main():
    f = lambda: g()
    f()
""", {("m.main", "m.main.<lambda:4:8>"), ("m.main.<lambda:4:8>", "m.g")}),
    _case("lambda", "passed as an argument", """
def g(x): pass
def apply(fn): fn(1)
def main():
    apply(lambda x: g(x))
""", {("m.main", "m.apply"), ("m.apply", "m.main.<lambda:5:10>"), ("m.main.<lambda:5:10>", "m.g")}),
    _case("lambda", "returned", """
def g(): pass
def make():
    return lambda: g()
def main():
    make()()
""", {("m.main", "m.make"), ("m.main", "m.make.<lambda:4:11>"), ("m.make.<lambda:4:11>", "m.g")}),
    _case("lambda", "module level", """
def g(): pass
h = lambda: g()
def main(): h()
""", {("m.main", "m.<lambda:3:4>"), ("m.<lambda:3:4>", "m.g")}),
    _case("lambda", "called where written", """
def g(): pass
def main(): (lambda: g())()
""", {("m.main", "m.main.<lambda:3:13>"), ("m.main.<lambda:3:13>", "m.g")}),
    _case("lambda", "lambda in a lambda", """
def g(): pass
def main():
    outer = lambda: (lambda: g())
    outer()()
""", {("m.main", "m.main.<lambda:4:12>"), ("m.main", "m.main.<lambda:4:12>.<lambda:4:21>"),
      ("m.main.<lambda:4:12>.<lambda:4:21>", "m.g")}),
    # -- tuple, starred and chained assignment ------------------------------------------
    _case("assignment", "tuple in a function", """
def f(): pass
def g(): pass
def main():
    a, b = f, g
    a()
    b()
""", {("m.main", "m.f"), ("m.main", "m.g")}),
    _case("assignment", "tuple at module level", """
def f(): pass
def g(): pass
a, b = f, g
def main(): b()
""", {("m.main", "m.g")}),
    _case("assignment", "nested tuple", """
def f(): pass
def g(): pass
def h(): pass
def main():
    (a, b), c = (f, g), h
    b()
    c()
""", {("m.main", "m.g"), ("m.main", "m.h")}),
    _case("assignment", "starred", """
def f(): pass
def g(): pass
def h(): pass
def main():
    first, *rest = f, g, h
    first()
    for fn in rest:
        fn()
""", {("m.main", "m.f"), ("m.main", "m.g"), ("m.main", "m.h")}),
    _case("assignment", "chained", """
def f(): pass
def g(): pass
x = y = g
def main():
    a = b = f
    a()
    b()
    y()
""", {("m.main", "m.f"), ("m.main", "m.g")}),
    # -- builtins that call a function argument -------------------------------------------
    _case("builtins", "map and filter", """
def double(x): return x
def keep(x): return x
def main(xs):
    return list(map(double, filter(keep, xs)))
""", {("m.main", "m.double"), ("m.main", "m.keep")}),
    _case("builtins", "sorted, min, max with key", """
def by_name(x): return x
def by_size(x): return x
def by_age(x): return x
def main(xs):
    sorted(xs, key=by_name)
    min(xs, key=by_size)
    max(xs, key=by_age)
""", {("m.main", "m.by_name"), ("m.main", "m.by_size"), ("m.main", "m.by_age")}),
    _case("builtins", "functools.reduce", """
import functools
from functools import reduce
def add(a, b): return a
def mul(a, b): return a
def main(xs):
    reduce(add, xs)
    functools.reduce(mul, xs)
""", {("m.main", "m.add"), ("m.main", "m.mul")}),
    _case("builtins", "lambda key", """
def weight(x): return x
def main(xs):
    return sorted(xs, key=lambda x: weight(x))
""", {("m.main", "m.main.<lambda:4:26>"), ("m.main.<lambda:4:26>", "m.weight")}),
    _case("builtins", "list.sort key", """
def rank(x): return x
def main():
    xs = []
    xs.sort(key=rank)
""", {("m.main", "m.rank")}),
    # -- iteration protocols ------------------------------------------------------------
    _case("iteration", "for over an iterator class", """
class Numbers:
    def __iter__(self): return self
    def __next__(self): raise StopIteration
def main():
    for n in Numbers():
        pass
""", {("m.main", "m.Numbers.__iter__"), ("m.main", "m.Numbers.__next__")}),
    _case("iteration", "generator __iter__ and comprehension", """
class Bag:
    def __iter__(self):
        yield 1
def main():
    bag = Bag()
    return [x for x in bag]
""", {("m.main", "m.Bag.__iter__")}),
    _case("iteration", "generator function", """
def helper(): return 1
def gen():
    yield helper()
def main():
    for x in gen():
        pass
""", {("m.main", "m.gen"), ("m.gen", "m.helper")}),
    _case("iteration", "iter() and next()", """
class Counter:
    def __iter__(self): return self
    def __next__(self): return 1
def main():
    c = Counter()
    iter(c)
    next(c)
""", {("m.main", "m.Counter.__iter__"), ("m.main", "m.Counter.__next__")}),
    _case("iteration", "with statement", """
class Resource:
    def __enter__(self): return self
    def __exit__(self, *exc): return False
def main():
    with Resource() as r:
        pass
""", {("m.main", "m.Resource.__enter__"), ("m.main", "m.Resource.__exit__")}),
    # -- raise ---------------------------------------------------------------------------
    _case("raise", "raise an instance", """
class AppError(Exception):
    def __init__(self, message):
        super().__init__(message)
def main():
    raise AppError("no")
""", {("m.main", "m.AppError.__init__")}),
    _case("raise", "raise the class", """
class AppError(Exception):
    def __init__(self):
        super().__init__("no")
def main():
    raise AppError
""", {("m.main", "m.AppError.__init__")}),
    # -- functions passed as parameters -------------------------------------------------
    _case("parameters", "positional and keyword", """
def task(): pass
def other(): pass
def run(cb): cb()
def main():
    run(task)
    run(cb=other)
""", {("m.main", "m.run"), ("m.run", "m.task"), ("m.run", "m.other")}),
    _case("parameters", "passed on twice", """
def task(): pass
def inner(g): g()
def outer(fn): inner(fn)
def main(): outer(task)
""", {("m.main", "m.outer"), ("m.outer", "m.inner"), ("m.inner", "m.task")}),
    _case("parameters", "bound method", """
class Svc:
    def handle(self): pass
def run(cb): cb()
def main():
    svc = Svc()
    run(svc.handle)
""", {("m.main", "m.run"), ("m.run", "m.Svc.handle")}),
    # -- dispatch through self ----------------------------------------------------------
    _case("self dispatch", "override of a defined method", """
class Base:
    def run(self): self.step()
    def step(self): pass
class Child(Base):
    def step(self): pass
""", {("m.Base.run", "m.Base.step"), ("m.Base.run", "m.Child.step")}),
    _case("self dispatch", "method only subclasses define", """
class Base:
    def run(self): self.step()
class One(Base):
    def step(self): pass
class Two(Base):
    def step(self): pass
""", {("m.Base.run", "m.One.step"), ("m.Base.run", "m.Two.step")}, unresolved=0),
    # -- functions in dicts -------------------------------------------------------------
    _case("dicts", "local dict", """
def f(): pass
def g(): pass
def main(name):
    ops = {"a": f, "b": g}
    ops[name]()
""", {("m.main", "m.f"), ("m.main", "m.g")}),
    _case("dicts", "module dict with update", """
def f(): pass
def g(): pass
def h(): pass
HANDLERS = {"a": f}
HANDLERS.update({"b": g})
HANDLERS.update(c=h)
def main(k):
    HANDLERS[k]()
""", {("m.main", "m.f"), ("m.main", "m.g"), ("m.main", "m.h")}),
    _case("dicts", "nested dicts", """
def f(): pass
ROUTES = {"x": {"y": f}}
def main():
    ROUTES["x"]["y"]()
""", {("m.main", "m.f")}),
    _case("dicts", "local update, item store and get", """
def f(): pass
def g(): pass
def main():
    d = {}
    d.update({"a": f})
    d["b"] = g
    d["a"]()
    d.get("b")()
""", {("m.main", "m.f"), ("m.main", "m.g")}),
    # -- decorators -----------------------------------------------------------------------
    # Calling a decorated name runs the decorator's inner function; the edge to the name
    # itself stays too (what extract and the plan look for is who calls `work`).
    _case("decorators", "wrapper function", """
import functools
def logged(fn):
    @functools.wraps(fn)
    def inner(*a, **k):
        return fn(*a, **k)
    return inner
@logged
def work(): pass
def main(): work()
""", {("m", "m.logged"), ("m.main", "m.logged.<locals>.inner"), ("m.main", "m.work"),
      ("m.logged.<locals>.inner", "m.work")}),
    _case("decorators", "decorator factory", """
def retry(n):
    def deco(fn):
        def wrapper():
            return fn()
        return wrapper
    return deco
@retry(3)
def job(): pass
def main(): job()
""", {("m", "m.retry"), ("m", "m.retry.<locals>.deco"), ("m.main", "m.retry.<locals>.deco.<locals>.wrapper"),
      ("m.main", "m.job"), ("m.retry.<locals>.deco.<locals>.wrapper", "m.job")}),
    _case("decorators", "registering decorator", """
REGISTRY = []
def register(fn):
    REGISTRY.append(fn)
    return fn
@register
def hook(): pass
def main(): hook()
""", {("m", "m.register"), ("m.main", "m.hook")}),
    # -- classes from outside the tree as bases -------------------------------------------
    _case("external bases", "inherited and local methods", """
import threading
class Worker(threading.Thread):
    def run(self): self.helper()
    def helper(self): pass
def main():
    w = Worker()
    w.start()
    w.run()
    w.join()
""", {("m.Worker.run", "m.Worker.helper"), ("m.main", "m.Worker.run")}, unresolved=0),
    # -- eval ----------------------------------------------------------------------------
    _case("eval", "eval and exec", """
def g(): pass
def main(code):
    eval(code)
    exec("g()")
""", {("m.main", DYNAMIC)}),
]


def found_edges(case: Case) -> tuple[set[tuple[str, str]], int]:
    """The snippet's call edges between its own definitions, and its count of unresolved calls."""
    from .snippets import graph_of

    graph = graph_of({"m.py": case.source, **case.extra_files})
    internal = {n for n in graph.nodes() if graph.attr(n, "kind") != "external"}
    found = {(s, t) for s, t, _ in graph.dependencies("calls") if s in internal and t in internal}
    found |= {(u["scope"], DYNAMIC) for u in graph.unresolved_calls if u.get("dynamic")}
    return found, len(graph.unresolved_calls)


def score(cases: list[Case] = CASES) -> dict[str, tuple[int, int, int]]:
    """construct -> (true positives, false positives, false negatives), over its cases."""
    table: dict[str, tuple[int, int, int]] = {}
    for case in cases:
        found, _ = found_edges(case)
        tp, fp, fn = table.get(case.construct, (0, 0, 0))
        table[case.construct] = (tp + len(found & case.expected), fp + len(found - case.expected),
                                 fn + len(case.expected - found))
    return table


def ratios(tp: int, fp: int, fn: int) -> tuple[float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


def render(table: dict[str, tuple[int, int, int]]) -> str:
    rows = [f"{'construct':<16} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>7}"]
    totals = [0, 0, 0]
    for construct, (tp, fp, fn) in table.items():
        precision, recall = ratios(tp, fp, fn)
        rows.append(f"{construct:<16} {tp:>4} {fp:>4} {fn:>4} {precision:>10.2f} {recall:>7.2f}")
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
    precision, recall = ratios(*totals)
    rows.append(f"{'all':<16} {totals[0]:>4} {totals[1]:>4} {totals[2]:>4} {precision:>10.2f} {recall:>7.2f}")
    return "\n".join(rows)
