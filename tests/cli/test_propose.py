"""`propose`, `plan score` and `plan why` end to end on the example shop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.boundaries.plan import read_plan
from analyzer.pipeline import AnalyzeOptions, analyze
from mono2lambda.cli import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "shop"


@pytest.fixture(scope="module")
def graph_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return analyze(EXAMPLE, tmp_path_factory.mktemp("shop"), AnalyzeOptions(use_cache=False)).graph_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_propose_writes_a_plan_and_prints_scores(graph_path: Path, tmp_path: Path) -> None:
    plan = tmp_path / "boundaries.yaml"
    code, output = run("propose", "--graph", str(graph_path), "--plan", str(plan))
    assert code == 0, output
    assert "Proposed" in output and "modularity" in output and "cross-service-transaction" in output
    doc = read_plan(plan)
    assert {"accounts", "catalog", "payments", "pricing"} <= set(doc.plan.service_names())
    assert any(p.startswith("shop.common.") for p in doc.plan.shared)


def test_exact_count_and_json_scores(graph_path: Path, tmp_path: Path) -> None:
    plan = tmp_path / "boundaries.yaml"
    code, output = run("propose", "--graph", str(graph_path), "--plan", str(plan), "--services", "10",
                       "--format", "json")
    assert code == 0, output
    scores = json.loads(output)
    assert len(scores["services"]) == 10
    assert len(read_plan(plan).plan.services) == 10
    assert scores["transactions"][0]["function"] == "shop.orders.checkout.place_order"


def test_a_second_proposal_keeps_comments_and_pins(graph_path: Path, tmp_path: Path) -> None:
    plan = tmp_path / "boundaries.yaml"
    assert run("propose", "--graph", str(graph_path), "--plan", str(plan))[0] == 0
    code, output = run("plan", "move", "shop.reporting.sales", "payments", "--graph", str(graph_path),
                       "--plan", str(plan))
    assert code == 0, output
    text = plan.read_text().replace("services:\n", "services:  # reviewed by the team\n", 1)
    text = text.replace("  payments:\n    modules:\n", "  payments:\n    pinned:\n      - shop.reporting.sales\n"
                        "    modules:\n", 1)
    plan.write_text(text)
    code, output = run("propose", "--graph", str(graph_path), "--plan", str(plan))
    assert code == 0, output
    assert "# reviewed by the team" in plan.read_text()
    doc = read_plan(plan)
    assert "shop.reporting.sales" in doc.plan.service("payments").modules  # type: ignore[union-attr]


def test_score_and_why(graph_path: Path, tmp_path: Path) -> None:
    plan = tmp_path / "boundaries.yaml"
    run("propose", "--graph", str(graph_path), "--plan", str(plan))
    code, output = run("plan", "score", "--graph", str(graph_path), "--plan", str(plan))
    assert code == 1 and "ICP" in output  # the proposal has blocking hazards
    assert "Hazards:" in output and ": error: " in output
    code, output = run("plan", "why", "shop.orders.checkout", "--graph", str(graph_path), "--plan", str(plan))
    assert code == 0 and output.startswith("shop.orders.checkout is in ") and "table:orders" in output
    code, output = run("plan", "why", "shop.nowhere", "--graph", str(graph_path), "--plan", str(plan))
    assert code == 2 and "not a unit of the graph" in output


def test_propose_without_a_graph_is_an_input_error(tmp_path: Path) -> None:
    code, output = run("propose", "--graph", str(tmp_path / "missing.json"), "--plan", str(tmp_path / "b.yaml"))
    assert code == 2 and "run `mono2lambda analyze SRC` first" in output


@pytest.mark.parametrize("fmt", ["html", "md", "json"])
def test_report_for_a_plan_and_for_a_fresh_proposal(graph_path: Path, tmp_path: Path, fmt: str) -> None:
    output = tmp_path / f"r.{fmt}"
    code, text = run("report", "--graph", str(graph_path), "--plan", str(EXAMPLE / "boundaries.yaml"),
                     "--format", fmt, "-o", str(output))
    assert code == 0 and "boundaries.yaml" in text
    assert "shop.orders.checkout.place_order" in output.read_text()
    code, text = run("report", "--graph", str(graph_path), "--plan", str(tmp_path / "none.yaml"),
                     "--format", fmt, "-o", str(output))
    assert code == 0 and "a fresh proposal" in text


def test_weights_and_class_units(graph_path: Path, tmp_path: Path) -> None:
    plan = tmp_path / "boundaries.yaml"
    code, output = run("propose", "--graph", str(graph_path), "--plan", str(plan), "--weight", "write_write=20",
                       "--weight", "call=0.5")
    assert code == 0, output
    code, output = run("propose", "--graph", str(graph_path), "--plan", str(tmp_path / "x.yaml"),
                       "--weight", "gravity=1")
    assert code == 2 and "unknown weight 'gravity'" in output
    classes = tmp_path / "classes.yaml"
    code, output = run("propose", "--graph", str(graph_path), "--plan", str(classes), "--unit", "class")
    assert code == 0, output
    doc = read_plan(classes)
    assert doc.plan.unit == "class"
    units = {u for s in doc.plan.services for u in s.modules}
    assert "shop.orders.models.Order" in units or any(u.startswith("shop.orders.models") for u in units)


def test_json_output_has_the_hierarchy_the_count_cuts(graph_path: Path, tmp_path: Path) -> None:
    code, output = run("propose", "--graph", str(graph_path), "--plan", str(tmp_path / "b.yaml"), "--format", "json")
    assert code == 0, output
    hierarchy = json.loads(output)["hierarchy"]
    leaves = len(hierarchy["leaves"])
    assert [m["services"] for m in hierarchy["merges"]] == list(range(leaves - 1, 0, -1))
    code, output = run("propose", "--graph", str(graph_path), "--plan", str(tmp_path / "c.yaml"), "--services", "3",
                       "--format", "json")
    cut = json.loads(output)
    assert len(cut["services"]) == 3 and cut["hierarchy"] == hierarchy  # the same hierarchy, cut at 3
