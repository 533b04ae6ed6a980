"""Scores of placements on tiny graphs, computed by hand; hazards present and absent; the example."""

from __future__ import annotations

import json
import random
from pathlib import Path

import networkx as nx
import pytest

from analyzer.boundaries.hazards import (
    CROSS_SERVICE_TRANSACTION,
    INSTANCE_METHOD_ACROSS,
    MISSING_TYPE_HINTS,
    ORM_CONVERTED,
    SHARED_MODULE_STATE,
    TABLE_MULTIPLE_WRITERS,
    WIRE_UNSAFE_TYPE,
    Finding,
)
from analyzer.boundaries.metrics import (
    READ_READ_WEIGHT,
    WRITE_READ_WEIGHT,
    WRITE_WRITE_WEIGHT,
    Scores,
    ScoringContext,
    elementary_cycles,
    score,
)
from analyzer.boundaries.placement import MONOLITH, SHARED, Placement
from analyzer.graph import CodeGraph
from analyzer.pipeline import AnalyzeOptions, analyze

from .snippets import graph_of

REPO = Path(__file__).resolve().parents[2]

# a -> b twice, c -> d twice, b -> c once: two pairs joined by one call.
CHAIN = {
    "a.py": """
        import b
        def f() -> None:
            b.g()
            b.g()
    """,
    "b.py": """
        import c
        def g() -> None:
            c.k()
    """,
    "c.py": """
        import d
        def k() -> None:
            d.m()
            d.m()
            d.Thing()
    """,
    "d.py": """
        def m() -> None:
            pass
        class Thing:
            def __init__(self) -> None:
                self.x = 1
    """,
}


@pytest.fixture(scope="module")
def chain() -> CodeGraph:
    return graph_of(CHAIN)


def test_modularity_by_hand_and_as_networkx_computes_it(chain: CodeGraph) -> None:
    # links: a-b 2, b-c 1, c-d 2 + 2 (Thing() instantiates Thing and calls Thing.__init__): m = 7
    context = ScoringContext(chain)
    assert context.links == {("a", "b"): 2.0, ("b", "c"): 1.0, ("c", "d"): 4.0}
    split = Placement({"a": "x", "b": "x", "c": "y", "d": "y"})
    # Q = sum over places of inside/m - (degree/2m)^2 = 2/7 - (5/14)^2 + 4/7 - (9/14)^2
    expected = 2 / 7 - (5 / 14) ** 2 + 4 / 7 - (9 / 14) ** 2
    assert score(context, split).modularity == round(expected, 6)
    assert score(context, Placement(dict.fromkeys("abcd", "x"))).modularity == 0.0
    undirected = nx.Graph()
    undirected.add_weighted_edges_from((a, b, w) for (a, b), w in context.links.items())
    for placement in (split, Placement({"a": "x", "b": "y", "c": "y", "d": "x"})):
        communities = [set(placement.members(p)) for p in ("x", "y")]
        assert score(context, placement).modularity == pytest.approx(
            nx.community.modularity(undirected, communities, weight="weight"), abs=1e-6)


def test_modularity_of_a_graph_without_links_is_zero() -> None:
    lonely = graph_of({"a.py": "def f() -> None:\n    pass\n"})
    assert score(lonely, Placement({"a": "x"})).modularity == 0.0


def test_data_coupling_weights() -> None:
    graph = graph_of({
        "w1.py": 'def f(conn) -> None:\n    conn.execute("INSERT INTO t (id) VALUES (1)")\n',
        "w2.py": 'def f(conn) -> None:\n    conn.execute("UPDATE t SET id = 2")\n',
        "r1.py": 'def f(conn) -> None:\n    conn.execute("SELECT id FROM t")\n',
        "r2.py": 'def f(conn) -> None:\n    conn.execute("SELECT id FROM t")\n',
    })
    assert ScoringContext(graph).links == {
        ("r1", "r2"): READ_READ_WEIGHT, ("r1", "w1"): WRITE_READ_WEIGHT, ("r1", "w2"): WRITE_READ_WEIGHT,
        ("r2", "w1"): WRITE_READ_WEIGHT, ("r2", "w2"): WRITE_READ_WEIGHT, ("w1", "w2"): WRITE_WRITE_WEIGHT}


