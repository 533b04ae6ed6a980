"""The selection session without a browser: each edit, undo, redo, save, why, and the errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from analyzer.boundaries.explain import explain_all
from analyzer.boundaries.metrics import score
from analyzer.boundaries.placement import units_of
from analyzer.boundaries.plan import assign, plan_from_placement, read_plan
from analyzer.errors import InputError, PlanError
from analyzer.graph import CodeGraph
from mono2lambda.web.session import SaveConflict, Session
from mono2lambda.web.view import HAZARDS_PER_KIND
from tests.analyzer.snippets import graph_of
from tests.analyzer.test_plan import COMMENTS, EXAMPLE, SHOP
from tests.analyzer.test_report_scale import generated_graph, generated_placement


@pytest.fixture(scope="module")
def graph() -> CodeGraph:
    built = graph_of(SHOP)
    built.meta["root"] = "shop"
    return built


@pytest.fixture
def session(graph: CodeGraph, tmp_path: Path) -> Session:
    path = tmp_path / "boundaries.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    return Session(graph, read_plan(path), path)


def place(state: dict[str, Any], unit: str) -> str:
    return next(p["name"] for p in state["places"] if any(u["name"] == unit for u in p["units"]))


def unit_view(state: dict[str, Any], unit: str) -> dict[str, Any]:
    return next(u for p in state["places"] for u in p["units"] if u["name"] == unit)


def test_the_state_lists_places_scores_and_edges(session: Session, graph: CodeGraph) -> None:
    state = session.state()
    assert [p["name"] for p in state["places"]] == ["orders", "payments", "monolith", "shared"]
    assert place(state, "shop.cart") == "orders" and place(state, "shop.common.money") == "shared"
    assert unit_view(state, "shop.orders.checkout")["pinned"] is True
    expected = score(graph, assign(session.doc.plan, units_of(graph)))
    assert state["scores"]["icp"] == expected.icp and state["scores"]["modularity"] == expected.modularity
    assert state["scores"]["hazards"] == len(expected.findings)
    assert state["dirty"] is False and state["can_undo"] is False
    assert set(state) >= {"edges", "hazards", "warnings", "change", "plan"}


@pytest.mark.parametrize(("op", "args", "unit", "where"), [
    ("move", {"unit": "shop.cart", "service": "payments"}, "shop.cart", "payments"),
    ("move", {"unit": "shop.cart", "service": "basket", "new": True}, "shop.cart", "basket"),
    ("move", {"unit": "shop.orders.*", "service": "payments"}, "shop.orders.history", "payments"),
    ("keep", {"unit": "shop.orders*"}, "shop.orders.checkout", "monolith"),
    ("share", {"unit": "shop.c*"}, "shop.cart", "shared"),
    ("keep", {"unit": "shop.cart"}, "shop.cart", "monolith"),
    ("share", {"unit": "shop.payments"}, "shop.payments", "shared"),
    ("rename", {"old": "payments", "new": "billing"}, "shop.payments", "billing"),
    ("merge", {"a": "orders", "b": "payments"}, "shop.payments", "orders"),
    ("split", {"service": "orders", "into": {"basket": ["shop.cart"]}}, "shop.cart", "basket"),
])
def test_each_edit_changes_the_placement(session: Session, op: str, args: dict[str, Any], unit: str,
                                         where: str) -> None:
    state = session.edit(op, args)
    assert place(state, unit) == where
    assert state["dirty"] is True and state["can_undo"] is True and state["change"]


def test_a_glob_moves_every_unit_it_matches(session: Session) -> None:
    state = session.edit("keep", {"unit": "shop.orders.*"})
    assert place(state, "shop.orders.checkout") == place(state, "shop.orders.history") == "monolith"
    assert state["change"] == "moved 2 modules matching shop.orders.* to monolith: 2 from orders; 2 operations dropped"
    assert session.doc.plan.monolith == ("shop.orders.*", "shop.web.*")


def test_pin_and_unpin(session: Session) -> None:
    state = session.edit("pin", {"unit": "shop.cart"})
    assert unit_view(state, "shop.cart")["pinned"] is True and state["change"] == "pinned shop.cart to orders"
    assert "shop.cart" in session.doc.plan.service("orders").pinned  # type: ignore[union-attr]
    state = session.edit("unpin", {"unit": "shop.cart"})
    assert unit_view(state, "shop.cart")["pinned"] is False
    assert session.edit("unpin", {"unit": "shop.cart"})["change"] == "shop.cart is not pinned; nothing changed"


def test_a_moved_unit_keeps_its_pin(session: Session) -> None:
    state = session.edit("move", {"unit": "shop.orders.checkout", "service": "payments"})
    assert unit_view(state, "shop.orders.checkout")["pinned"] is True


def test_pinning_outside_a_service_is_refused(session: Session) -> None:
    with pytest.raises(PlanError, match="not in a service"):
        session.edit("pin", {"unit": "shop.web.views"})


def test_undo_reverts_one_edit_at_a_time(session: Session) -> None:
    first = session.state()
    session.edit("move", {"unit": "shop.cart", "service": "payments"})
    session.edit("keep", {"unit": "shop.payments"})
    state = session.undo()
    assert place(state, "shop.payments") == "payments" and place(state, "shop.cart") == "payments"
    assert state["change"] == "undid: moved shop.payments from payments to monolith"
    state = session.undo()
    assert state["scores"] == first["scores"] and state["dirty"] is False and state["can_undo"] is False
    with pytest.raises(InputError, match="nothing to undo"):
        session.undo()


def test_redo_makes_again_what_undo_took_back_until_a_new_edit(session: Session) -> None:
    with pytest.raises(InputError, match="nothing to redo"):
        session.redo()
    session.edit("move", {"unit": "shop.cart", "service": "payments"})
    moved = session.edit("keep", {"unit": "shop.payments"})
    session.undo()
    state = session.undo()
    assert state["can_redo"] is True and place(state, "shop.cart") == "orders"
    state = session.redo()
    assert place(state, "shop.cart") == "payments" and place(state, "shop.payments") == "payments"
    assert state["change"] == "redid: moved shop.cart from orders to payments" and state["can_undo"] is True
    state = session.redo()
    assert state["scores"] == moved["scores"] and state["can_redo"] is False and state["dirty"] is True
    session.undo()
    assert session.edit("share", {"unit": "shop.cart"})["can_redo"] is False  # a new edit forgets what was undone
    with pytest.raises(InputError, match="nothing to redo"):
        session.redo()


def test_hazards_name_their_unit_and_come_grouped_by_kind(tmp_path: Path) -> None:
    graph = generated_graph(modules=600, packages=6)  # more hazards of one kind than are listed
    path = tmp_path / "boundaries.yaml"
    path.write_text(plan_from_placement(generated_placement(graph), "big", "module", None).dumps(), encoding="utf-8")
    state = Session(graph, read_plan(path), path).state()
    units = {unit["name"] for place in state["places"] for unit in place["units"]}
    assert state["hazards"] and all(found["unit"] in units for found in state["hazards"])
    kinds = state["hazard_kinds"]
    assert sum(group["count"] for group in kinds) == state["scores"]["hazards"]
    listed = Counter(found["kind"] for found in state["hazards"])
    assert listed == {group["kind"]: min(group["count"], HAZARDS_PER_KIND) for group in kinds}
    assert max(group["count"] for group in kinds) > HAZARDS_PER_KIND
    for group in kinds:
        listed = {found["unit"] for found in state["hazards"] if found["kind"] == group["kind"]}
        assert listed <= set(group["units"]) and group["hint"]
    assert [group["severity"] for group in kinds] == sorted(group["severity"] for group in kinds)  # errors first


def test_the_map_is_the_reports_layout_with_every_name_whole(session: Session) -> None:
    state = session.state()
    boxes = {box["place"] for box in state["map"]["boxes"]}
    assert boxes == {p["name"] for p in state["places"] if p["kind"] != "shared" or p["units"]}
    assert state["map"]["boxes"][0]["place"] == "monolith"
    assert all(arrow["source"] in boxes and arrow["target"] in boxes for arrow in state["map"]["arrows"])


def test_an_edit_that_changes_nothing_is_not_an_undo_step(session: Session) -> None:
    state = session.edit("move", {"unit": "shop.cart", "service": "orders"})
    assert state["change"] == "shop.cart is already in orders; nothing changed" and state["can_undo"] is False


def test_save_writes_the_plan_and_keeps_its_comments(session: Session) -> None:
    session.edit("move", {"unit": "shop.cart", "service": "basket", "new": True})
    state = session.save()
    text = session.path.read_text(encoding="utf-8")
    assert state["dirty"] is False and state["change"] == f"saved {session.path}"
    assert read_plan(session.path).plan.service("basket").modules == ("shop.cart",)  # type: ignore[union-attr]
    assert "      - shop.cart  # cart eol\n" in text
    for comment in COMMENTS:
        assert comment in text
    assert session.undo()["dirty"] is True  # back to the text on disk before the save: unsaved again


def test_save_refuses_to_overwrite_a_file_changed_on_disk(session: Session) -> None:
    session.path.write_text(EXAMPLE + "# a person's note\n", encoding="utf-8")
    session.edit("keep", {"unit": "shop.cart"})
    with pytest.raises(SaveConflict, match="changed on disk"):
        session.save()
    assert "# a person's note" in session.path.read_text(encoding="utf-8")
    session.save(force=True)
    assert "# a person's note" not in session.path.read_text(encoding="utf-8")


def test_why_explains_a_unit(session: Session, graph: CodeGraph) -> None:
    answer = session.why("shop.cart")
    assert answer["unit"] == "shop.cart" and answer["place"] == "orders"
    assert answer["sentence"].startswith("shop.cart is in orders")
    session.edit("move", {"unit": "shop.cart", "service": "payments"})  # the same explainer, the new placement
    for unit in ("shop.cart", "shop.payments", "shop.web.views"):
        placement = assign(session.doc.plan, units_of(graph, "module"))
        assert session.why(unit) == explain_all(graph, placement, only=unit)[unit].to_json()
    assert session.why("shop.cart")["place"] == "payments"


@pytest.mark.parametrize(("op", "args", "message"), [
    ("teleport", {"unit": "shop.cart"}, "unknown edit 'teleport'"),
    ("move", {"unit": "shop.kart", "service": "orders"}, "shop.kart is not a module of the graph"),
    ("move", {"unit": "shop.cart"}, "the edit needs 'service'"),
    ("move", {"unit": "shop.cart", "service": "Not A Name"}, "invalid service name"),
    ("move", {"unit": "shop.cart", "service": "monolith"}, "'monolith' is not a service"),
    ("move", {"unit": "shop.cart", "service": "basket"}, "no service named 'basket'"),
    ("move", {"unit": "shop.cart", "service": "payments", "new": True}, "'payments' already exists"),
    ("move", {"unit": "shop.cart", "service": "basket", "new": "yes"}, "'new' must be true or false"),
    ("keep", {"unit": "shop.ordrs.*"}, "the glob shop.ordrs.\\* matches no module"),
    ("pin", {"unit": "shop.orders.*"}, "shop.orders.\\* is not a module of the graph"),
    ("rename", {"old": "nope", "new": "x"}, "no service named 'nope'"),
    ("rename", {"old": "orders", "new": "payments"}, "already exists"),
    ("merge", {"a": "orders", "b": "orders"}, "into itself"),
    ("split", {"service": "orders", "into": ["shop.cart"]}, "split needs 'into'"),
    ("split", {"service": "orders", "into": {"x": ["shop.payments"]}}, "not in service orders"),
])
def test_errors_say_what_and_change_nothing(session: Session, op: str, args: dict[str, Any], message: str) -> None:
    before = session.doc
    with pytest.raises(InputError, match=message) as raised:
        session.edit(op, args)
    assert raised.value.hint
    assert session.doc is before and session.state()["can_undo"] is False


def test_an_edit_that_would_make_the_plan_invalid_is_refused(session: Session) -> None:
    before = session.doc
    with pytest.raises(PlanError, match="not a module of the graph"):
        session.edit("split", {"service": "orders", "into": {"x": ["shop.orders.ghost"]}})  # matched by shop.orders.*
    assert session.doc is before


def test_why_of_an_unknown_unit_suggests_names(session: Session) -> None:
    with pytest.raises(InputError, match=r"did you mean shop\.cart"):
        session.why("shop.carts")


def test_open_reads_the_graph_and_the_plan(graph: CodeGraph, tmp_path: Path) -> None:
    (tmp_path / "graph.json").write_text(graph.dumps(), encoding="utf-8")
    (tmp_path / "boundaries.yaml").write_text(EXAMPLE, encoding="utf-8")
    opened = Session.open(tmp_path / "boundaries.yaml", tmp_path / "graph.json")
    assert opened.state()["change"] == f"opened {tmp_path / 'boundaries.yaml'}"
    with pytest.raises(InputError, match="no graph file"):
        Session.open(tmp_path / "boundaries.yaml", tmp_path / "missing.json")
