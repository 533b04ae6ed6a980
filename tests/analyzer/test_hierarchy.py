"""Hierarchical proposals: `--services N` is the N-cut of the hierarchy the default proposal
shows, merges respect pins, and the leaves come in an order whose merges do not cross."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.boundaries.hierarchy import Hierarchy, Merge, merge_sequence
from analyzer.boundaries.partition import ProposeOptions, propose, propose_with_hierarchy
from analyzer.boundaries.placement import MONOLITH, SHARED, Placement
from analyzer.graph import CodeGraph

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "shop-graph.json"


@pytest.fixture(scope="module")
def shop() -> CodeGraph:
    return CodeGraph.load(GOLDEN)


def services_of(placement: Placement) -> list[set[str]]:
    groups: dict[str, set[str]] = {}
    for unit in placement.units:
        place = placement.place_of(unit)
        if place not in (MONOLITH, SHARED):
            groups.setdefault(place, set()).add(unit)
    return sorted(groups.values(), key=min)


def test_every_count_is_a_cut_of_the_default_hierarchy(shop: CodeGraph) -> None:
    default, hierarchy = propose_with_hierarchy(shop)
    leaves = len(hierarchy.leaves)
    assert services_of(default) == hierarchy.cut(leaves) and leaves > 3
    assert len(hierarchy.merges) == leaves - 1  # nothing pinned: down to one group
    for count in range(1, leaves + 1):
        placement = propose(shop, options=ProposeOptions(services=count))
        # a package's __init__ follows its modules after the cut; compare the clustered units
        assert [g & hierarchy.cut(count)[i] for i, g in enumerate(services_of(placement))] == hierarchy.cut(count)


def test_more_services_than_leaves_start_from_finer_leaves(shop: CodeGraph) -> None:
    _, default = propose_with_hierarchy(shop)
    count = len(default.leaves) + 2
    placement, finer = propose_with_hierarchy(shop, options=ProposeOptions(services=count))
    assert len(finer.leaves) >= count and len(services_of(placement)) == count


def test_merges_never_join_two_pinned_services() -> None:
    groups = [{"a1", "a2"}, {"b"}, {"c"}]
    ties = {"a1": {"b": 5.0}, "b": {"a1": 5.0, "c": 1.0}, "c": {"b": 1.0}}
    merges = merge_sequence(groups, lambda u: ties.get(u, {}), {"a1": "alpha", "c": "gamma"})
    assert merges[0] == Merge(0, 1, pytest.approx(5.0 / 2**0.5))
    assert len(merges) == 1  # {a1, a2, b} (alpha) and {c} (gamma) may not merge
    hierarchy = Hierarchy(tuple(frozenset(g) for g in groups), tuple(merges))
    assert hierarchy.cut(1) == [{"a1", "a2", "b"}, {"c"}]


def test_untied_groups_merge_smallest_first_and_the_order_does_not_cross() -> None:
    groups = [{"a"}, {"b", "b2"}, {"c"}, {"d"}]
    ties = {"a": {"c": 1.0}, "c": {"a": 1.0}}
    merges = merge_sequence(groups, lambda u: ties.get(u, {}), {})
    assert merges[0] == Merge(0, 2, 1.0)
    assert merges[1] == Merge(4, 3, 0.0)  # no tie left: the smallest pair, {a, c} (node 4) and {d}
    hierarchy = Hierarchy(tuple(frozenset(g) for g in groups), tuple(merges), ("a", "b", "c", "d"))
    order = hierarchy.order()
    assert sorted(order) == [0, 1, 2, 3]
    assert abs(order.index(0) - order.index(2)) == 1
    document = hierarchy.to_json()
    assert document["merges"][0] == {"id": 4, "left": 0, "right": 2, "tie": 1.0, "services": 3}
    assert document["leaves"][1] == {"id": 1, "name": "b", "units": ["b", "b2"]}
    json.dumps(document)


def test_the_report_draws_the_hierarchy(shop: CodeGraph) -> None:
    from analyzer.boundaries.report import build_report, render_html, render_markdown
    from analyzer.boundaries.report.model import ReportModel

    placement, hierarchy = propose_with_hierarchy(shop)
    model = build_report(shop, placement, hierarchy=hierarchy)
    tree = model.dendrogram
    assert len(tree.leaves) == len(hierarchy.leaves) and len(tree.links) == len(hierarchy.merges)
    assert tree.ticks[0].label == str(len(hierarchy.leaves)) and tree.ticks[-1].label == "1"
    assert {leaf.y for leaf in tree.leaves} == {round(12 + 22 * i + 11 + 4, 1) for i in range(len(tree.leaves))}
    html = render_html(model)
    assert html.count('<g class="merge">') == len(hierarchy.merges) and 'href="#hierarchy"' in html
    assert "| 1 |" in render_markdown(model)
    assert ReportModel.from_json(json.loads(json.dumps(model.to_json()))) == model
    assert build_report(shop, placement).dendrogram.leaves == ()  # no hierarchy, no section
    assert 'id="hierarchy"' not in render_html(build_report(shop, placement))