def test_icp_counts_call_weight_across_places_but_not_into_shared(chain: CodeGraph) -> None:
    # call weight: a->b 2, b->c 1, c->d 2 (m) + 1 (Thing) + 1 (Thing.__init__) = 7
    context = ScoringContext(chain)
    assert score(context, Placement({"a": "x", "b": "x", "c": "y", "d": "y"})).icp == round(1 / 7, 6)
    assert score(context, Placement({"a": "x", "b": "y", "c": "y", "d": "y"})).icp == round(2 / 7, 6)
    assert score(context, Placement({"b": "x", "c": "y", "d": "y"})).icp == round(3 / 7, 6)  # a: monolith
    assert score(context, Placement({"a": "x", "b": "x", "c": "x", "d": SHARED})).icp == 0.0
    assert score(context, Placement({"a": "x", "b": "x", "c": SHARED, "d": "y"})).icp == round(4 / 7, 6)


def test_ifn_counts_what_is_called_from_outside_per_service(chain: CodeGraph) -> None:
    scores = score(chain, Placement({"a": "x", "b": "x", "c": "y", "d": "z"}))
    interfaces = {s.name: s.interfaces for s in scores.services}
    assert interfaces == {"x": (), "y": ("c.k",), "z": ("d.Thing", "d.m")}  # Thing.__init__ counts as Thing
    assert scores.ifn == 1.0  # (0 + 1 + 2) / 3
    monolith = score(chain, Placement({"b": "x", "c": "x", "d": "x"}))
    assert monolith.services[0].interfaces == ("b.g",)
    assert monolith.monolith.interfaces == () and monolith.monolith.units == 1


def test_ned_is_the_share_of_service_code_in_services_of_extreme_size() -> None:
    graph = CodeGraph()
    for name, size in (("a", 100), ("b", 400), ("c", 500), ("d", 1000)):
        graph.add_symbol(name, "module", file=f"{name}.py", line=1, size=size, module=name)
    context = ScoringContext(graph, size_bounds=(300, 600))
    scores = score(context, Placement({"a": "small", "b": "fine", "c": "fine", "d": "big"}))
    assert {s.name: (s.size, s.extreme) for s in scores.services} == {
        "big": (1000, True), "fine": (900, True), "small": (100, True)}
    assert scores.ned == 1.0
    scores = score(context, Placement({"a": "small", "b": "fine", "c": "big", "d": MONOLITH}))
    assert [s.extreme for s in scores.services] == [False, False, True]  # big (500), fine (400), small (100)
    assert scores.ned == 0.1  # 100 of 1000 lines in services
    assert score(context, Placement({})).ned == 0.0  # no services


MODELS = """
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
    class Base(DeclarativeBase):
        pass
    class Order(Base):
        __tablename__ = "orders"
        id: Mapped[int] = mapped_column(primary_key=True)
    class Payment(Base):
        __tablename__ = "payments"
        id: Mapped[int] = mapped_column(primary_key=True)
"""
SHOP = {
    "models.py": MODELS,
    "orders.py": """
        from sqlalchemy.orm import Session
        from models import Order, Payment
        def place(session: Session) -> None:
            session.add(Order())
            session.add(Payment())
    """,
    "payments.py": """
        from sqlalchemy.orm import Session
        from models import Payment
        def pay(session: Session) -> None:
            session.add(Payment())
        def refund(session: Session, payment_id: int) -> None:
            payment = session.get(Payment, payment_id)
            session.delete(payment)
    """,
    "reports.py": """
        from sqlalchemy.orm import Session
        from models import Order
        def count(session: Session) -> int:
            return session.query(Order).count()
    """,
}
BY_MODULE = Placement({"models": SHARED, "orders": "orders", "payments": "payments", "reports": "reports"})


@pytest.fixture(scope="module")
def shop() -> CodeGraph:
    return graph_of(SHOP)


def test_data_ownership_writers_readers_and_owner(shop: CodeGraph) -> None:
    data = {d.entity: d for d in score(shop, BY_MODULE).data}
    assert set(data) == {"table:orders", "table:payments"}
    orders, payments = data["table:orders"], data["table:payments"]
    assert (orders.owner, orders.writers, orders.readers) == ("orders", (("orders", 1),), (("reports", 1),))
    assert orders.read_across == ("reports",)
    writes = sum(d["count"] for s, t, d in shop.dependencies("writes") if s.startswith("payments.")
                 and t == "table:payments")
    assert payments.owner == "payments" and payments.writers == (("orders", 1), ("payments", writes))


