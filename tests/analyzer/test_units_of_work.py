"""A caller that hands its session to another service's writing operation while its own writes
are not committed: a blocking `cross-service-transaction` at the call, since across the wire the
operation runs in a unit of work of its own (units_of_work.py)."""

from __future__ import annotations

from analyzer.boundaries.hazards import CROSS_SERVICE_TRANSACTION, ERROR, Finding
from analyzer.boundaries.metrics import score
from analyzer.boundaries.placement import SHARED, Placement
from analyzer.boundaries.units_of_work import PendingWrites, WorkFacts
from analyzer.graph import CodeGraph

from .snippets import graph_of

MODELS = """
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
    class Base(DeclarativeBase):
        pass
    class Cart(Base):
        __tablename__ = "carts"
        id: Mapped[int] = mapped_column(primary_key=True)
    class Hold(Base):
        __tablename__ = "holds"
        id: Mapped[int] = mapped_column(primary_key=True)
        cart_id: Mapped[int]
"""

STOCK = """
    from sqlalchemy.orm import Session
    from models import Hold

    def reserve(session: Session, cart_id: int) -> None:
        _hold(session, cart_id)

    def _hold(session: Session, cart_id: int) -> None:
        session.add(Hold(cart_id=cart_id))

    def held(session: Session, cart_id: int) -> int:
        return len(session.query(Hold).filter(Hold.cart_id == cart_id).all())
"""

CART = """
    from sqlalchemy.orm import Session
    from models import Cart
    import stock

    def add(session: Session) -> int:
        cart = Cart()
        session.add(cart)
        session.flush()
        stock.reserve(session, cart.id)
        return cart.id

    def through_helper(session: Session) -> int:
        cart = _new_cart(session)
        stock.reserve(session, cart.id)
        return cart.id

    def _new_cart(session: Session) -> Cart:
        cart = Cart()
        session.add(cart)
        session.flush()
        return cart

    def committed_first(session: Session) -> int:
        cart = Cart()
        session.add(cart)
        session.commit()
        stock.reserve(session, cart.id)
        return cart.id

    def helper_commits(session: Session) -> int:
        cart = _new_committed_cart(session)
        stock.reserve(session, cart.id)
        return cart.id

    def _new_committed_cart(session: Session) -> Cart:
        cart = Cart()
        session.add(cart)
        session.commit()
        return cart

    def reserve_first(session: Session, cart_id: int) -> None:
        stock.reserve(session, cart_id)
        session.add(Cart())

    def only_reads(session: Session) -> int:
        cart = Cart()
        session.add(cart)
        session.flush()
        return stock.held(session, cart.id)

    def drop_or_reserve(session: Session, cart_id: int, drop: bool) -> None:
        if drop:
            return _drop(session, cart_id)  # the function ends here: _drop's write reaches no later call
        stock.reserve(session, cart_id)

    def _drop(session: Session, cart_id: int) -> None:
        session.add(Cart())
"""

APART = Placement({"cart": "cart", "stock": "inventory", "models": SHARED})


def _found(graph: CodeGraph, placement: Placement) -> list[Finding]:
    return [f for f in score(graph, placement).findings if f.kind == CROSS_SERVICE_TRANSACTION]


def test_it_fires_at_the_call_when_the_callers_writes_are_pending() -> None:
    graph = graph_of({"models.py": MODELS, "stock.py": STOCK, "cart.py": CART})
    found = _found(graph, APART)
    assert sorted((f.subject, f.location, f.service, f.severity) for f in found) == [
        ("cart.add", "cart.py:10", "inventory", ERROR),
        ("cart.through_helper", "cart.py:15", "inventory", ERROR)]
    add = next(f for f in found if f.subject == "cart.add")
    assert "cart.add (cart) calls stock.reserve, an operation of inventory that writes holds (inventory)" \
        in add.message and "not committed: carts (cart)" in add.message
    assert "commit the caller's writes before calling reserve" in add.hint and "saga" in add.hint
    transactions = {t.function: t for t in score(graph, APART).transactions}
    assert transactions["cart.through_helper"].tables == (("table:carts", "cart"),)
    assert transactions["cart.through_helper"].through == ("stock.reserve", "inventory",
                                                           (("table:holds", "inventory"),))
    assert transactions["cart.add"].to_json()["through"] == {
        "operation": "stock.reserve", "service": "inventory", "tables": {"table:holds": "inventory"}}


