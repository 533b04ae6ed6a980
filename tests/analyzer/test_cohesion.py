"""The ties before clustering: weakly tied units stay in the monolith, coupled domains merge."""

from __future__ import annotations

from analyzer.boundaries.cohesion import detach_loose, merge_coupled, weakly_tied
from analyzer.boundaries.explain import explain
from analyzer.boundaries.partition import propose
from analyzer.boundaries.placement import MONOLITH
from analyzer.graph import UnitGraph

from .snippets import graph_of


def ties(weights: dict[tuple[str, str], float]) -> UnitGraph:
    return UnitGraph(sorted({u for pair in weights for u in pair}), weights)


def test_a_unit_tied_by_less_than_a_call_site_is_weak_and_so_is_what_only_it_held() -> None:
    graph = ties({("a", "b"): 3.0, ("b", "c"): 0.4, ("c", "d"): 0.7, ("d", "a"): 0.2})
    # c has 1.1 in all, but once d (0.9) is gone it has only 0.4 left
    assert weakly_tied(graph.units, graph.neighbours, anchored=set()) == {"c", "d"}
    assert weakly_tied(graph.units, graph.neighbours, anchored={"d"}) == set()  # d held: c keeps 1.1


def test_domains_more_tied_to_each_other_than_to_themselves_merge() -> None:
    graph = ties({("r1", "r2"): 2.0, ("p1", "p2"): 1.0, ("r1", "p1"): 4.0, ("r2", "p2"): 3.0,
                  ("x1", "x2"): 6.0, ("x1", "p1"): 2.0, ("y1", "y2"): 1.0})
    merged = merge_coupled({"runner": {"r1", "r2"}, "plugins": {"p1", "p2"}, "lib": {"x1", "x2"},
                            "other": {"y1", "y2"}}, graph.neighbours, graph.units)
    # runner and plugins: 7 between them, 2 and 1 within; lib is more tied to itself (6) than to them (2)
    assert sorted(map(sorted, merged.values())) == [["p1", "p2", "r1", "r2"], ["x1", "x2"], ["y1", "y2"]]


def test_ties_weaker_than_a_call_site_never_merge_domains() -> None:
    graph = ties({("a1", "b1"): 0.6, ("c1", "c2"): 5.0})
    merged = merge_coupled({"a": {"a1", "a2"}, "b": {"b1", "b2"}}, graph.neighbours, graph.units)
    assert len(merged) == 2


def test_pieces_of_a_community_barely_tied_to_it_are_taken_out() -> None:
    graph = ties({("domain:a", "x"): 2.0, ("x", "y"): 1.5, ("s1", "s2"): 1.2, ("s1", "domain:a"): 0.1,
                  ("s2", "x"): 0.2})
    community = {"domain:a", "x", "y", "s1", "s2"}
    # y hangs on x (one piece, tied to the anchor by 2.0); the piece s1-s2 touches the rest
    # by 0.3 only (a tie that weak does not join it to the piece x-y either)
    assert detach_loose(community, {"domain:a"}, graph.neighbours) == [{"domain:a", "x", "y"}, {"s1", "s2"}]
    assert detach_loose({"x", "y"}, {"domain:a"}, graph.neighbours) == [{"x", "y"}]  # no anchor: left alone


def test_a_loose_script_and_the_root_package_stay_in_the_monolith() -> None:
    files = {"app/__init__.py": "from app.orders import checkout\nfrom app.billing import invoices\n",
             "app/orders/__init__.py": "", "app/billing/__init__.py": "",
             "app/orders/checkout.py": "from app.orders import cart\n"
                                       "def pay():\n    cart.total(); cart.total(); cart.lines()\n",
             "app/orders/cart.py": "def total():\n    return lines()\ndef lines():\n    return []\n",
             "app/billing/invoices.py": "from app.billing import taxes\n"
                                        "def issue():\n    taxes.rate(); taxes.rate()\n",
             "app/billing/taxes.py": "def rate():\n    return 1\n",
             "app/loose.py": "import app\ndef tool():\n    return app\n"}
    graph = graph_of(files)
    placement = propose(graph)
    assert placement.place_of("app.orders.checkout") == placement.place_of("app.orders.cart") != MONOLITH
    assert placement.place_of("app.loose") == MONOLITH
    assert placement.place_of("app") == MONOLITH
    assert "less than one call site" in explain(graph, placement, "app.loose").rule
    assert "root package" in explain(graph, placement, "app").rule