def test_table_written_by_two_services_is_a_hazard(shop: CodeGraph) -> None:
    found = _of_kind(score(shop, BY_MODULE), TABLE_MULTIPLE_WRITERS)
    assert [(f.subject, f.service, f.location) for f in found] == [("table:payments", "orders", "orders.py:6")]
    assert "orders (1 site)" in found[0].message and "payments" in found[0].hint
    together = Placement({"models": SHARED, "orders": "sales", "payments": "sales", "reports": "reports"})
    assert not _of_kind(score(shop, together), TABLE_MULTIPLE_WRITERS)


def test_transaction_spanning_services(shop: CodeGraph) -> None:
    scores = score(shop, BY_MODULE)
    assert [(t.function, t.service, t.tables) for t in scores.transactions] == [
        ("orders.place", "orders", (("table:orders", "orders"), ("table:payments", "payments")))]
    [finding] = _of_kind(scores, CROSS_SERVICE_TRANSACTION)
    assert (finding.subject, finding.location, finding.service) == ("orders.place", "orders.py:4", "orders")
    together = Placement({"models": SHARED, "orders": "sales", "payments": "sales"})
    assert not score(shop, together).transactions


def test_cycles_between_services(chain: CodeGraph) -> None:
    assert score(chain, Placement({"a": "x", "b": "x", "c": "y", "d": "y"})).cycles == ()
    graph = graph_of({**CHAIN, "d.py": "import a\ndef m() -> None:\n    a.f()\nclass Thing:\n    pass\n"})
    scores = score(graph, Placement({"a": "x", "b": "x", "c": "y", "d": "z"}))
    assert scores.cycles == (("x", "y", "z"),)
    assert score(graph, Placement({"a": "x", "b": "x", "c": "y"})).cycles == (("monolith", "x", "y"),)
    assert score(graph, Placement({"a": "x", "b": "x", "c": "y", "d": SHARED})).cycles == ()


def test_elementary_cycles_agree_with_networkx_and_are_bounded() -> None:
    rng = random.Random(7)
    names = [f"s{i}" for i in range(7)]
    edges = {a: {b for b in names if b != a and rng.random() < 0.35} for a in names}
    found, truncated = elementary_cycles(edges, limit=10_000)
    expected = nx.simple_cycles(nx.DiGraph([(a, b) for a in edges for b in edges[a]]))
    assert not truncated
    assert set(found) == {_rotated(c) for c in expected}
    assert list(found) == sorted(found)
    few, truncated = elementary_cycles(edges, limit=3)
    assert truncated and len(few) == 3


def _plain_cycles(edges: dict[str, set[str]], limit: int) -> tuple[tuple[tuple[str, ...], ...], bool]:
    """The depth-first search elementary_cycles replaced: same answer, exponential on dead ends."""
    found: list[tuple[str, ...]] = []
    for start in sorted(edges):
        stack, path = [iter(sorted(edges[start]))], [start]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                path.pop()
            elif step == start:
                found.append(tuple(path))
                if len(found) > limit:
                    return tuple(sorted(found)[:limit]), True
            elif step > start and step not in path:
                path.append(step)
                stack.append(iter(sorted(edges.get(step, ()))))
    return tuple(sorted(found)), False


def test_elementary_cycles_are_those_of_a_plain_search_even_when_cut() -> None:
    rng = random.Random(11)
    for _ in range(400):
        names = [f"s{i}" for i in range(rng.randint(1, 8))]
        density = rng.random() * 0.6
        edges = {a: {b for b in [*names, "outside"] if (b != a or rng.random() < 0.1) and rng.random() < density}
                 for a in names}
        for limit in (1, 3, 100, 10_000):
            assert elementary_cycles(edges, limit) == _plain_cycles(edges, limit)


class _CountingEdges(dict[str, set[str]]):
    lookups = 0

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.lookups += 1
        return super().get(key, default)

    def __getitem__(self, key: str) -> set[str]:
        self.lookups += 1
        return super().__getitem__(key)


def test_elementary_cycles_do_not_walk_paths_that_cannot_return() -> None:
    # a <-> b, and from b a ladder of 2**40 paths to e, which returns only through b: every
    # path from b is a dead end for start a (b is already on it). A plain search walks them all.
    layers = 40
    edges = _CountingEdges({"a": {"b"}, "b": {"a", "c00", "d00"}, "e": {"b"}})
    for i in range(layers):
        following = {f"c{i + 1:02d}", f"d{i + 1:02d}"} if i < layers - 1 else {"e"}
        edges[f"c{i:02d}"], edges[f"d{i:02d}"] = set(following), set(following)
    found, truncated = elementary_cycles(edges, limit=5)
    assert truncated and found[0] == ("a", "b")
    assert all(cycle[0] == "b" and cycle[-1] == "e" for cycle in found[1:])
    assert edges.lookups < 10 * len(edges) ** 2  # node visits bounded, not one per path


