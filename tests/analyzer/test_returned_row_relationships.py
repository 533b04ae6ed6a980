"""A caller that reads a relationship of a row an operation returned (directly, or through a method
of the model that reads one): recorded on the call's edge (`relationship_reads`), and a blocking
hazard at the caller's line once the operation is in another service, unless the plan has the
operation send that relationship along (`include:`)."""

from __future__ import annotations

import json
import textwrap

import pytest

from analyzer.boundaries.hazards import ERROR, RETURNED_ROW_RELATIONSHIP
from analyzer.boundaries.metrics import score
from analyzer.boundaries.placement import SHARED, Placement
from analyzer.boundaries.plan import assign, parse_plan
from analyzer.errors import PlanError

from .snippets import graph_of
from .spies import counted, spy

SQLALCHEMY = {
    "models.py": """
        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
        class Base(DeclarativeBase):
            pass
        class Customer(Base):
            __tablename__ = "customers"
            id: Mapped[int] = mapped_column(primary_key=True)
        class Cart(Base):
            __tablename__ = "carts"
            id: Mapped[int] = mapped_column(primary_key=True)
            customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
            items: Mapped[list["Line"]] = relationship(back_populates="cart")
            customer: Mapped[Customer] = relationship()
            coupons = relationship("Coupon")
            def pairs(self):
                return [(line.sku, line.quantity) for line in self.items]
            def summary(self):
                return {"id": self.id, "pairs": self.pairs()}
            @property
            def owner_id(self):
                return self.customer.id
            def key(self):
                return self.id
        class Line(Base):
            __tablename__ = "lines"
            id: Mapped[int] = mapped_column(primary_key=True)
            cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id"))
            cart: Mapped[Cart] = relationship(back_populates="items")
    """,
    "carts.py": """
        from sqlalchemy.orm import Session
        from models import Cart

        def open_cart(session: Session, cart_id: int) -> Cart | None:
            return session.get(Cart, cart_id)

        def all_carts(session: Session) -> list[Cart]:
            return []

        def count(session: Session) -> int:
            return 0
    """,
    "web.py": """
        from carts import all_carts, count, open_cart

        def show(session):
            cart = open_cart(session, 1)
            if cart is None or not cart.items:
                return None
            return cart.summary(), cart.owner_id, cart.key(), cart.customer_id

        def every(session):
            for cart in all_carts(session):
                cart.coupons.append(None)

        def other(session):
            n = count(session)
            return n.items
    """,
}


def _reads(graph, caller: str, callee: str) -> list[dict]:
    edges = {(source, target): data for source, target, data in graph.dependencies("calls")}
    return edges[(caller, callee)].get("relationship_reads", [])


def test_relationship_reads_of_a_returned_row_are_recorded_directly_and_through_model_methods() -> None:
    graph = graph_of(SQLALCHEMY)
    assert _reads(graph, "web.show", "carts.open_cart") == [
        {"line": 6, "attr": "items", "model": "models.Cart"},
        {"line": 8, "attr": "customer", "model": "models.Cart", "via": "owner_id"},
        {"line": 8, "attr": "items", "model": "models.Cart", "via": "summary"},
    ], "a property and a method calling another method count; columns and key() do not"
    assert _reads(graph, "web.every", "carts.all_carts") == [
        {"line": 12, "attr": "coupons", "model": "models.Cart"}], "the items of a list result, relationship(...)"
    assert _reads(graph, "web.other", "carts.count") == [], "what an int result is read for is no relationship"


def test_it_blocks_when_the_operation_is_in_another_service_unless_the_plan_includes_it() -> None:
    graph = graph_of(SQLALCHEMY)
    apart = Placement({"carts": "carts", "web": "web", "models": SHARED})
    found = sorted((f.location, f.subject, f.service, f.severity) for f in score(graph, apart).findings
                   if f.kind == RETURNED_ROW_RELATIONSHIP)
    assert found == [("web.py:12", "carts.all_carts", "carts", ERROR), ("web.py:6", "carts.open_cart", "carts", ERROR),
                     ("web.py:8", "carts.open_cart", "carts", ERROR), ("web.py:8", "carts.open_cart", "carts", ERROR)]
    [via] = [f for f in score(graph, apart).findings if f.kind == RETURNED_ROW_RELATIONSHIP and "summary" in f.message]
    assert via.message.startswith("web.show calls Cart.summary(), which reads the relationship 'items' of the "
                                  "models.Cart that carts.open_cart returns; carts.open_cart is an operation of carts")
    assert "`include: [items]`" in via.hint and "DTO" in via.hint
    included = Placement(apart.units, includes={"carts.open_cart": ("items",)})
    left = sorted((f.location, f.message.split(" the relationship ")[1].split(" ")[0])
                  for f in score(graph, included).findings if f.kind == RETURNED_ROW_RELATIONSHIP)
    assert left == [("web.py:12", "'coupons'"), ("web.py:8", "'customer'")], "only the listed one is answered"
    together = Placement({"carts": "carts", "web": "carts", "models": SHARED})
    assert not [f for f in score(graph, together).findings if f.kind == RETURNED_ROW_RELATIONSHIP]


