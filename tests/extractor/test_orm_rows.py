"""ORM rows across the wire, end to end: rows as results (a detached, read-only copy of the same
class on the caller's side), rows as arguments in more shapes (sets, dicts, tuples, composite
keys, a version checked on load), for SQLAlchemy and for Django.

Each tiny app is laid out as extract lays it out: a package (its handler, its code, the runtime,
a SAM template and requirements) and a monolith whose module is the codemod's proxy. The caller
is a child process that reaches the service through each transport the project has: `local` (a
worker process per service) and `serve` (the local Lambda endpoint, through boto3). Both open the
same SQLite file, as a service and a monolith share a database server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .orm_layout import REFUSED, TRANSPORTS, call, describe, environ, layout, transport

SQLA_DB = '''
from __future__ import annotations
import os
from decimal import Decimal
from sqlalchemy import Integer, create_engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.types import TypeDecorator

engine = create_engine("sqlite:///" + os.environ["TOY_DB"], connect_args={"timeout": 15})
SessionLocal = sessionmaker(bind=engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Cents(TypeDecorator):
    """Decimal amounts stored as integer cents: the row's attribute is a Decimal, the column an int."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else int(value * 100)

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value) / 100
'''

SQLA_MODELS = '''
from __future__ import annotations
from decimal import Decimal
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship
from toy.db import Base, Cents


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    price: Mapped[Decimal] = mapped_column(Cents)
    note: Mapped[str | None]
    tags: Mapped[list["Tag"]] = relationship(back_populates="item", order_by="Tag.id")


class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    label: Mapped[str]
    item: Mapped[Item] = relationship(back_populates="tags")


class Doc(Base):
    __tablename__ = "docs"
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str]
    rev: Mapped[int] = mapped_column()
    __mapper_args__ = {"version_id_col": rev}


class Stock(Base):
    __tablename__ = "stock"
    shop: Mapped[str] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(primary_key=True)
    quantity: Mapped[int]
'''

SQLA_CATALOG = '''
from __future__ import annotations
from decimal import Decimal
from sqlalchemy import select
from sqlalchemy.orm import Session
from toy.models import Doc, Item, Stock, Tag


def find(session: Session, item_id: int) -> Item | None:
    return session.get(Item, item_id)


def by_name(session: Session) -> dict[str, Item]:
    return {item.name: item for item in session.scalars(select(Item).order_by(Item.id))}


def cheapest(session: Session, items: set[Item]) -> Item:
    return min(items, key=lambda item: item.price)


def tagged(session: Session, item: Item) -> tuple[Item, list[Tag]]:
    return item, list(item.tags)


def add(session: Session, name: str, price: Decimal) -> Item:
    item = Item(name=name, price=price)
    session.add(item)
    return item


def edit(session: Session, doc: Doc, body: str) -> Doc:
    doc.body = body
    return doc


def quantities(session: Session, stock: dict[str, Stock]) -> dict[str, int]:
    return {name: row.quantity for name, row in stock.items()}
'''

SQLA_CALLER = '''
import json
from decimal import Decimal
from sqlalchemy import inspect
from m2l_runtime import client
from m2l_runtime.errors import ContractError
from m2l_runtime.orm_models import RowNotFound, RowVersionConflict  # pydantic 2 or not
from toy import catalog
from toy.db import Base, SessionLocal, engine
from toy.models import Doc, Item, Stock, Tag

''' + REFUSED + '''

Base.metadata.create_all(engine)
with SessionLocal() as setup:
    first, second = Item(name="first", price=Decimal("2.50")), Item(name="second", price=Decimal("1.25"))
    setup.add_all([first, second, Tag(item=first, label="red"), Tag(item=first, label="big"),
                   Doc(body="v1"), Stock(shop="north", sku="A-1", quantity=7)])
    setup.commit()
session = SessionLocal()
first, second = session.get(Item, first.id), session.get(Item, second.id)

