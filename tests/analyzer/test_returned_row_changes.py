"""A caller that changes a row an operation returned and then commits or saves it: recorded on the
call's edge (`changed_result`), and a blocking hazard at the caller's line once the operation is
in another service, since the caller then holds a read-only copy of the row."""

from __future__ import annotations

from analyzer.boundaries.hazards import ERROR, RETURNED_ROW_MUTATION
from analyzer.boundaries.metrics import score
from analyzer.boundaries.placement import SHARED, Placement

from .snippets import graph_of

APP = {
    "models.py": """
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
        class Base(DeclarativeBase):
            pass
        class Order(Base):
            __tablename__ = "orders"
            id: Mapped[int] = mapped_column(primary_key=True)
            status: Mapped[str]
    """,
    "orders.py": """
        from sqlalchemy.orm import Session
        from models import Order

        def get_order(session: Session, order_id: int) -> Order:
            return session.get(Order, order_id)

        def recent(session: Session) -> list[Order]:
            return []

        def order_id(session: Session, number: str) -> int:
            return 1
    """,
    "web.py": """
        from orders import get_order, order_id, recent

        def ship(session, number):
            order = get_order(session, order_id(session, number))
            order.status = "shipped"
            session.commit()

        def cancel_all(session):
            for order in recent(session):
                order.status = "cancelled"
            session.flush()

        def show(session, number):
            order = get_order(session, 1)
            order.status = "seen"  # changed locally, never committed: not the hazard
            return order.status

        def late(session, number):
            session.commit()
            order = get_order(session, 2)
            return order.status
    """,
}


def test_a_changed_and_committed_result_is_recorded_on_the_call_edge() -> None:
    graph = graph_of(APP)
    edges = {(source, target): data for source, target, data in graph.dependencies("calls")}
    assert edges[("web.ship", "orders.get_order")]["changed_result"] == [{"line": 6, "attr": "status", "saved": 7}]
    assert edges[("web.cancel_all", "orders.recent")]["changed_result"] == [{"line": 11, "attr": "status",
                                                                             "saved": 12}]
    for caller in ("web.show", "web.late"):
        assert "changed_result" not in edges[(caller, "orders.get_order")], caller
    assert "changed_result" not in edges[("web.ship", "orders.order_id")], "the int it returns is not changed"


def test_it_blocks_when_the_operation_is_in_another_service_and_not_when_they_share_one() -> None:
    graph = graph_of(APP)
    apart = score(graph, Placement({"orders": "orders", "web": "web", "models": SHARED})).findings
    found = sorted((f.location, f.subject, f.service, f.severity) for f in apart if f.kind == RETURNED_ROW_MUTATION)
    assert found == [("web.py:11", "orders.recent", "orders", ERROR), ("web.py:6", "orders.get_order", "orders", ERROR)]
    [ship] = [f for f in apart if f.kind == RETURNED_ROW_MUTATION and f.subject == "orders.get_order"]
    assert "web.ship changes 'status' of the row orders.get_order returns and commits it (line 7)" in ship.message
    assert "call an operation of orders that makes the change" in ship.hint
    together = score(graph, Placement({"orders": "orders", "web": "orders", "models": SHARED})).findings
    assert not [f for f in together if f.kind == RETURNED_ROW_MUTATION]
