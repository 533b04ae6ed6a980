"""Relationships sent along with a returned row (the plan's `include:`), end to end, through the
`local` and `serve` transports, for SQLAlchemy and Django.

The handler loads each listed relationship in its own session and sends its rows nested in the
result (a to-many as a list, a to-one as a row or null); the caller's read-only copy answers
them with read-only copies of their own, whose relationships raise, as do the relationships
not listed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .orm_layout import REFUSED, TRANSPORTS, call, environ, layout, transport

SQLA_DB = '''
import os
from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker

engine = create_engine("sqlite:///" + os.environ["TOY_DB"], connect_args={"timeout": 15})
SessionLocal = sessionmaker(bind=engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass
'''

SQLA_MODELS = '''
from __future__ import annotations
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship
from toy.db import Base


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Cart(Base):
    __tablename__ = "carts"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    items: Mapped[list["Line"]] = relationship(back_populates="cart", order_by="Line.id")
    customer: Mapped[Customer | None] = relationship()
    notes: Mapped[list["Note"]] = relationship()

    def pairs(self) -> list[tuple[str, int]]:
        return [(line.sku, line.quantity) for line in self.items]


class Line(Base):
    __tablename__ = "lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id"))
    sku: Mapped[str]
    quantity: Mapped[int]
    cart: Mapped[Cart] = relationship(back_populates="items")


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id"))
    text: Mapped[str]
'''

SQLA_CARTS = '''
from __future__ import annotations
from sqlalchemy import select
from sqlalchemy.orm import Session
from toy.models import Cart, Line


def open_cart(session: Session, cart_id: int) -> Cart | None:
    return session.get(Cart, cart_id)


def all_carts(session: Session) -> list[Cart]:
    return list(session.scalars(select(Cart).order_by(Cart.id)))


def add_line(session: Session, cart_id: int, sku: str) -> Cart:
    cart = session.get(Cart, cart_id)
    cart.items.append(Line(sku=sku, quantity=1))
    return cart
'''

SQLA_CALLER = '''
import json
from m2l_runtime import client
from m2l_runtime.contract import contract_of
from toy import carts
from toy.db import Base, SessionLocal, engine
from toy.models import Cart, Customer, Line, Note

''' + REFUSED + '''

Base.metadata.create_all(engine)
with SessionLocal() as setup:
    ada = Customer(name="Ada")
    full = Cart(customer=ada, items=[Line(sku="A", quantity=2), Line(sku="B", quantity=1)], notes=[Note(text="x")])
    empty = Cart()
    setup.add_all([full, empty])
    setup.commit()

cart = carts.open_cart(SessionLocal(), full.id)
assert type(cart) is Cart and [type(line) for line in cart.items] == [Line, Line]
assert [(line.sku, line.quantity) for line in cart.items] == [("A", 2), ("B", 1)], "a to-many, in its order"
assert cart.pairs() == [("A", 2), ("B", 1)], "a method of the model reads the relationship sent along"
assert type(cart.customer) is Customer and cart.customer.name == "Ada", "a to-one"
refused(lambda: cart.notes, "toy.models.Cart returned by toy.carts.open_cart", "loading the relationship 'notes'")
refused(lambda: cart.items[0].cart, "toy.models.Line returned by toy.carts.open_cart",
        "loading the relationship 'cart'")
refused(lambda: setattr(cart.items[0], "quantity", 9), "toy.models.Line", "setting 'quantity'")
refused(lambda: setattr(cart.customer, "name", "Bob"), "toy.models.Customer", "setting 'name'")
refused(lambda: cart.items.append(Line(sku="C", quantity=1)), "adding to 'items'")
refused(lambda: cart.items.remove(cart.items[0]), "is read-only")  # the backref's or the list's guard
refused(lambda: setattr(cart, "items", []), "is read-only")

bare = carts.open_cart(SessionLocal(), empty.id)
assert bare.items == [] and bare.customer is None, "no rows: an empty list, and null for a to-one"
both = carts.all_carts(SessionLocal())
assert [len(c.items) for c in both] == [2, 0], "every row of a list result gets its relationships"
grown = carts.add_line(SessionLocal(), empty.id, "Z")
assert [(line.sku, line.id is not None) for line in grown.items] == [("Z", True)], "rows added are flushed first"
refused(lambda: grown.customer, "loading the relationship 'customer'")  # not listed for add_line

own = SessionLocal().get(Cart, full.id)
own.items[0].quantity = 5  # the caller's own rows are untouched by the guards
own.items.append(Line(sku="C", quantity=1))
print(json.dumps({"calls": sum(client.CALLS.values()),
                  "response": contract_of(carts.open_cart, include=("customer", "items")).response_schema()}))
'''

DJANGO_SETTINGS = '''
import os
SECRET_KEY = "test"
INSTALLED_APPS = ["django.contrib.contenttypes", "library"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["TOY_DB"],
                         "OPTIONS": {"timeout": 15}}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
'''

DJANGO_MODELS = '''
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Tag(models.Model):
    label = models.CharField(max_length=20)


class Book(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, null=True, on_delete=models.SET_NULL, related_name="books")
    tags = models.ManyToManyField(Tag, related_name="books")


class Note(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
'''

DJANGO_SHELF = '''
from __future__ import annotations
from library.models import Book


def book(book_id: int) -> Book:
    return Book.objects.get(pk=book_id)
'''

DJANGO_CALLER = '''
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", run_syncdb=True, verbosity=0)
from m2l_runtime import client
from library import shelf
from library.models import Author, Book, Note, Tag

''' + REFUSED + '''

ada = Author.objects.create(name="Ada")
first = Book.objects.create(title="First", author=ada)
first.tags.add(Tag.objects.create(label="red"), Tag.objects.create(label="big"))
Note.objects.create(book=first, text="one")
Note.objects.create(book=first, text="two")
lone = Book.objects.create(title="Lone")

copy = shelf.book(first.pk)
assert type(copy.author) is Author and copy.author.name == "Ada", "a foreign key"
assert [note.text for note in copy.notes.all()] == ["one", "two"], "a reverse foreign key"
assert sorted(tag.label for tag in copy.tags.all()) == ["big", "red"], "a many-to-many"
assert copy.notes.count() == 2
refused(lambda: copy.notes.all()[0].book, "library.models.Note returned by library.shelf.book",
        "loading the related object 'book'")
refused(lambda: setattr(copy.author, "name", "Bob"), "library.models.Author", "setting 'name'")
refused(lambda: list(copy.author.books.all()), "loading the related rows")
alone = shelf.book(lone.pk)
assert alone.author is None and list(alone.notes.all()) == [] and list(alone.tags.all()) == []
print(json.dumps({"calls": sum(client.CALLS.values())}))
'''


@pytest.fixture(scope="module")
def serve_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("orm-include-serve-cache")


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_sqlalchemy_relationships_listed_travel_with_the_row_and_the_rest_still_raise(
        tmp_path: Path, kind: str, serve_cache: Path) -> None:
    files = {"toy/__init__.py": "", "toy/db.py": SQLA_DB, "toy/models.py": SQLA_MODELS, "toy/carts.py": SQLA_CARTS}
    includes = {"open_cart": ("customer", "items"), "all_carts": ("items",), "add_line": ("items",)}
    generated = layout(tmp_path, "carts", files, "toy.carts", {"sqlalchemy_session": "toy.db:SessionLocal"},
                       ("open_cart", "all_carts", "add_line"), ("sqlalchemy", "pydantic"), includes)
    with transport(kind, generated, environ(tmp_path), serve_cache) as caller:
        report = call(generated, SQLA_CALLER, caller)
    assert report["calls"] == 4
    response = report["response"]
    cart = response["$defs"]["Cart"]
    assert sorted(cart["properties"]) == ["customer", "customer_id", "id", "items"], "columns and the listed"
    assert cart["properties"]["items"] == {"items": {"$ref": "#/$defs/Line"}, "title": "Items", "type": "array"}
    assert cart["properties"]["customer"]["anyOf"] == [{"$ref": "#/$defs/Customer"}, {"type": "null"}]
    assert sorted(response["$defs"]["Line"]["properties"]) == ["cart_id", "id", "quantity", "sku"]


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_django_foreign_keys_reverse_and_many_to_many_relations_travel_when_listed(
        tmp_path: Path, kind: str, serve_cache: Path) -> None:
    files = {"toysite/__init__.py": "", "toysite/settings.py": DJANGO_SETTINGS, "library/__init__.py": "",
             "library/models.py": DJANGO_MODELS, "library/shelf.py": DJANGO_SHELF}
    generated = layout(tmp_path, "shelf", files, "library.shelf", {"django_settings": "toysite.settings"},
                       ("book",), ("django", "pydantic"), {"book": ("author", "notes", "tags")})
    settings = environ(tmp_path, DJANGO_SETTINGS_MODULE="toysite.settings")
    with transport(kind, generated, settings, serve_cache) as caller:
        report = call(generated, DJANGO_CALLER, caller)
    assert report["calls"] == 2


def test_the_shop_plan_includes_what_its_callers_read_and_without_it_extract_blocks() -> None:
    from dataclasses import replace

    from analyzer.boundaries.hazards import ORM_CONVERTED, RETURNED_ROW_RELATIONSHIP
    from analyzer.boundaries.plan import parse_plan
    from analyzer.graph import CodeGraph
    from extractor.model import build_extraction
    from extractor.package import _view, proxy_source
    from extractor.render import render

    repo = Path(__file__).parents[2]
    graph = CodeGraph.load(repo / "tests" / "golden" / "shop-graph.json")
    text = (repo / "examples" / "shop" / "boundaries.yaml").read_text(encoding="utf-8")
    extraction = build_extraction(graph, parse_plan(text).plan, ["cart"])
    assert not [f for f in extraction.findings if f.kind == RETURNED_ROW_RELATIONSHIP]
    [cart] = extraction.services
    assert {op.name: op.include for op in cart.operations if op.include} == {
        "shop.cart.service.get_or_create_cart": ("items",), "shop.cart.service.open_cart": ("items",),
        "shop.cart.service.remove_item": ("items",)}
    [returned] = [f for f in extraction.findings if f.kind == ORM_CONVERTED and f.subject.endswith(".open_cart")
                  and f.message.startswith("the return")]
    assert "the plan's include sends 'items' along" in returned.message
    source = (repo / "examples" / "shop" / "shop" / "cart" / "service.py").read_bytes()
    proxy = proxy_source(extraction, "shop.cart.service", source).decode()
    assert proxy.count('include=("items",)') == 3, "the proxies of the three operations ask for their rows"
    handler = render("handler.py.j2", **_view(extraction, cart))
    assert '"shop.cart.service.open_cart": Operation("shop.cart.service", "open_cart", "sync", include=("items",))' \
        in handler and "apply_coupon\", \"sync\")" in handler

    plan = parse_plan(text.replace("      shop.cart.service.open_cart:\n        include: [items]",
                                   "      shop.cart.service.open_cart:\n        invocation: sync")).plan
    blocked = build_extraction(graph, replace(plan), ["cart"]).findings
    found = sorted((f.location, f.severity) for f in blocked if f.kind == RETURNED_ROW_RELATIONSHIP)
    assert found == [(f"shop/orders/checkout.py:{line}", "error") for line in (179, 181, 75, 77)]


def test_an_include_that_names_no_relationship_says_which_there_are() -> None:
    from analyzer.boundaries.plan import Invocation
    from extractor.contracts import describe_operations
    from extractor.model import OperationSpec

    repo = Path(__file__).parents[2]

    def op(function: str, include: tuple[str, ...]) -> OperationSpec:
        return OperationSpec(f"shop.cart.service.{function}", "shop.cart.service", function, "", Invocation("sync"),
                             "", include=include)

    described = describe_operations(repo / "examples" / "shop", [op("open_cart", ("lines",)),
                                                                 op("clear_cart", ("items",))])
    assert described["shop.cart.service.open_cart"]["error"] == (
        "ContractError: shop.cart.service.open_cart: `include` lists 'lines', which is no relationship of "
        "shop.cart.models.Cart (relationships: items)")
    assert "its result holds no ORM rows" in described["shop.cart.service.clear_cart"]["error"]
