"""Call resolution, case by case: the edges that must be there and those that must not."""

from __future__ import annotations

from analyzer.parse import extract_facts
from analyzer.resolve import resolve

from .snippets import edges, graph_of


def calls(files: dict[str, str]) -> set[tuple[str, str]]:
    return edges(graph_of(files), "calls")


def test_direct_call_in_same_module() -> None:
    found = calls({"m.py": """
        def helper(): pass
        def main(): helper()
    """})
    assert ("m.main", "m.helper") in found


def test_import_aliases() -> None:
    found = calls({
        "pkg/__init__.py": "",
        "pkg/b.py": "def f(): pass\ndef g(): pass\n",
        "pkg/a.py": """
            import pkg.b as bb
            from pkg.b import g as gee
            import pkg.b
            def one(): bb.f()
            def two(): gee()
            def three(): pkg.b.g()
        """,
    })
    assert {("pkg.a.one", "pkg.b.f"), ("pkg.a.two", "pkg.b.g"), ("pkg.a.three", "pkg.b.g")} <= found
    assert ("pkg.a.one", "pkg.b.g") not in found


def test_relative_imports() -> None:
    found = calls({
        "shop/__init__.py": "",
        "shop/common/__init__.py": "",
        "shop/common/money.py": "def cents(x): return x\n",
        "shop/orders/__init__.py": "",
        "shop/orders/rules.py": "def check(): pass\n",
        "shop/orders/place.py": """
            from ..common import money
            from . import rules
            from .rules import check as verify
            def place():
                money.cents(1)
                rules.check()
                verify()
        """,
    })
    assert ("shop.orders.place.place", "shop.common.money.cents") in found
    assert ("shop.orders.place.place", "shop.orders.rules.check") in found


def test_init_reexport_and_star_import() -> None:
    found = calls({
        "cat/__init__.py": "from .products import get_product\nfrom .util import *\n",
        "cat/products.py": "def get_product(): pass\n",
        "cat/util.py": "__all__ = ['slug']\ndef slug(): pass\ndef _private(): pass\n",
        "web.py": """
            import cat
            from cat import get_product, slug
            def view():
                cat.get_product()
                get_product()
                slug()
        """,
    })
    assert ("web.view", "cat.products.get_product") in found
    assert ("web.view", "cat.util.slug") in found


def test_import_cycle_terminates_and_resolves() -> None:
    found = calls({
        "a.py": "import b\ndef fa(): b.fb()\n",
        "b.py": "import a\ndef fb(): a.fa()\n",
    })
    assert {("a.fa", "b.fb"), ("b.fb", "a.fa")} <= found


def test_self_methods_mro_overrides_and_super() -> None:
    graph = graph_of({"rules.py": """
        class Rule:
            def total(self, x):
                return self.apply(x)
            def apply(self, x):
                return x
            def describe(self):
                return "rule"
        class Percent(Rule):
            def apply(self, x):
                base = super().apply(x)
                return base * 0.9
            def show(self):
                return self.describe()
        class Fixed(Rule):
            def apply(self, x):
                return x - 1
    """})
    found = edges(graph, "calls")
    assert ("rules.Rule.total", "rules.Rule.apply") in found
    # a call through the base may dispatch to the overrides
    assert {("rules.Rule.total", "rules.Percent.apply"), ("rules.Rule.total", "rules.Fixed.apply")} <= found
    assert ("rules.Percent.apply", "rules.Rule.apply") in found  # super()
    assert ("rules.Percent.show", "rules.Rule.describe") in found  # inherited
    assert ("rules.Percent.apply", "rules.Percent.apply") not in found
    assert ("rules.Percent.show", "rules.Fixed.apply") not in found
    assert edges(graph, "inherits") == {("rules.Percent", "rules.Rule"), ("rules.Fixed", "rules.Rule")}


def test_constructors_locals_attributes_params_and_returns() -> None:
    graph = graph_of({"pay.py": """
        class Gateway:
            def __init__(self, key: str) -> None:
                self.key = key
            def charge(self, amount): pass
        class Client:
            def __init__(self):
                self.gateway = Gateway("k")
            def pay(self):
                self.gateway.charge(1)
        def make() -> Gateway:
            return Gateway("x")
        def by_local():
            gw = Gateway("k")
            gw.charge(2)
        def by_annotation(gw: Gateway):
            gw.charge(3)
        def by_annotated_local():
            gw: "Gateway" = make()
            gw.charge(4)
        def by_return():
            make().charge(5)
    """})
    found = edges(graph, "calls")
    assert ("pay.by_local", "pay.Gateway.__init__") in found
    assert ("pay.by_local", "pay.Gateway") in edges(graph, "instantiates")
    for caller in ("by_local", "by_annotation", "by_annotated_local", "by_return"):
        assert (f"pay.{caller}", "pay.Gateway.charge") in found, caller
    assert ("pay.Client.pay", "pay.Gateway.charge") in found