row = catalog.find(session, first.id)
assert type(row) is Item and (row.id, row.name, row.note) == (first.id, "first", None)
assert row.price == Decimal("2.50") and type(row.price) is Decimal, "a TypeDecorator column keeps its Python type"
assert inspect(row).detached and inspect(row).identity == (first.id,), "a detached row with its identity"
assert row is not first, "a copy, never the caller's own instance"
refused(lambda: setattr(row, "name", "renamed"), "toy.models.Item returned by toy.catalog.find is read-only",
        "setting 'name'")
refused(lambda: row.tags, "loading the relationship 'tags'")
assert row.name == "first"
assert catalog.find(session, 999) is None

rows = catalog.by_name(session)
assert list(rows) == ["first", "second"] and all(type(r) is Item for r in rows.values())
assert catalog.cheapest(session, {first, second}).name == "second", "a set of rows travels as their keys"
item, tags = catalog.tagged(session, row)  # a returned copy goes back as an argument: its key
assert item.id == first.id and [tag.label for tag in tags] == ["red", "big"]
refused(lambda: tags[0].item, "toy.models.Tag returned by toy.catalog.tagged", "loading the relationship 'item'")

added = catalog.add(session, "third", Decimal("0.99"))
assert added.id is not None, "a row the operation added is flushed before it is sent"
with SessionLocal() as check:
    assert check.get(Item, added.id).name == "third"

gone = Item(name="gone", price=Decimal("1"))
session.add(gone)
session.commit()
with SessionLocal() as other:  # the row goes between the caller reading it and the service loading it
    other.delete(other.get(Item, gone.id))
    other.commit()
try:
    catalog.tagged(session, gone)
except RowNotFound as error:
    assert (error.model, error.key) == ("toy.models.Item", gone.id), error.__dict__
else:
    raise AssertionError("expected RowNotFound for a deleted row")
try:
    catalog.tagged(session, Item(name="unsaved", price=Decimal("1")))
except ContractError as error:
    assert "no primary key yet" in str(error), str(error)
else:
    raise AssertionError("expected ContractError for a row with no primary key")

doc = session.get(Doc, 1)
edited = catalog.edit(session, doc, "v2")
assert (edited.body, edited.rev, doc.rev) == ("v2", 2, 1), "the service bumped the version; the caller's is old"
try:
    catalog.edit(session, doc, "v3")
except RowVersionConflict as error:
    assert (error.sent, error.current) == (1, 2) and "changed since it was read" in str(error), str(error)
else:
    raise AssertionError("expected RowVersionConflict for a stale version")
assert catalog.edit(session, edited, "v3").rev == 3, "the copy carries the version it was read at"

stock = session.get(Stock, ("north", "A-1"))
assert catalog.quantities(session, {"n": stock}) == {"n": 7}, "a composite key travels as a list"
'''
SQLA_REPORT = '''
print(json.dumps({"calls": sum(client.CALLS.values()), "request": contract_of(catalog.edit).request_schema(),
                  "response": contract_of(catalog.tagged).response_schema()}))
'''
PLAIN_REPORT = '''
import sys
assert "m2l_runtime.contract" not in sys.modules and "m2l_runtime.plain" in sys.modules, "the plain-JSON side"
print(json.dumps({"calls": sum(client.CALLS.values())}))
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


class Book(models.Model):
    title = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    published = models.DateField(null=True)
    cover = models.FileField(upload_to="covers", blank=True)


