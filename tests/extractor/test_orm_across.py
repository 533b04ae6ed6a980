"""SQLAlchemy across the wire (m2l_runtime/orm.py): a session parameter is not sent and the
service runs the operation in a unit of work of its own; a mapped instance is sent as its
primary key and loaded again in the service's session.

A tiny app (a SQLite file both processes open) is laid out as extract lays it out, with a
proxy made by the codemod (orm_layout.py); the caller is a child process that calls through
the `local` transport (a worker process of the service's own) and through `serve`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analyzer.boundaries.hazards import ORM_CONVERTED, WARNING, WIRE_UNSAFE_TYPE, signature_problems
from extractor.codemods.proxy import make_proxy

from .orm_layout import TRANSPORTS, call, environ, layout, transport

RUNTIME = Path(__file__).parents[2] / "extractor" / "runtime"

DB = '''
from __future__ import annotations
import os
from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker

engine = create_engine("sqlite:///" + os.environ["TOY_DB"])
SessionLocal = sessionmaker(bind=engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass
'''

MODELS = '''
from __future__ import annotations
from sqlalchemy.orm import Mapped, mapped_column
from toy.db import Base


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
'''

STOCK = '''
from __future__ import annotations
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from toy.models import Item


def rename(session: Session, item: Item, name: str) -> str:
    item.name = name
    return f"{item.id}:{item.name}"


def rename_then_fail(session: Session, item: Item, name: str) -> None:
    item.name = name
    session.flush()
    raise ValueError(f"refused {name}")


def add(session: Session, name: str) -> int:
    item = Item(name=name)
    session.add(item)
    session.flush()
    return item.id


def names(session: Session, items: list[Item], extra: Item | None = None) -> list[str]:
    found = [item.name for item in items] + ([extra.name] if extra is not None else [])
    return found + [str(session.scalar(select(func.count()).select_from(Item)))]
'''

HANDLER = '''
from m2l_runtime.bootstrap import boot
from m2l_runtime.service import Operation, Service

boot({"sqlalchemy_session": "toy.db:SessionLocal"})
service = Service("stock", {f"toy.stock.{name}": Operation("toy.stock", name)
                            for name in ("rename", "rename_then_fail", "add", "names")})


def handler(event, context):
    return service.handle(event, context)
'''

CALLER = '''
import json, os
from m2l_runtime.contract import contract_of
from m2l_runtime.errors import ContractError
from m2l_runtime.orm import RowNotFound
from toy import stock
from toy.db import Base, SessionLocal, engine
from toy.models import Item

Base.metadata.create_all(engine)
session = SessionLocal()
first, second = Item(name="first"), Item(name="second")
session.add_all([first, second])
session.commit()

assert stock.rename(session, first, "renamed") == f"{first.id}:renamed"
with SessionLocal() as check:
    assert check.get(Item, first.id).name == "renamed", "the service committed its own unit of work"
assert first.name == "first", "the caller's instance is a copy: the service's change is not seen on it"

try:
    stock.rename_then_fail(session, second, "lost")
except ValueError as error:
    assert str(error) == "refused lost"
else:
    raise AssertionError("expected the operation's error")
with SessionLocal() as check:
    assert check.get(Item, second.id).name == "second", "the service rolled back when the operation raised"

try:
    stock.rename(session, 999, "nobody")
except RowNotFound as error:
    assert error.model == "toy.models.Item" and error.key == 999, error.__dict__
    assert "no toy.models.Item with primary key 999" in str(error), str(error)
else:
    raise AssertionError("expected RowNotFound")

try:
    stock.rename(session, Item(name="unsaved"), "x")
except ContractError as error:
    assert "no primary key yet" in str(error), str(error)
else:
    raise AssertionError("expected a ContractError for an unsaved instance")

new_id = stock.add(session, "third")
assert stock.names(session, [first, second]) == ["renamed", "second", "3"]
assert stock.names(session, [second], extra=first) == ["second", "renamed", "3"]
with SessionLocal() as check:
    assert check.get(Item, new_id).name == "third"

contract = contract_of(stock.names)
schema = contract.request_schema()
print(json.dumps({"transaction": contract.transaction, "properties": schema["properties"],
                  "required": schema.get("required", [])}))
'''


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def _layout(root: Path) -> Path:
    monolith, src = root / "monolith", root / "stock" / "src"
    proxy = make_proxy(STOCK, "stock", "toy.stock", {})
    for base, code in ((monolith, proxy), (src, STOCK)):
        _write(base / "toy" / "__init__.py", "")
        _write(base / "toy" / "db.py", DB)
        _write(base / "toy" / "models.py", MODELS)
        _write(base / "toy" / "stock.py", code)
        shutil.copytree(RUNTIME / "m2l_runtime", base / "m2l_runtime")
    _write(src / "handler.py", HANDLER)
    config = {"services": {"stock": {"function": "toy-stock", "package": "../stock/src", "timeout": 30}}}
    _write(monolith / "m2l_runtime" / "services.json", json.dumps(config))
    return monolith


@pytest.fixture(scope="module")
def serve_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("orm-across-serve-cache")


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_sessions_stay_home_and_rows_travel_as_their_key(tmp_path: Path, kind: str, serve_cache: Path) -> None:
    files = {"toy/__init__.py": "", "toy/db.py": DB, "toy/models.py": MODELS, "toy/stock.py": STOCK}
    generated = layout(tmp_path, "stock", files, "toy.stock", {"sqlalchemy_session": "toy.db:SessionLocal"},
                       ("rename", "rename_then_fail", "add", "names"), ("sqlalchemy", "pydantic"))
    assert '"session"' not in (generated / "monolith" / "toy" / "stock.py").read_text(), "the proxy does not send it"
    with transport(kind, generated, environ(tmp_path), serve_cache) as caller:
        report = call(generated, CALLER, caller)
    assert report["transaction"] == "own"
    assert sorted(report["properties"]) == ["extra", "items"], "no session field; rows are their keys"
    assert report["properties"]["items"] == {"items": {"type": "integer"}, "title": "Items", "type": "array"}
    assert report["properties"]["extra"]["anyOf"] == [{"type": "integer"}, {"type": "null"}]
    assert report["required"] == ["items"]


def test_a_handler_without_a_session_factory_says_how_to_name_one(tmp_path: Path) -> None:
    monolith = _layout(tmp_path)
    script = ("from m2l_runtime.service import Operation, Service\n"
              "from toy.db import Base, engine\nBase.metadata.create_all(engine)\n"
              "service = Service('stock', {'add': Operation('toy.stock', 'add')})\n"
              "print(service.handle({'operation': 'add', 'arguments': {'name': 'x'}})['error']['errorMessage'])\n")
    src = tmp_path / "stock" / "src"
    env = {**os.environ, "PYTHONPATH": str(src), "TOY_DB": str(tmp_path / "toy.db"), "POWERTOOLS_LOG_LEVEL": "ERROR"}
    done = subprocess.run([sys.executable, "-c", script], cwd=monolith, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "names no session factory" in done.stdout and "sqlalchemy_session" in done.stdout


def test_converted_shapes_are_warnings_and_the_rest_still_block() -> None:
    models = {"Order": "shop.orders.models.Order"}

    def kinds(params: list[tuple[str, str]], returns: str = "int") -> list[tuple[str, str]]:
        attrs = {"kind": "function", "params": [{"name": n, "annotation": a} for n, a in params], "returns": returns}
        return [(p.kind, p.severity) for p in signature_problems("f", attrs, models)]

    converted = [(ORM_CONVERTED, WARNING)]
    blocked = [(WIRE_UNSAFE_TYPE, "error")]
    assert kinds([("session", "Session")]) == converted
    assert kinds([("session", "orm.Session")]) == converted
    for shape in ("Order", "Order | None", "list[Order]", "dict[str, Order]", "set[Order]", "tuple[Order, ...]",
                  "Optional[Order]", "'Order'", "Sequence[Order]", "frozenset[models.Order]"):
        assert kinds([("order", shape)]) == converted, shape
        assert kinds([], returns=shape) == converted, shape
    assert kinds([("session", "AsyncSession")]) == blocked
    assert kinds([], returns="Session") == blocked
    for shape in ("dict[Order, int]", "Callable[[Order], None]", "Order | Payment", "Box[Order]"):
        problems = signature_problems("f", {"kind": "function", "params": [], "returns": shape},
                                      {**models, "Payment": "shop.payments.models.Payment"})
        assert (problems[0].kind, problems[0].severity) == blocked[0], shape
        assert "which extract converts" in problems[0].hint, "the hint names the conversion that would apply"
    [returned] = signature_problems("f", {"kind": "function", "params": [], "returns": "list[Order]"}, models)
    assert "caller gets a detached, read-only copy" in returned.message and not returned.needs_session
    [django] = signature_problems("f", {"kind": "function", "params": [{"name": "o", "annotation": "Order"}],
                                        "returns": "int"}, models, frozenset(models.values()))
    assert not django.needs_session, "a Django row is loaded without a SQLAlchemy session"


def test_the_plan_names_the_session_factory_and_without_it_the_conversions_block() -> None:
    from dataclasses import replace

    from analyzer.boundaries.plan import read_plan
    from analyzer.graph import CodeGraph
    from extractor.model import build_extraction

    repo = Path(__file__).parents[2]
    graph = CodeGraph.load(repo / "tests" / "golden" / "shop-graph.json")
    plan = read_plan(repo / "examples" / "shop" / "boundaries.yaml").plan

    def found(extraction: object, subject: str) -> list[tuple[str, str, str]]:
        return sorted((f.kind, f.severity, f.message) for f in extraction.findings  # type: ignore[attr-defined]
                      if f.subject == subject and f.kind in (ORM_CONVERTED, WIRE_UNSAFE_TYPE))

    bare = build_extraction(graph, replace(plan, framework=()), ["shipping"])
    [(kind, severity, message)] = found(bare, "shop.shipping.parcels.parcel_weight")
    assert (kind, severity) == (WIRE_UNSAFE_TYPE, "error") and "names no session factory" in message
    assert "sqlalchemy_session" not in dict(bare.services[0].boot)

    factory = "shop.common.db:session_scope"
    named = build_extraction(graph, replace(plan, framework=(("sqlalchemy_session", factory),)), ["shipping"])
    assert [(k, s) for k, s, _ in found(named, "shop.shipping.parcels.parcel_weight")] == [(ORM_CONVERTED, WARNING)]
    ship = found(named, "shop.shipping.shipments.ship")
    assert [(k, s) for k, s, _ in ship] == [(ORM_CONVERTED, WARNING)] * 3, "session, order and the Shipment result"
    [service] = named.services
    assert dict(service.boot)["sqlalchemy_session"] == factory and "shop.common.db" in service.copied


def test_the_plan_can_turn_the_conversions_off_for_one_operation() -> None:
    from dataclasses import replace

    from analyzer.boundaries.plan import PlanError, parse_plan
    from analyzer.graph import CodeGraph
    from extractor.model import build_extraction

    repo = Path(__file__).parents[2]
    graph = CodeGraph.load(repo / "tests" / "golden" / "shop-graph.json")
    text = (repo / "examples" / "shop" / "boundaries.yaml").read_text(encoding="utf-8")
    text = text.replace("  shipping:\n    modules:\n", "  shipping:\n    operations:\n"
                        "      shop.shipping.shipments.ship:\n        convert_orm: false\n    modules:\n", 1)
    plan = replace(parse_plan(text).plan, framework=(("sqlalchemy_session", "shop.common.db:session_scope"),))
    [op] = plan.service("shipping").operations  # type: ignore[union-attr]
    assert (op.invocation.kind, op.convert_orm) == ("sync", False), "listed for convert_orm alone: still sync"
    found = build_extraction(graph, plan, ["shipping"]).findings
    ship = sorted((f.kind, f.message) for f in found if f.subject == "shop.shipping.shipments.ship"
                  and f.kind in (ORM_CONVERTED, WIRE_UNSAFE_TYPE))
    assert [k for k, _ in ship] == [WIRE_UNSAFE_TYPE] * 3 and all("convert_orm: false" in m for _, m in ship), ship
    others = {f.kind for f in found if f.subject == "shop.shipping.parcels.parcel_weight"}
    assert ORM_CONVERTED in others and WIRE_UNSAFE_TYPE not in others, "only the named operation"
    with pytest.raises(PlanError, match="`convert_orm` must be true or false"):
        parse_plan(text.replace("convert_orm: false", "convert_orm: maybe"))


def test_convert_orm_false_on_a_whole_class_reaches_its_methods() -> None:
    from analyzer.boundaries.plan import parse_plan
    from analyzer.graph import CodeGraph
    from extractor.model import build_extraction

    repo = Path(__file__).parents[2]
    graph = CodeGraph.load(repo / "tests" / "golden" / "shop-graph.json")
    text = (repo / "examples" / "shop" / "boundaries.yaml").read_text(encoding="utf-8")
    entry = ("  pricing:\n    operations:\n      shop.pricing.rules.DiscountRule:\n        convert_orm: {}\n"
             "    modules:\n")

    def kinds(convert: str) -> set[str]:
        plan = parse_plan(text.replace("  pricing:\n    modules:\n", entry.format(convert), 1)).plan
        return {f.kind for f in build_extraction(graph, plan, ["pricing"]).findings
                if f.subject == "shop.pricing.rules.DiscountRule.from_model"}  # a classmethod taking a PriceRule row

    assert ORM_CONVERTED in kinds("true") and WIRE_UNSAFE_TYPE not in kinds("true")
    assert WIRE_UNSAFE_TYPE in kinds("false") and ORM_CONVERTED not in kinds("false")