def test_decorators_link_both_ways() -> None:
    graph = graph_of({
        "deco.py": """
            import functools
            def audited(name):
                def wrap(fn):
                    @functools.wraps(fn)
                    def inner(*a):
                        return fn(*a)
                    return inner
                return wrap
            def cached(fn):
                return fn
        """,
        "svc.py": """
            from deco import audited, cached
            @audited("x")
            def place(): pass
            @cached
            def lookup(): pass
            def caller():
                place()
                lookup()
        """,
    })
    assert {("deco.audited", "svc.place"), ("deco.cached", "svc.lookup")} <= edges(graph, "decorates")
    found = edges(graph, "calls")
    assert {("svc.caller", "svc.place"), ("svc.caller", "svc.lookup")} <= found
    assert ("svc", "deco.audited") in found  # applying the decorator runs at import time


def test_callbacks_passed_stored_and_called_later() -> None:
    graph = graph_of({
        "bus.py": """
            _subscribers = {}
            def subscribe(event, handler):
                _subscribers.setdefault(event, []).append(handler)
            def publish(event, payload):
                for handler in _subscribers.get(event, []):
                    handler(payload)
            def retry(fn, attempts=3):
                for _ in range(attempts):
                    return fn()
        """,
        "app.py": """
            import bus
            def send_email(p): pass
            def send_sms(p): pass
            def charge(): pass
            HANDLERS = {"email": send_email}
            def setup():
                bus.subscribe("order", send_sms)
                HANDLERS["sms"] = send_sms
            def notify(channel, p):
                HANDLERS[channel](p)
            def pay():
                bus.retry(charge, attempts=2)
                sorted([1], key=lambda x: send_email(x))
        """,
    })
    found = edges(graph, "calls")
    assert ("bus.retry", "app.charge") in found
    assert ("app.notify", "app.send_email") in found
    assert ("app.notify", "app.send_sms") in found
    assert ("bus.publish", "app.send_sms") in found
    # a lambda is a function node of its own, called by sorted() for pay
    assert {("app.pay", "app.pay.<lambda:14:20>"), ("app.pay.<lambda:14:20>", "app.send_email")} <= found
    assert ("app.pay", "app.charge") in edges(graph, "references")
    assert ("bus.retry", "app.send_sms") not in found


def test_nested_functions_and_closures() -> None:
    found = calls({"m.py": """
        def util(): pass
        def outer():
            def inner():
                util()
            inner()
    """})
    assert ("m.outer", "m.outer.<locals>.inner") in found
    assert ("m.outer.<locals>.inner", "m.util") in found


def test_class_and_static_methods() -> None:
    graph = graph_of({"m.py": """
        class Order:
            @classmethod
            def create(cls):
                cls.validate()
                return cls()
            @staticmethod
            def validate(): pass
        def use():
            Order.create()
            Order.validate()
    """})
    found = edges(graph, "calls")
    assert {("m.use", "m.Order.create"), ("m.use", "m.Order.validate"),
            ("m.Order.create", "m.Order.validate")} <= found
    assert ("m.Order.create", "m.Order") in edges(graph, "instantiates")


def test_builtins_and_third_party_are_external_nodes() -> None:
    graph = graph_of({"m.py": """
        import requests
        from sqlalchemy import select as sel
        def f(items):
            len(items)
            requests.get("u")
            sel(1)
    """})
    found = edges(graph, "calls")
    assert {("m.f", "builtins.len"), ("m.f", "requests.get"), ("m.f", "sqlalchemy.select")} <= found
    assert graph.node("requests.get")["kind"] == "external"


def test_unresolved_calls_are_kept_and_counted() -> None:
    graph = graph_of({"m.py": """
        def f(thing):
            thing.frobnicate()
            helper_that_does_not_exist()
    """})
    unresolved = {(u["scope"], u["expr"]) for u in graph.unresolved_calls}
    assert unresolved == {("m.f", "thing.frobnicate"), ("m.f", "helper_that_does_not_exist")}
    assert graph.meta["call_sites"] == 2
    assert edges(graph, "calls") == set()


