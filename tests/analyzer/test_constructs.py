"""Call-graph constructs: each case of construct_cases.py comes out with exactly its
hand-made call edges (and, where a case says so, its number of unresolved calls)."""

from __future__ import annotations

import pytest

from .construct_cases import CASES, DYNAMIC, Case, found_edges, ratios, score
from .snippets import graph_of


@pytest.mark.parametrize("case", CASES, ids=[f"{c.construct}: {c.name}" for c in CASES])
def test_construct(case: Case) -> None:
    found, unresolved = found_edges(case)
    assert sorted(case.expected - found) == [], "missed"
    assert sorted(found - case.expected) == [], "extra"
    if case.unresolved is not None:
        assert unresolved == case.unresolved


def test_overall_accuracy() -> None:
    totals = [sum(column) for column in zip(*score(CASES).values(), strict=True)]
    precision, recall = ratios(*totals)
    assert precision >= 0.99 and recall >= 0.97


def test_lambda_node() -> None:
    graph = graph_of({"m.py": "def g(): pass\ndef main():\n    f = lambda x: g()\n    f(1)\n"})
    node = "m.main.<lambda:3:8>"
    assert graph.attr(node, "kind") == "function"
    assert graph.attr(node, "parent") == "m.main"
    assert graph.attr(node, "line") == 3
    assert [p["name"] for p in graph.attr(node, "params")] == ["x"]


def test_eval_is_unresolved_dynamic() -> None:
    graph = graph_of({"m.py": "def main(code):\n    eval(code)\n"})
    assert [u for u in graph.unresolved_calls if u.get("dynamic")] == [
        {"expr": "eval", "line": 2, "scope": "m.main", "dynamic": True}]
    assert DYNAMIC not in graph


def test_a_module_level_lambda_is_not_an_operation() -> None:
    from analyzer.boundaries.partition import public_functions

    graph = graph_of({"m.py": "def g(): pass\nh = lambda: g()\n"})
    assert "m.<lambda:2:4>" in graph
    assert public_functions(graph) == ["m.g"]