DJANGO = {
    "library/__init__.py": "",
    "library/models.py": """
        from django.db import models
        class Author(models.Model):
            name = models.CharField(max_length=100)
        class Book(models.Model):
            author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
            tags = models.ManyToManyField("Tag")
            title = models.CharField(max_length=100)
        class Tag(models.Model):
            label = models.CharField(max_length=20)
        class Review(models.Model):
            book = models.ForeignKey(Book, on_delete=models.CASCADE)
    """,
    "library/shelf.py": """
        from library.models import Author, Book

        def book(pk: int) -> Book:
            return Book.objects.get(pk=pk)

        def author(pk: int) -> Author:
            return Author.objects.get(pk=pk)
    """,
    "views.py": """
        from library import shelf

        def page(pk):
            book = shelf.book(pk)
            return book.title, book.author.name, list(book.tags.all()), book.review_set.count()

        def writer(pk):
            author = shelf.author(pk)
            return [b.title for b in author.books.all()]
    """,
}


def test_django_foreign_keys_many_to_many_and_reverse_accessors_are_relationships() -> None:
    graph = graph_of(DJANGO)
    assert [r["attr"] for r in _reads(graph, "views.page", "library.shelf.book")] == ["author", "review_set", "tags"]
    assert [r["attr"] for r in _reads(graph, "views.writer", "library.shelf.author")] == ["books"]


def test_the_plan_lists_relationships_to_include_and_refuses_anything_else() -> None:
    text = ("version: 1\nsource: app\nservices:\n  carts:\n    operations:\n      carts.open_cart:\n"
            "        include: [items, customer, items]\n    modules:\n      - carts\n")
    plan = parse_plan(text).plan
    [op] = plan.services[0].operations or ()
    assert (op.invocation.kind, op.include) == ("sync", ("customer", "items")), "listed for include alone: sync"
    assert assign(plan, ["carts", "web"]).includes == {"carts.open_cart": ("customer", "items")}
    for bad in ("items", "[items.product]", "[1]"):
        with pytest.raises(PlanError, match=r":7: `include` must be a list of relationship names"):
            parse_plan(text.replace("[items, customer, items]", bad))


def test_a_name_bound_again_to_something_else_is_no_longer_the_result() -> None:
    files = dict(SQLALCHEMY, **{"web.py": """
        from carts import open_cart

        def rebound(session, other):
            cart = open_cart(session, 1)
            cart = other
            return cart.items

        def before(session, cart):
            n = len(cart.items)
            cart = open_cart(session, 1)
            return n, cart.customer
    """})
    graph = graph_of(files)
    assert _reads(graph, "web.rebound", "carts.open_cart") == []
    assert _reads(graph, "web.before", "carts.open_cart") == [{"line": 12, "attr": "customer", "model": "models.Cart"}]


def test_after_a_model_method_starts_reading_a_relationship_the_next_analysis_sees_it(tmp_path) -> None:
    """The reads are a global pass: a caller's kept resolution (reuse.py) cannot hide a change in
    the model's method, and the graph is the one a run without the cache writes."""
    from analyzer.pipeline import GRAPH_FILE, AnalyzeOptions, analyze

    root, out = tmp_path / "src", tmp_path / "out"
    root.mkdir()
    for path, text in SQLALCHEMY.items():
        (root / path).write_text(textwrap.dedent(text))
    analyze(root, out, AnalyzeOptions(jobs=1))
    models = root / "models.py"
    models.write_text(models.read_text().replace("        return self.id\n", "        return self.coupons\n"))
    analyze(root, out, AnalyzeOptions(jobs=1))
    analyze(root, tmp_path / "cold", AnalyzeOptions(use_cache=False, jobs=1))
    assert (out / GRAPH_FILE).read_bytes() == (tmp_path / "cold" / GRAPH_FILE).read_bytes()
    edges = {(e["source"], e["target"]): e for e in json.loads((out / GRAPH_FILE).read_text())["edges"]}
    reads = edges[("web.show", "carts.open_cart")]["relationship_reads"]
    assert {"line": 8, "attr": "coupons", "model": "models.Cart", "via": "key"} in reads


EDITS = {  # (file, old text, new text, whether the pass looks at the whole program again)
    "a caller's body edited": ("web.py", "    n = count(session)\n", "    n = count(session)\n    print(1)\n", False),
    "a caller added": ("web.py", "    return n.items\n", "    return n.items\n\n\ndef added(session):\n"
                       "    cart = open_cart(session, 2)\n    return cart.customer\n", False),
    "a model's method edited": ("models.py", "        return self.id\n", "        return self.coupons\n", True),
    "a model's method body edited": ("models.py", "        return self.id\n", "        self.coupons.sort()\n"
                                     "        return self.id\n", True),
    "an operation edited": ("carts.py", "    return []\n", "    return [open_cart(session, 1)]\n", True),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_after_an_edit_the_reads_are_those_of_a_run_without_the_cache(tmp_path, monkeypatch, name: str) -> None:
    """The pass keeps what the callers of modules neither edited nor resolved again read while no
    edited module holds a model (reuse.py); the graph is the one a run without the cache writes."""
    from analyzer.pipeline import GRAPH_FILE, AnalyzeOptions, analyze
    from analyzer.relationships import Relationships

    looked = spy(monkeypatch, Relationships, "loading_names")
    root, out = tmp_path / "src", tmp_path / "out"
    root.mkdir()
    for path, text in SQLALCHEMY.items():
        (root / path).write_text(textwrap.dedent(text))
    analyze(root, out, AnalyzeOptions(jobs=1))
    path, old, new, again = EDITS[name]
    text = (root / path).read_text()
    assert old in text
    (root / path).write_text(text.replace(old, new))
    analyze(root, out, AnalyzeOptions(jobs=1))
    assert counted(looked, 2 if again else 1)
    analyze(root, tmp_path / "cold", AnalyzeOptions(use_cache=False, jobs=1))
    assert (out / GRAPH_FILE).read_bytes() == (tmp_path / "cold" / GRAPH_FILE).read_bytes()
