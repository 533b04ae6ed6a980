"""Values no wire can carry (callables, generators, open files) handed to a service's operation
from outside the service are blocking hazards at the call; inside the service, or as data, not."""

from __future__ import annotations

from analyzer.boundaries.hazards import ERROR, WIRE_UNSAFE_ARGUMENT, Finding
from analyzer.boundaries.metrics import score
from analyzer.boundaries.placement import SHARED, Placement
from analyzer.graph import CodeGraph

from .snippets import graph_of

SOURCES = {
    "svc/__init__.py": "",
    "svc/ops.py": """
        def apply(items: list, fn) -> list:
            return [fn(i) for i in items]
        def total(values, *rest) -> int:
            return sum(values)
        def read(f) -> str:
            return f.read()
        def run(*, callback=None) -> None:
            pass
        HANDLERS = {}
        def register(fn):
            HANDLERS[fn.__name__] = fn
            return fn
        def handle(name: str) -> None:
            HANDLERS[name]()
        def _private(fn) -> None:
            pass
        class Box:
            def put(self, fn) -> None:
                pass
    """,
    "svc/inner.py": """
        from svc import ops
        def local(items: list) -> list:
            ops.total(x for x in items)
            return ops.apply(items, lambda x: x)
    """,
    "app.py": """
        import functools
        from svc import ops
        class Handler:
            def handle(self, x):
                return x
        def key(x):
            return x
        def use(items: list, h: Handler) -> None:
            ops.apply(items, lambda x: x)
            ops.apply(items, key)
            ops.apply(items, h.handle)
            ops.total(x for x in items)
            ops.read(open("f.txt"))
            with open("g.txt") as f:
                ops.read(f)
            ops.run(callback=key)
            ops.apply(items, functools.partial(key))
            ops.total(1, 2, key)
            cb = lambda x: x
            ops.apply(items, cb)
        def data(items: list) -> None:
            ops.apply([1, 2], "upper")
            ops.total(items)
            ops.apply(items, len)
            ops.read("f.txt")
            ops._private(key)
            ops.Box().put(key)
        @ops.register
        def decorated() -> None:
            pass
    """,
}


def _graph() -> CodeGraph:
    return graph_of(SOURCES)


def _hazards(graph: CodeGraph, placement: Placement) -> list[Finding]:
    return [f for f in score(graph, placement).findings if f.kind == WIRE_UNSAFE_ARGUMENT]


def test_the_graph_records_what_cannot_cross_on_calls_edges() -> None:
    graph = _graph()
    edges = {(s, t): d for s, t, d in graph.dependencies("calls")}
    apply = [(u["line"], u["arg"], u["passed"], u["expr"]) for u in edges[("app.use", "svc.ops.apply")]["unsafe_args"]]
    assert apply == [(10, 1, "lambda", "lambda"), (11, 1, "function", "key"), (12, 1, "bound-method", "h.handle"),
                     (18, 1, "callable", "functools.partial(...)"), (21, 1, "lambda", "cb")]
    read = [(u["line"], u["passed"], u["expr"]) for u in edges[("app.use", "svc.ops.read")]["unsafe_args"]]
    assert read == [(14, "open-file", "open(...)"), (16, "open-file", "f")]
    total = [(u["line"], u["arg"], u["passed"]) for u in edges[("app.use", "svc.ops.total")]["unsafe_args"]]
    assert total == [(13, 0, "generator"), (19, 2, "function")]
    run = edges[("app.use", "svc.ops.run")]["unsafe_args"]
    assert [(u["arg"], u["passed"]) for u in run] == [("callback", "function")]
    assert "unsafe_args" not in edges[("app", "svc.ops.register")]  # a decorator: `decorates` says it
    assert "unsafe_args" not in edges[("app.data", "svc.ops.apply")]  # plain data, a builtin
    assert "unsafe_args" not in edges[("app.data", "svc.ops.read")]
    assert not any("unsafe_args" in d for s, t, d in graph.dependencies() if t.startswith("builtins."))


def test_each_unsafe_value_passed_across_is_a_blocking_hazard_at_the_call() -> None:
    found = _hazards(_graph(), Placement({"svc": "svc", "svc.ops": "svc", "svc.inner": "svc"}))
    assert {f.severity for f in found} == {ERROR}
    assert {f.service for f in found} == {"svc"}
    assert all(f.hint and "one service" in f.hint for f in found)
    where = sorted((int(f.location.split(":")[1]), f.subject) for f in found)
    assert where == [(10, "svc.ops.apply"), (11, "svc.ops.apply"), (12, "svc.ops.apply"), (13, "svc.ops.total"),
                     (14, "svc.ops.read"), (16, "svc.ops.read"), (17, "svc.ops.run"), (18, "svc.ops.apply"),
                     (19, "svc.ops.total"), (21, "svc.ops.apply"), (30, "svc.ops.register")]
    assert {f.location.split(":")[0] for f in found} == {"app.py"}
    text = {int(f.location.split(":")[1]): f.message for f in found}
    assert "a lambda as argument 2 ('fn') of svc.ops.apply" in text[10]
    assert "the function key" in text[11]
    assert "the bound method h.handle" in text[12]
    assert "a generator expression as argument 1 ('values')" in text[13]
    assert "an open file (open(...))" in text[14] and "an open file (f)" in text[16]
    assert "argument 'callback'" in text[17]
    assert "argument 3 (*rest)" in text[19]
    assert "app decorates decorated with svc.ops.register, which registers them in svc.ops.HANDLERS" in text[30]
    assert "svc.ops.handle in svc uses svc.ops.HANDLERS" in text[30]
    assert all("cannot cross a wire" in m for k, m in text.items() if k != 30)
    assert "an operation of svc" in text[10]


