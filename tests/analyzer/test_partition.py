"""Proposals: the shop's designed domains are found, constraints hold, and counts are exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.boundaries.compare import adjusted_rand_index, recovered
from analyzer.boundaries.explain import explain, explain_all
from analyzer.boundaries.partition import Constraints, ProposeOptions, propose
from analyzer.boundaries.placement import MONOLITH, SHARED
from analyzer.graph import CodeGraph
from analyzer.pipeline import AnalyzeOptions, analyze

from .snippets import graph_of

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "shop"
TRUTH = {unit: service
         for service, units in json.loads((EXAMPLE / "expected_services.json").read_text())["services"].items()
         for unit in units}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> CodeGraph:
    return analyze(EXAMPLE, tmp_path_factory.mktemp("shop"), AnalyzeOptions(use_cache=False)).load_graph()


def test_the_designed_domains_are_found(shop: CodeGraph) -> None:
    placement = propose(shop)
    assert adjusted_rand_index(dict(placement.units), TRUTH) >= 0.95  # the packages are the domains
    assert {"accounts", "catalog", "notifications", "payments", "pricing"} <= set(recovered(placement.units, TRUTH))
    assert all(placement.place_of(u) == MONOLITH for u in shop.nodes("module") if u.startswith("shop.web."))
    assert {"shop.common.money", "shop.common.errors", "shop.common.ids", "shop.common.clock"} <= set(
        placement.members(SHARED))


def test_asking_for_the_designed_count_gets_closer(shop: CodeGraph) -> None:
    # the event bus and its notification wiring are designed to stay in the monolith; unconstrained,
    # they would take one of the ten services for themselves
    kept = frozenset({"shop.common.events", "shop.notifications.wiring"})
    placement = propose(shop, Constraints(monolith=kept), ProposeOptions(services=10))
    assert len(placement.services()) == 10
    assert adjusted_rand_index(dict(placement.units), TRUTH) >= 0.95
    assert len(recovered(placement.units, TRUTH)) >= 8


@pytest.mark.parametrize("count", [2, 5, 9, 12])
def test_exactly_n_services(shop: CodeGraph, count: int) -> None:
    assert len(propose(shop, options=ProposeOptions(services=count)).services()) == count


def test_deterministic_for_a_seed(shop: CodeGraph) -> None:
    assert propose(shop, options=ProposeOptions(seed=7)) == propose(shop, options=ProposeOptions(seed=7))


def test_constraints_are_honoured(shop: CodeGraph) -> None:
    constraints = Constraints(
        pinned={"shop.reporting.sales": "analytics", "shop.orders.checkout": "orders",
                "shop.orders.refunds": "orders"},
        monolith=frozenset({"shop.pricing.tax"}), shared=frozenset({"shop.common.events"}))
    placement = propose(shop, constraints)
    assert placement.place_of("shop.reporting.sales") == "analytics"
    assert placement.place_of("shop.orders.checkout") == placement.place_of("shop.orders.refunds") == "orders"
    assert placement.place_of("shop.pricing.tax") == MONOLITH
    assert placement.place_of("shop.common.events") == SHARED


def test_two_tight_groups_and_a_utility() -> None:
    chatty = "\n".join(f"def f{i}(): g{i}()\ndef g{i}(): pass" for i in range(3))
    graph = graph_of({
        "app/__init__.py": "",
        "app/util.py": "def clean(x): return x\n",
        **{f"app/{d}/__init__.py": "" for d in "abcd"},
        **{f"app/{d}/one.py": f"from app import util\nfrom app.{d} import two\n"
           f"def run():\n    util.clean(1)\n    two.step(); two.step(); two.step()\n" for d in "abcd"},
        **{f"app/{d}/two.py": "def step(): pass\n" + chatty for d in "abcd"},
    })
    placement = propose(graph)
    assert placement.place_of("app.util") == SHARED
    for d in "abcd":
        assert placement.place_of(f"app.{d}.one") == placement.place_of(f"app.{d}.two") == d


def test_explanations_name_the_ties(shop: CodeGraph) -> None:
    placement = propose(shop)
    why = explain(shop, placement, "shop.orders.checkout")
    assert why.place == placement.place_of("shop.orders.checkout")
    assert why.own is not None and why.own.calls > 0
    assert any("table:orders" in d for d in why.own.shared_data)
    assert why.strongest_other is not None and why.strongest_other.weight <= why.own.weight
    assert why.sentence().startswith("shop.orders.checkout is in ")


def test_one_units_explanation_is_the_same_as_explaining_every_unit(shop: CodeGraph) -> None:
    """`explain` gathers only the unit's own ties: what it says must not differ from the whole."""
    placement = propose(shop)
    every = explain_all(shop, placement)
    for unit in sorted(every):
        assert explain(shop, placement, unit) == every[unit], unit


def test_adjusted_rand_index() -> None:
    truth = {"a": "x", "b": "x", "c": "y", "d": "y"}
    assert adjusted_rand_index({"a": 1, "b": 1, "c": 2, "d": 2}, truth) == 1.0
    assert adjusted_rand_index({"a": 1, "b": 2, "c": 1, "d": 2}, truth) < 0
    assert recovered({"a": "s", "b": "s", "c": "t", "d": "u"}, truth) == ["x"]


def test_the_committed_example_plan_is_valid_and_finds_every_domain(shop: CodeGraph) -> None:
    from analyzer.boundaries.metrics import score
    from analyzer.boundaries.placement import units_of
    from analyzer.boundaries.plan import assign, check_plan, read_plan

    doc = read_plan(EXAMPLE / "boundaries.yaml")
    assert [p for p in check_plan(doc, shop) if p.severity == "error"] == []
    placement = assign(doc.plan, units_of(shop))
    split = {"pricing": "tax", "shipping": "rates"}  # the first extraction wave split a leaf service off each
    assert recovered(placement.units, TRUTH) == sorted(set(TRUTH.values()) - set(split))
    shared = {"shop.shipping.carriers"}  # the second wave shares it with orders and rates (the plan's edit 3)
    assert {placement.place_of(u) for u in shared} == {"shared"}
    for domain, part in split.items():
        assert {placement.place_of(u) for u, d in TRUTH.items() if d == domain and u not in shared} == {domain, part}
        assert set(placement.members(part)) <= {u for u, d in TRUTH.items() if d == domain}
    scores = score(shop, placement)
    assert {t.function for t in scores.transactions if t.through is None} == {
        "shop.orders.checkout.place_order",  # orders, payments and reservations in one unit of work
        "shop.shipping.shipments.ship", "shop.shipping.shipments.mark_delivered"}  # set the order's status
    # refunds hand reporting's audit record their uncommitted order changes; the cart commits a new
    # cart before inventory reserves for it, refund_order restocks before it changes the order's
    # lines and place_order is a saga, so no call of cart, checkout or restock is among them
    assert {(t.function, t.through[0]) for t in scores.transactions if t.through is not None} == {
        ("shop.orders.refunds.refund_order", "shop.common.audit.record"),
        ("shop.orders.refunds.cancel_order", "shop.common.audit.record")}