def test_same_names_elsewhere_are_not_linked() -> None:
    found = calls({
        "a.py": "def save(): pass\nclass Cart:\n    def save(self): pass\n",
        "b.py": """
            from a import Cart
            def save(): pass
            class Order:
                def save(self): pass
            def f(order: Order):
                order.save()
                save()
        """,
    })
    assert {("b.f", "b.Order.save"), ("b.f", "b.save")} <= found
    assert not {("b.f", "a.save"), ("b.f", "a.Cart.save")} & found


def test_imports_and_uses_type_edges() -> None:
    graph = graph_of({
        "models.py": "class Order: pass\n",
        "svc.py": "from models import Order\nimport json\ndef total(order: 'Order') -> int: return 1\n",
    })
    assert {("svc", "models"), ("svc", "json")} <= edges(graph, "imports")
    assert ("svc.total", "models.Order") in edges(graph, "uses_type")


def test_self_referencing_attributes_and_computed_bases_terminate() -> None:
    graph = graph_of({"m.py": """
        bases = [object]
        class Lookup:
            def __init__(self, rhs):
                self.rhs = rhs
            def prepare(self):
                self.rhs = self.rhs.resolve_expression()
                self.rhs.other()
        class Form(bases):
            pass
        def factory(base):
            class Local(base):
                pass
            return Local
    """})
    assert edges(graph, "inherits") == set()
    assert "m.Form" in graph


def _chain(attributes: int) -> str:
    return ".".join(["node"] + ["next"] * attributes)


def test_an_answer_found_shallow_is_not_used_where_finding_it_would_be_cut() -> None:
    """`deep` returns chains of 10 and 11 attributes and calls a method two levels below the
    second, where following it passes the depth limit (12) and is cut short. A caller of `deep`
    finds its returns from depth 0, the longer one through the shorter; resolved after that caller
    or with no caller, `deep` finds the same: a remembered answer holds only for depths that leave
    room for the chain it followed, the part found in a remembered answer too (memo.py: the order
    of questions does not matter)."""
    source = f"""
class Node:
    def __init__(self, other: "Node"):
        self.next = other

    def leaf(self):
        return 1


def deep(node: Node, flag):
    {_chain(11)}.next.leaf()
    if flag:
        return {_chain(10)}
    return {_chain(11)}
"""
    caller = "from m import Node, deep\n\n\ndef caller(node: Node):\n    return deep(node, 1).leaf()\n"
    facts = [extract_facts(caller.encode(), "a.py", "a", False), extract_facts(source.encode(), "m.py", "m", False)]
    together = resolve(facts, jobs=1)
    alone = resolve([facts[1]], jobs=1).by_module["m"]
    assert ("a.caller", "m.Node.leaf", "calls") in together.edges  # the returns, followed from depth 0
    assert together.by_module["m"].edges == alone.edges
    assert together.by_module["m"].unresolved == alone.unresolved


def test_taking_in_modules_that_found_the_same_edge_adds_them_and_leaves_each_as_found() -> None:
    """Merging what two modules found (`_Resolver.take`): an edge both found gets their lines,
    counts and arguments together, in a copy; each module's own resolution stays as it was, as
    the cache keeps it."""
    from dataclasses import replace

    from analyzer.resolve import EdgeInfo, FileResolution, _Resolver

    key = ("a.f", "b.g", "calls")
    first = FileResolution({key: EdgeInfo((3,), 1, unsafe_args=frozenset({(3, 0, "lambda", "lambda")})),
                            ("a.f", "c.h", "calls"): EdgeInfo((4,), 1)}, [], 2, set(), [], ())
    second = FileResolution({key: EdgeInfo((3, 9), 2, virtual=True, unused_result=1)}, [], 2, set(), [], ())
    before = [replace(info) for found in (first, second) for info in found.edges.values()]
    resolver = _Resolver(resolve([], jobs=1).program, resolve([], jobs=1).data)
    resolver.take(first)
    resolver.take(second)
    resolver.edge("a.f", "b.g", "calls", 12)
    merged = resolver.edges[key]
    assert (merged.lines, merged.count, merged.virtual, merged.unused_result) == ((3, 9, 12), 4, False, 1)
    assert merged.unsafe_args == {(3, 0, "lambda", "lambda")} and not merged.arg_values
    assert [info for found in (first, second) for info in found.edges.values()] == before
    assert list(resolver.edges) == [key, ("a.f", "c.h", "calls")]