HAZARDS = {
    "models.py": MODELS,
    "svc.py": """
        from typing import Callable, Iterator
        from sqlalchemy.orm import Session
        from models import Order

        def load(session: Session, order_id: int) -> Order:
            return session.get(Order, order_id)
        def each(ids: list[int]) -> Iterator[int]:
            yield from ids
        def on_done(callback: Callable[[int], None]) -> None:
            callback(1)
        def untyped(x, y: int):
            return x
        def fine(order_id: int) -> dict[str, int]:
            return _internal(None)
        def _internal(session: Session):
            return {}
        class Cart:
            def total(self) -> int:
                return 0
            @classmethod
            def empty(cls) -> "Cart":
                return cls()
    """,
    "web.py": """
        from svc import Cart, each, fine, load, on_done, untyped
        def view() -> None:
            load(None, 1)
            each([1])
            on_done(print)
            untyped(1, 2)
            fine(1)
            cart = Cart()
            cart.total()
            Cart.empty()
    """,
}


def test_operation_hazards_present() -> None:
    scores = score(graph_of(HAZARDS), Placement({"svc": "svc", "models": SHARED}))
    found = {(f.kind, f.subject, f.message) for f in scores.findings}
    assert {(k, s) for k, s, _ in found} == {
        (WIRE_UNSAFE_TYPE, "svc.each"), (WIRE_UNSAFE_TYPE, "svc.on_done"),
        (ORM_CONVERTED, "svc.load"), (MISSING_TYPE_HINTS, "svc.untyped"), (INSTANCE_METHOD_ACROSS, "svc.Cart.total")}
    messages = sorted(m for k, s, m in found if s == "svc.load")
    assert messages[0].startswith("parameter 'session' is a database session (Session): it is not sent")
    assert messages[1].startswith("the return is an ORM model instance (models.Order): it is sent as its columns")
    assert "no type hint on 'x', the return" in {m for k, _, m in found if k == MISSING_TYPE_HINTS}
    each = next(f for f in scores.findings if f.subject == "svc.each" and f.kind == WIRE_UNSAFE_TYPE)
    assert (each.location, each.service, each.severity) == ("svc.py:8", "svc", "error")
    assert all(f.hint for f in scores.findings)


def test_operation_hazards_absent_when_nothing_crosses() -> None:
    graph = graph_of(HAZARDS)
    assert not score(graph, Placement({"svc": "app", "web": "app", "models": SHARED})).findings
    assert not score(graph, Placement({})).findings  # everything stays in the monolith


STATE = {
    "common.py": """
        _SEEN: list[int] = []
        def remember(x: int) -> None:
            _SEEN.append(x)
    """,
    "a.py": """
        import common
        COUNTS: dict[str, int] = {}
        def f() -> None:
            common.remember(1)
            COUNTS["f"] = 1
    """,
    "b.py": """
        import a
        import common
        def g() -> int:
            common.remember(2)
            return len(a.COUNTS)
    """,
}


def test_module_state_shared_across_services() -> None:
    graph = graph_of(STATE)
    scores = score(graph, Placement({"a": "x", "b": "y", "common": SHARED}))
    found = {f.subject: f for f in _of_kind(scores, SHARED_MODULE_STATE)}
    assert set(found) == {"a.COUNTS", "common._SEEN"}  # a library's state is copied into each service
    assert found["a.COUNTS"].location == "a.py:3" and found["a.COUNTS"].service == "x"
    data = {d.entity: d for d in scores.data}
    assert data["common._SEEN"].writers == (("x", 1), ("y", 1))
    assert data["a.COUNTS"].readers == (("y", 1),)


def test_module_state_in_one_service_is_no_hazard() -> None:
    graph = graph_of(STATE)
    assert not _of_kind(score(graph, Placement({"a": "x", "b": "x", "common": SHARED})), SHARED_MODULE_STATE)
    only_a = graph_of({k: v for k, v in STATE.items() if k != "b.py"})
    assert not _of_kind(score(only_a, Placement({"a": "x", "common": SHARED})), SHARED_MODULE_STATE)


