"""The scoring context kept beside a graph: the same scores as from the graph, rebuilt when
the graph file changes, and a planted or foreign file never unpickled."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from analyzer.boundaries.context_cache import CACHE_MAGIC, cache_path, plan_inputs, plan_outline
from analyzer.boundaries.metrics import score
from analyzer.boundaries.placement import units_of
from analyzer.boundaries.plan import assign, check_plan, parse_plan, read_plan
from analyzer.graph import CodeGraph

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden" / "shop-graph.json"
PLAN = REPO / "examples" / "shop" / "boundaries.yaml"


class _Reads:
    """`read_graph` that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, path: Path) -> CodeGraph:
        self.calls += 1
        return CodeGraph.load(path)


class _Planted:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (str(self.marker), "pwned"))  # type: ignore[return-value]


@pytest.fixture()
def graph_path(tmp_path: Path) -> Path:
    path = tmp_path / "out" / "graph.json"
    (path.parent / "cache").mkdir(parents=True)  # as analyze leaves it
    shutil.copyfile(GOLDEN, path)
    return path


def test_a_kept_context_scores_and_checks_as_the_graph_does(graph_path: Path) -> None:
    graph, doc = CodeGraph.load(graph_path), read_plan(PLAN)
    expected = score(graph, assign(doc.plan, units_of(graph, doc.plan.unit)))
    reads = _Reads()
    for _ in range(2):
        outline, context = plan_inputs(graph_path, doc.plan.unit, reads)
        assert check_plan(doc, outline) == check_plan(doc, graph)
        assert units_of(outline, "class") == units_of(graph, "class")
        assert score(context, assign(doc.plan, units_of(outline, doc.plan.unit))).dumps() == expected.dumps()
    assert reads.calls == 1  # the second time from the kept file
    assert cache_path(graph_path, "module").exists()


def test_a_new_graph_file_is_read_again(graph_path: Path) -> None:
    reads = _Reads()
    plan_inputs(graph_path, "module", reads)
    graph = CodeGraph.load(graph_path)
    graph.add_symbol("shop.added", "module", file="shop/added.py", module="shop.added", size=3)
    graph_path.write_text(graph.dumps(), encoding="utf-8")
    outline, _ = plan_inputs(graph_path, "module", reads)
    assert reads.calls == 2 and "shop.added" in units_of(outline)
    plan_inputs(graph_path, "class", reads)  # another unit kind: another context
    assert reads.calls == 3


@pytest.mark.parametrize("signed_with_a_foreign_key", [False, True])
def test_a_planted_context_file_is_never_unpickled(graph_path: Path, tmp_path: Path,
                                                   signed_with_a_foreign_key: bool) -> None:
    marker = tmp_path / "marker"
    payload = pickle.dumps(_Planted(marker))
    if signed_with_a_foreign_key:
        payload = CACHE_MAGIC + b"\0" * 32 + payload
    planted = cache_path(graph_path, "module")
    planted.write_bytes(payload)
    reads = _Reads()
    outline, context = plan_inputs(graph_path, "module", reads)
    assert not marker.exists() and reads.calls == 1 and context.units == tuple(units_of(outline))


def test_nothing_is_written_beside_a_graph_outside_an_analysis_folder(graph_path: Path, tmp_path: Path) -> None:
    alone = tmp_path / "golden" / "graph.json"
    alone.parent.mkdir()
    shutil.copyfile(graph_path, alone)
    reads = _Reads()
    plan_inputs(alone, "module", reads)
    plan_inputs(alone, "module", reads)
    assert reads.calls == 2 and os.listdir(alone.parent) == ["graph.json"]


def test_a_cache_file_that_cannot_be_written_only_costs_the_cache(graph_path: Path) -> None:
    (cache_path(graph_path, "module") / "in-the-way").mkdir(parents=True)  # a folder where the file would go
    reads = _Reads()
    plan_inputs(graph_path, "module", reads)
    plan_inputs(graph_path, "module", reads)
    assert reads.calls == 2


def test_the_outline_alone_checks_as_the_graph_does_and_keeps_a_context_only_where_it_can(
        graph_path: Path, tmp_path: Path) -> None:
    alone = tmp_path / "golden" / "graph.json"
    alone.parent.mkdir()
    shutil.copyfile(graph_path, alone)
    graph = CodeGraph.load(graph_path)
    # an operation that is a property: the outline keeps what tells it from a method
    text = PLAN.read_text(encoding="utf-8").replace(
        "  inventory:\n    modules:\n",
        "  inventory:\n    operations:\n      shop.inventory.models.StockLevel.available:\n"
        "        invocation: sync\n    modules:\n")
    for doc in (read_plan(PLAN), parse_plan(text, "boundaries.yaml")):
        for path in (alone, graph_path, graph_path):  # the last from the kept file
            outline = plan_outline(path, doc.plan.unit, _Reads())
            assert check_plan(doc, outline) == check_plan(doc, graph)
            assert units_of(outline, "class") == units_of(graph, "class")
    assert any("is a property" in p.message for p in check_plan(parse_plan(text, "boundaries.yaml"), graph))
    assert os.listdir(alone.parent) == ["graph.json"]  # nothing kept beside it, so no context built for it
    assert cache_path(graph_path, "module").exists()  # kept for the next `plan score`