def test_it_does_not_fire_after_a_commit_before_the_writes_or_for_a_reading_operation() -> None:
    graph = graph_of({"models.py": MODELS, "stock.py": STOCK, "cart.py": CART})
    subjects = {f.subject for f in _found(graph, APART)}
    for quiet in ("cart.committed_first", "cart.helper_commits", "cart.reserve_first", "cart.only_reads",
                  "cart.drop_or_reserve"):
        assert quiet not in subjects, quiet


def test_it_does_not_fire_when_caller_and_operation_share_a_service() -> None:
    graph = graph_of({"models.py": MODELS, "stock.py": STOCK, "cart.py": CART})
    together = Placement({"cart": "shop", "stock": "shop", "models": SHARED})
    assert not _found(graph, together)
    assert not [t for t in score(graph, together).transactions if t.through]


def test_a_caller_in_the_monolith_blocks_the_operations_service() -> None:
    graph = graph_of({"models.py": MODELS, "stock.py": STOCK, "cart.py": CART})
    found = _found(graph, Placement({"stock": "inventory", "models": SHARED}))
    assert {(f.subject, f.service) for f in found} == {("cart.add", "inventory"), ("cart.through_helper", "inventory")}


def test_an_operation_without_a_session_parameter_is_its_own_unit_of_work_already() -> None:
    stock = STOCK.replace("def reserve(session: Session, cart_id: int)", "def reserve(session, cart_id: int)")
    graph = graph_of({"models.py": MODELS, "stock.py": stock, "cart.py": CART})
    assert not _found(graph, APART)


def test_commits_and_returned_calls_are_recorded_on_the_function_node() -> None:
    graph = graph_of({"models.py": MODELS, "stock.py": STOCK, "cart.py": CART})
    assert graph.attr("cart.committed_first", "commits") == [27]
    assert graph.attr("cart.add", "commits") is None
    assert graph.attr("cart.drop_or_reserve", "returned_calls") == [54]


def test_what_an_operation_writes_follows_its_calls_in_its_own_place_and_shared_code_through_cycles() -> None:
    writes = {"a": ((1, "t1"),), "b": ((1, "t2"),), "c": ((1, "t3"),), "d": ((1, "t4"),), "e": ((1, "t5"),)}
    calls = {"op": ["a"], "a": ["b"], "b": ["a", "c", "e"], "c": ["d"]}
    home = {"op": "inv", "a": "inv", "b": "inv", "e": "inv", "c": SHARED, "d": "other"}
    pending = PendingWrites(WorkFacts(writes, {}, {}, {}), home.__getitem__, lambda node: calls.get(node, ()))
    assert pending.written_by("op", "inv") == {"t1", "t2", "t3", "t5"}  # d runs in another place
    assert pending.written_by("b", "inv") == {"t1", "t2", "t3", "t5"}  # a and b call each other
    assert pending.written_by("c", "inv") == {"t3"}
    assert pending.written_by("c", "other") == {"t3", "t4"}
    assert pending.written_by("d", "inv") == {"t4"}  # the operation's own writes, wherever it is


def test_what_an_operation_writes_is_found_down_a_call_chain_deeper_than_the_recursion_limit() -> None:
    depth = 5_000
    calls = {f"f{n}": [f"f{n + 1}"] for n in range(depth)}
    calls[f"f{depth}"] = ["f0"]
    pending = PendingWrites(WorkFacts({f"f{depth}": ((1, "deep"),)}, {}, {}, {}), lambda node: "inv",
                            lambda node: calls.get(node, ()))
    assert pending.written_by("f0", "inv") == {"deep"}
    assert pending.written_by("f1234", "inv") == {"deep"}