def test_inside_one_service_nothing_crosses() -> None:
    graph = _graph()
    assert not _hazards(graph, Placement({"svc": "app", "svc.ops": "app", "svc.inner": "app", "app": "app"}))
    assert not _hazards(graph, Placement({}))  # everything in the monolith
    # the service's own calls (svc.inner passes a lambda and a generator) never cross
    assert not [f for f in _hazards(graph, Placement({"svc.ops": "svc", "svc.inner": "svc"}))
                if f.location.startswith("svc/")]


def test_shared_code_counts_where_it_runs() -> None:
    graph = graph_of({
        "ops.py": "def apply(fn) -> None:\n    pass\n",
        "lib.py": "import ops\ndef helper() -> None:\n    ops.apply(lambda: 1)\n",
        "caller.py": "import lib\ndef go() -> None:\n    lib.helper()\n",
    })
    inside = Placement({"ops": "svc", "lib": SHARED, "caller": "svc"})
    assert not _hazards(graph, inside)  # the library runs only in svc
    outside = Placement({"ops": "svc", "lib": SHARED})  # now it also runs in the monolith
    assert [f.location for f in _hazards(graph, outside)] == ["lib.py:3"]


def test_a_shared_or_monolith_callee_is_no_operation() -> None:
    graph = _graph()
    assert not _hazards(graph, Placement({"svc.ops": SHARED}))
    assert not _hazards(graph, Placement({"app": "web"}))  # svc.ops stays in the monolith


def test_properties_are_data_and_a_decorator_factory_is_named() -> None:
    graph = graph_of({
        "ops.py": """
            def apply(value) -> None:
                pass
            AUDITED = []
            def audited(name: str):
                def decorate(fn):
                    AUDITED.append((name, fn))
                    return fn
                return decorate
            def audited_names() -> list:
                return [name for name, _ in AUDITED]
        """,
        "app.py": """
            import ops
            class Row:
                @property
                def total(self) -> int:
                    return 1
                @property
                def ptr(self) -> int:
                    return 1
                @ptr.setter
                def ptr(self, value: int) -> None:
                    pass
            def go(row: Row) -> None:
                ops.apply(row.total)
                ops.apply(row.ptr)
            @ops.audited("nightly")
            def job() -> None:
                pass
        """,
    })
    assert not any("unsafe_args" in d for _, _, d in graph.dependencies("calls"))
    found = _hazards(graph, Placement({"ops": "svc"}))
    assert [(f.location, f.subject) for f in found] == [("app.py:17", "ops.audited")]
    assert "app decorates job with what ops.audited(...) returns, which registers them in ops.AUDITED" in \
        found[0].message


def test_a_wrapping_decorator_of_another_service_runs_in_the_callers_process() -> None:
    """Its module's proxy keeps it as code; what it calls of its module goes through the proxy."""
    graph = graph_of({
        "auth.py": """
            import functools
            from typing import Callable
            def current(token: str) -> int:
                return 1
            def login_required(view: Callable) -> Callable:
                @functools.wraps(view)
                def wrapper(*args, **kwargs):
                    current("t")
                    return view(*args, **kwargs)
                return wrapper
        """,
        "views.py": "import auth\n@auth.login_required\ndef home() -> None:\n    pass\n",
    })
    scores = score(graph, Placement({"auth": "accounts"}))
    assert not [f for f in scores.findings if f.subject == "auth.login_required"]  # not an operation either


def test_one_finding_per_module_decorated_with_an_operation() -> None:
    graph = graph_of({
        "auth.py": "PROTECTED = set()\ndef login_required(fn):\n    PROTECTED.add(fn)\n    return fn\n"
                   "def protected(fn) -> bool:\n    return fn in PROTECTED\n",
        "views.py": "".join(f"import auth\n@auth.login_required\ndef view{i}() -> None:\n    pass\n" for i in range(5)),
        "more.py": "import auth\nclass Page:\n    @auth.login_required\n    def show(self) -> None:\n        pass\n",
    })
    found = _hazards(graph, Placement({"auth": "accounts"}))
    assert [(f.location, f.message.split(" with ")[0]) for f in found] == [
        ("more.py:4", "more decorates Page.show"),
        ("views.py:3", "views decorates view0, view1, view2 and 2 more")]
    assert not _hazards(graph, Placement({"auth": "accounts", "views": "accounts", "more": "accounts"}))
