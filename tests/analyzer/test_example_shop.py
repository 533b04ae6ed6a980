"""The bundled example: the facts its author listed are found, and the graph is a golden snapshot."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from analyzer.pipeline import AnalyzeOptions, analyze

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "shop"
GOLDEN = REPO / "tests" / "golden" / "shop-graph.json"
REFRESH = "make golden"


@pytest.fixture(scope="module")
def graph_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("shop-analysis")
    result = analyze(EXAMPLE, out, AnalyzeOptions(use_cache=False))
    return result.graph_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def edges(graph_text: str) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = {}
    for edge in json.loads(graph_text)["edges"]:
        found.setdefault(edge["kind"], set()).add((edge["source"], edge["target"]))
    found["calls"] |= found.get("instantiates", set())
    return found


EXPECTED = json.loads((EXAMPLE / "expected_facts.json").read_text(encoding="utf-8"))
CHECKS = [("calls", "calls", True), ("not_calls", "calls", False), ("table_writes", "writes", True),
          ("table_reads", "reads", True), ("state_writes", "writes", True), ("state_reads", "reads", True)]


@pytest.mark.parametrize(("facts", "kind", "present"), CHECKS, ids=[c[0] for c in CHECKS])
def test_the_example_authors_facts_are_found(edges, facts: str, kind: str, present: bool) -> None:
    wrong = [pair for pair in map(tuple, EXPECTED[facts]) if (pair in edges.get(kind, set())) != present]
    verb = "missing" if present else "present but false"
    assert not wrong, f"{len(wrong)} of {len(EXPECTED[facts])} {facts} {verb}:\n" + "\n".join(map(str, wrong))


def test_graph_matches_the_golden_snapshot(graph_text: str) -> None:
    golden = GOLDEN.read_text(encoding="utf-8") if GOLDEN.exists() else ""
    if graph_text != golden:
        diff = "".join(list(difflib.unified_diff(golden.splitlines(True), graph_text.splitlines(True),
                                                 "golden", "now", n=1))[:80])
        pytest.fail(f"the example's graph changed; review the diff and run `{REFRESH}` if it is right:\n{diff}")


def test_graph_is_deterministic(graph_text: str, tmp_path: Path) -> None:
    again = analyze(EXAMPLE, tmp_path, AnalyzeOptions(use_cache=False, jobs=1))
    assert again.graph_path.read_text(encoding="utf-8") == graph_text


def test_parallel_resolution_gives_the_same_graph(graph_text: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import analyzer.resolve

    monkeypatch.setattr(analyzer.resolve, "PARALLEL_DEFINITIONS", 10)
    again = analyze(EXAMPLE, tmp_path, AnalyzeOptions(use_cache=False, jobs=2))
    assert again.graph_path.read_text(encoding="utf-8") == graph_text