class Note(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()


class Page(models.Model):
    m2l_version_field = "rev"  # the boundary sends it with the key and checks it on load

    body = models.TextField()
    rev = models.IntegerField(default=1)
'''

DJANGO_SHELF = '''
from __future__ import annotations
from library.models import Book, Note, Page


def first_note(book: Book) -> Note | None:
    return book.notes.order_by("id").first()


def books(ids: list[int]) -> list[Book]:
    return list(Book.objects.filter(id__in=ids).order_by("id"))


def by_title(books: set[Book]) -> dict[str, Book]:
    return {book.title: book for book in books}


def retitle(book: Book, title: str) -> Book:
    book.title = title
    book.save()
    return book


def add_books(titles: list[str], fail: bool) -> int:
    """Writes a row per title; with `fail`, raises after the writes (the operation's transaction rolls back)."""
    for title in titles:
        Book.objects.create(title=title, price="1.00")
    if fail:
        raise ValueError("after the writes")
    return len(titles)


def titles() -> list[str]:
    return list(Book.objects.order_by("id").values_list("title", flat=True))


def edit_page(page: Page, body: str) -> Page:
    page.body, page.rev = body, page.rev + 1
    page.save()
    return page
'''

DJANGO_CALLER = '''
import datetime, json
from decimal import Decimal
import django
django.setup()
from django.core.management import call_command
call_command("migrate", run_syncdb=True, verbosity=0)
from m2l_runtime import client
from m2l_runtime.errors import ContractError
from m2l_runtime.orm_models import RowNotFound, RowVersionConflict  # pydantic 2 or not
from library import shelf
from library.models import Book, Note, Page

''' + REFUSED + '''

first = Book.objects.create(title="First", price=Decimal("9.50"), published=datetime.date(2024, 5, 1),
                            cover="covers/first.png")
second = Book.objects.create(title="Second", price=Decimal("4.00"))
Note.objects.create(book=first, text="a note")

note = shelf.first_note(first)
assert type(note) is Note and (note.text, note.book_id) == ("a note", first.id), "a row read works"
refused(lambda: note.book, "library.models.Note returned by library.shelf.first_note is read-only",
        "loading the related object 'book'")
refused(lambda: setattr(note, "text", "changed"), "setting 'text'")
refused(note.save, "saving it")
refused(note.delete, "deleting it")
assert shelf.first_note(second) is None

[one, two] = shelf.books([first.id, second.id])
assert (one.title, one.price, one.published, two.published) == ("First", Decimal("9.50"), datetime.date(2024, 5, 1),
                                                                  None)
assert (one.cover.name, two.cover.name) == ("covers/first.png", ""), "a file field goes as its stored name"
refused(lambda: list(one.notes.all()), "loading the related rows")
assert sorted(shelf.by_title({one, second})) == ["First", "Second"], "copies and own rows go as their keys"
renamed = shelf.retitle(one, "Renamed")
assert renamed.title == "Renamed" and Book.objects.get(pk=first.id).title == "Renamed"
first.title = "still the caller's own row"
first.save()  # the caller's own instances are untouched by the guards

gone = Book.objects.create(title="Gone", price=Decimal("1.00"))
Book.objects.filter(pk=gone.pk).delete()  # deleted between the caller reading it and the service loading it
try:
    shelf.retitle(gone, "x")
except RowNotFound as error:
    assert (error.model, error.key) == ("library.models.Book", gone.pk), error.__dict__
else:
    raise AssertionError("expected RowNotFound")
try:
    shelf.retitle(Book(title="unsaved", price=Decimal("1")), "x")
except ContractError as error:
    assert "no primary key yet" in str(error), str(error)
else:
    raise AssertionError("expected ContractError")

before = shelf.titles()
try:
    shelf.add_books(["Lost A", "Lost B"], True)
except ValueError as error:
    assert "after the writes" in str(error), str(error)
else:
    raise AssertionError("expected the operation's ValueError")
assert shelf.titles() == before, "an operation that raises rolls its writes back"
assert shelf.add_books(["Kept A", "Kept B"], False) == 2
assert shelf.titles() == [*before, "Kept A", "Kept B"], "an operation that returns commits"

page = Page.objects.create(body="v1")
edited = shelf.edit_page(page, "v2")
assert (edited.body, edited.rev, page.rev) == ("v2", 2, 1), "the service bumped the version; the caller's is old"
try:
    shelf.edit_page(page, "v3")
except RowVersionConflict as error:
    assert (error.model, error.key, error.sent, error.current) == ("library.models.Page", page.pk, 1, 2), error.__dict__
    assert "library.shelf.edit_page" in str(error) and "changed since it was read" in str(error), str(error)
else:
    raise AssertionError("expected RowVersionConflict for a stale version")
assert Page.objects.get(pk=page.pk).body == "v2"
assert shelf.edit_page(edited, "v3").rev == 3, "the copy carries the version it was read at"
print(json.dumps({"calls": sum(client.CALLS.values())}))
'''


@pytest.fixture(scope="module")
def serve_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("orm-rows-serve-cache")


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_sqlalchemy_rows_come_back_read_only_and_go_as_keys_with_their_version(
        tmp_path: Path, kind: str, serve_cache: Path) -> None:
    files = {"toy/__init__.py": "", "toy/db.py": SQLA_DB, "toy/models.py": SQLA_MODELS, "toy/catalog.py": SQLA_CATALOG}
    generated = layout(tmp_path, "catalog", files, "toy.catalog", {"sqlalchemy_session": "toy.db:SessionLocal"},
                       ("find", "by_name", "cheapest", "tagged", "add", "edit", "quantities"),
                       ("sqlalchemy", "pydantic"))
    with transport(kind, generated, environ(tmp_path), serve_cache) as caller:
        report = call(generated, SQLA_CALLER + "from m2l_runtime.contract import contract_of\n" + SQLA_REPORT,
                      caller)
    assert report["calls"] == 11, "an instance with no key is refused before it is sent"
    request, response = report["request"], report["response"]
    assert request["properties"]["doc"] == {"$ref": "#/$defs/DocKey"}, "a versioned row is its key and version"
    assert request["$defs"]["DocKey"]["required"] == ["key"]
    item = response["$defs"]["Item"]
    assert sorted(item["properties"]) == ["id", "name", "note", "price"], "the columns, not the relationships"
    assert item["properties"]["price"]["type"] == "string", "a Decimal, whatever the column stores"
    assert response["prefixItems"][1] == {"items": {"$ref": "#/$defs/Tag"}, "type": "array"}


@pytest.mark.parametrize("pydantic_1", [False, True], ids=["pydantic-2", "pydantic-1"])
@pytest.mark.parametrize("kind", TRANSPORTS)
def test_django_models_go_as_keys_and_come_back_read_only(tmp_path: Path, kind: str, pydantic_1: bool,
                                                          serve_cache: Path) -> None:
    """With pydantic_1, the monolith's proxies take the plain-JSON side (plain.py), with the same
    conversions; the service (pydantic 2) runs each operation in its own atomic() either way."""
    files = {"site/__init__.py": "", "site/settings.py": DJANGO_SETTINGS, "library/__init__.py": "",
             "library/models.py": DJANGO_MODELS, "library/shelf.py": DJANGO_SHELF}
    files = {name.replace("site/", "toysite/"): text for name, text in files.items()}
    generated = layout(tmp_path, "shelf", files, "library.shelf", {"django_settings": "toysite.settings"},
                        ("first_note", "books", "by_title", "retitle", "add_books", "titles", "edit_page"),
                        ("django", "pydantic"))
    settings = environ(tmp_path, DJANGO_SETTINGS_MODULE="toysite.settings")
    with transport(kind, generated, settings, serve_cache) as caller:
        report = call(generated, DJANGO_CALLER, caller, pydantic_1)
    assert report["calls"] == 14
    described = describe(generated / "shelf" / "src", {"django_settings": "toysite.settings"}, settings,
                         ("add_books", "edit_page"), "library.shelf")
    assert {name: entry.get("django_atomic") for name, entry in described.items()} == {
        "library.shelf.add_books": True, "library.shelf.edit_page": True}, "each would run in its own atomic()"
    assert not any("transaction" in entry for entry in described.values()), "no SQLAlchemy session"
    edit = described["library.shelf.edit_page"]["request"]
    assert edit["properties"]["page"] == {"$ref": "#/$defs/PageKey"}, "a versioned row is its key and version"


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_monolith_on_pydantic_1_converts_rows_and_sessions_in_plain_json(
        tmp_path: Path, kind: str, serve_cache: Path) -> None:
    """The monolith's `import pydantic` fails as pydantic 2's names do on pydantic 1 (its proxies
    call in plain JSON, plain.py): sessions are still left out, rows go as their keys and versions,
    and returned rows come back as the same read-only copies, their columns by their Python types."""
    files = {"toy/__init__.py": "", "toy/db.py": SQLA_DB, "toy/models.py": SQLA_MODELS, "toy/catalog.py": SQLA_CATALOG}
    generated = layout(tmp_path, "catalog", files, "toy.catalog", {"sqlalchemy_session": "toy.db:SessionLocal"},
                       ("find", "by_name", "cheapest", "tagged", "add", "edit", "quantities"),
                       ("sqlalchemy", "pydantic"))
    with transport(kind, generated, environ(tmp_path), serve_cache) as caller:
        report = call(generated, SQLA_CALLER + PLAIN_REPORT, caller, pydantic_1=True)
    assert report["calls"] == 11


SCOPED_DB = '''
import os
from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, scoped_session, sessionmaker

engine = create_engine("sqlite:///" + os.environ["TOY_DB"], connect_args={"timeout": 15})


class Base(DeclarativeBase):
    pass


class Entry(Base):
    __tablename__ = "entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]


class Database:
    """The shape of Flask-SQLAlchemy's `db`: a `session` attribute that is a scoped_session."""

    def __init__(self) -> None:
        self.session = scoped_session(sessionmaker(bind=engine))


db = Database()
'''

SCOPED_JOURNAL = '''
from __future__ import annotations
from sqlalchemy import select
from sqlalchemy.orm import Session
from toy.db import Entry


def write(session: Session, texts: list[str], fail: bool) -> int:
    for text in texts:
        session.add(Entry(text=text))
    session.flush()
    if fail:
        raise ValueError("after the writes")
    return len(texts)


def texts(session: Session) -> list[str]:
    return list(session.scalars(select(Entry.text).order_by(Entry.id)))
'''

SCOPED_CALLER = '''
import json
from m2l_runtime import client
from toy import journal
from toy.db import Base, db, engine

Base.metadata.create_all(engine)
try:
    journal.write(db.session, ["lost a", "lost b"], True)
except ValueError as error:
    assert "after the writes" in str(error), str(error)
else:
    raise AssertionError("expected the operation's ValueError")
assert journal.texts(db.session) == [], "the operation's session rolled back"
assert journal.write(db.session, ["kept a", "kept b"], False) == 2
assert journal.texts(db.session) == ["kept a", "kept b"], "the operation's session committed"
print(json.dumps({"calls": sum(client.CALLS.values())}))
'''


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_a_scoped_session_reached_through_an_attribute_is_the_unit_of_work(
        tmp_path: Path, kind: str, serve_cache: Path) -> None:
    """`sqlalchemy_session: "toy.db:db.session"`, as a Flask-SQLAlchemy app names its `db.session`
    (Flask-SQLAlchemy itself is not installed here: a `db` object of the same shape stands in)."""
    files = {"toy/__init__.py": "", "toy/db.py": SCOPED_DB, "toy/journal.py": SCOPED_JOURNAL}
    generated = layout(tmp_path, "journal", files, "toy.journal", {"sqlalchemy_session": "toy.db:db.session"},
                       ("write", "texts"), ("sqlalchemy", "pydantic"))
    with transport(kind, generated, environ(tmp_path), serve_cache) as caller:
        report = call(generated, SCOPED_CALLER, caller)
    assert report["calls"] == 4