def test_an_engine_each_process_builds_is_configuration_not_shared_state() -> None:
    graph = graph_of({
        "db.py": """
            from sqlalchemy import create_engine
            from sqlalchemy.orm import sessionmaker
            _engine = None
            _factory = None
            _opened: list[str] = []
            def init_db(url: str) -> None:
                global _engine, _factory
                _engine = create_engine(url)
                _factory = sessionmaker(bind=_engine)
                _opened.append(url)
            def new_session() -> object:
                if _factory is None:
                    init_db("sqlite://")
                return _factory()
        """,
        "a.py": "import db\ndef f() -> object:\n    return db.new_session()\n",
        "b.py": "import db\ndef g() -> object:\n    return db.new_session()\n",
    })
    scores = score(graph, Placement({"a": "x", "b": "y", "db": SHARED}))
    assert {f.subject for f in _of_kind(scores, SHARED_MODULE_STATE)} == {"db._opened"}  # a list stays state
    assert {d.entity for d in scores.data} == {"db._opened"}


def test_scores_are_deterministic_and_json_serialisable(shop: CodeGraph) -> None:
    first, second = score(shop, BY_MODULE), score(graph_of(SHOP), BY_MODULE)
    assert first == second
    assert first.dumps() == second.dumps()
    document = json.loads(first.dumps())
    assert list(document) == sorted(document)
    assert document["format"] == "mono2lambda-scores" and document["not_detected"] == []
    assert score(ScoringContext(shop), BY_MODULE) == first


def test_placement_and_context_must_agree_on_units(shop: CodeGraph) -> None:
    with pytest.raises(ValueError, match="class units"):
        score(ScoringContext(shop, "class"), BY_MODULE)


def test_class_units() -> None:
    graph = graph_of(HAZARDS)
    placement = Placement({"svc.Cart": "carts", "svc": "svc", "web": "svc", "models": SHARED}, "class")
    scores = score(graph, placement)
    assert [(s.name, s.interfaces) for s in scores.services] == [("carts", ("svc.Cart", "svc.Cart.empty",
                                                                             "svc.Cart.total")), ("svc", ())]


def test_the_example_shop_scored_by_top_package(tmp_path: Path) -> None:
    graph = analyze(REPO / "examples" / "shop", tmp_path, AnalyzeOptions(use_cache=False)).load_graph()
    places = {"web": MONOLITH, "common": SHARED}
    placement = Placement({m: places.get(m.split(".")[1], m.split(".")[1]) for m in graph.nodes("module")
                           if m.count(".") >= 1})
    scores = score(graph, placement)
    spanning = {t.function: dict(t.tables) for t in scores.transactions}
    tables = spanning["shop.orders.checkout.place_order"]
    assert {tables["table:orders"], tables["table:payments"], tables["table:reservations"]} == {
        "orders", "payments", "inventory"}
    state = {f.subject: f for f in _of_kind(scores, SHARED_MODULE_STATE)}
    assert "shop.common.events._PUBLISHED" in state
    assert {"orders", "shipping"} <= set(state["shop.common.events._PUBLISHED"].message.split(" used by ")[1]
                                         .split(";")[0].split(", "))
    assert any(f.subject == "table:orders" for f in _of_kind(scores, TABLE_MULTIPLE_WRITERS))
    assert 0.0 < scores.icp < 1.0 and -0.5 <= scores.modularity <= 1.0
    assert scores.dumps() == score(graph, placement).dumps()


def _of_kind(scores: Scores, kind: str) -> list[Finding]:
    return [f for f in scores.findings if f.kind == kind]


def _rotated(cycle: list[str]) -> tuple[str, ...]:
    start = cycle.index(min(cycle))
    return tuple(cycle[start:] + cycle[:start])


def test_argument_mutation_is_a_hazard_of_an_operation() -> None:
    from analyzer.boundaries.placement import Placement

    graph = graph_of({
        "a.py": """
            def fill(items: list, order: dict) -> None:
                items.append(1)
                order["paid"] = True
            def pure(items: list) -> list:
                items = list(items)
                items.append(1)
                return items
            class Box:
                def put(self, x: int) -> None:
                    self.x = x
        """,
        "b.py": """
            import a
            def use() -> None:
                a.fill([], {})
                a.pure([])
                a.Box().put(1)
        """,
    })
    assert graph.node("a.fill")["mutates"] == ["items", "order"]
    assert "mutates" not in graph.node("a.pure") and "mutates" not in graph.node("a.Box.put")
    found = score(graph, Placement({"a": "svc", "b": "monolith"})).findings
    mutations = [f for f in found if f.kind == "argument-mutation"]
    assert [f.subject for f in mutations] == ["a.fill"]
