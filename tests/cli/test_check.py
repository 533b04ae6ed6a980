"""`mono2lambda check`: blocking hazards, unparsed files and drift against a baseline, in
four formats; `plan score` and `analyze` fail on what `check` fails on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from analyzer.boundaries.drift import Baseline, CheckResult, check, crossings, parse_baseline, updated_baseline
from analyzer.boundaries.metrics import score
from analyzer.boundaries.placement import Placement, units_of
from analyzer.boundaries.plan import assign, parse_plan
from analyzer.errors import InputError
from analyzer.graph import CodeGraph
from mono2lambda.check_command import render_github, render_sarif
from mono2lambda.cli import cli
from tests.analyzer.snippets import graph_of

REPO = Path(__file__).resolve().parents[2]
TREE = {
    "shop/__init__.py": "",
    "shop/orders/__init__.py": "",
    "shop/orders/checkout.py": ("from shop.payments import charge\n\n\n"
                                "def place_order(total: int) -> int:\n    return charge(total)\n"),
    "shop/cart.py": "def add(item: str) -> str:\n    return item\n",
    "shop/payments.py": "def charge(amount: int) -> int:\n    return amount\n",
    "shop/common/__init__.py": "",
    "shop/common/money.py": "def cents(value: int) -> int:\n    return value\n",
}
PLAN = """\
version: 1
source: shop
services:
  orders:
    modules:
      - shop.orders.*
      - shop.cart
  payments:
    modules:
      - shop.payments
shared:
  - shop.common.*
"""
CART_CALLS_PAYMENTS = ("from shop.common.money import cents\nfrom shop.payments import charge\n\n\n"
                       "def add(item: str) -> str:\n    return item\n\n\n"
                       "def pay(amount: int) -> int:\n    return charge(cents(amount))\n")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in TREE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "boundaries.yaml").write_text(PLAN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def analyze(project: Path, code: int = 0) -> None:
    result = run("analyze", "shop", "--jobs", "1")
    assert result.exit_code == code, result.output


def test_drift_fails_until_recorded_and_the_baseline_only_ratchets_down(project: Path) -> None:
    analyze(project)
    first = run("check")
    assert first.exit_code == 1, first.output
    assert "shop/orders/checkout.py:5: error: shop.orders.checkout.place_order (orders) calls " \
           "shop.payments.charge (payments)" in first.output
    assert "[new-import-across]" in first.output and "no baseline file yet" in first.output

    refused = run("check", "--update-baseline")
    assert refused.exit_code == 1 and "--accept-new" in refused.output
    assert not (project / ".mono2lambda-baseline.json").exists()
    assert run("check", "--accept-new").exit_code == 2

    accepted = run("check", "--update-baseline", "--accept-new")
    assert accepted.exit_code == 0, accepted.output
    baseline = parse_baseline((project / ".mono2lambda-baseline.json").read_text(), "b")
    assert ("calls", "shop.orders.checkout.place_order", "shop.payments.charge") in baseline.entries
    passed = run("check")
    assert passed.exit_code == 0, passed.output
    assert "check passed: 0 blocking hazards, 0 files that did not parse, 0 new crossings; 2 crossings" \
        in passed.output

    (project / "shop/cart.py").write_text(CART_CALLS_PAYMENTS, encoding="utf-8")  # a new call across
    analyze(project)
    drifted = run("check")
    assert drifted.exit_code == 1
    assert "shop/cart.py:10: error: shop.cart.pay (orders) calls shop.payments.charge (payments)" in drifted.output
    assert "cents" not in drifted.output  # a shared library is no boundary
    before = (project / ".mono2lambda-baseline.json").read_text()
    assert run("check", "--update-baseline").exit_code == 1
    assert (project / ".mono2lambda-baseline.json").read_text() == before

    (project / "shop/cart.py").write_text(TREE["shop/cart.py"], encoding="utf-8")
    (project / "shop/orders/checkout.py").write_text("def place_order(total: int) -> int:\n    return total\n")
    analyze(project)
    gone = run("check")
    assert gone.exit_code == 0 and "2 recorded ones are gone" in gone.output
    dropped = run("check", "--update-baseline")
    assert dropped.exit_code == 0 and "(0 added, 2 dropped)" in dropped.output
    assert parse_baseline((project / ".mono2lambda-baseline.json").read_text(), "b").entries == frozenset()


def test_a_file_that_does_not_parse_fails_analyze_and_check(project: Path) -> None:
    (project / "shop/broken.py").write_text("def f(:\n    pass\n")
    analyze(project, code=1)
    run("check", "--update-baseline", "--accept-new")
    result = run("check", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["counts"] == {"drift": 0, "hazard": 0, "unparsed": 1}
    [finding] = document["findings"]
    assert (finding["file"], finding["line"], finding["kind"]) == ("shop/broken.py", 1, "syntax-error")


def test_blocking_hazards_fail_check_and_plan_score() -> None:
    graph = str(REPO / "tests" / "golden" / "shop-graph.json")
    plan = str(REPO / "examples" / "shop" / "boundaries.yaml")
    result = run("check", "--graph", graph, "--plan", plan, "--baseline", "/nonexistent/b.json", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["counts"]["hazard"] > 0 and not document["passed"]
    assert {f["kind"] for f in document["findings"] if f["category"] == "hazard"} >= {"table-multiple-writers"}
    assert run("plan", "score", "--graph", graph, "--plan", plan).exit_code == 1


def test_plan_score_exits_0_without_blocking_hazards(project: Path) -> None:
    analyze(project)
    result = run("plan", "score")
    assert result.exit_code == 0, result.output


def _result(tree: dict[str, str], baseline: Baseline | None = None) -> tuple[CheckResult, CodeGraph, Placement]:
    baseline = baseline or Baseline()
    graph = graph_of(tree)
    graph.meta["root"] = "shop"
    placement = assign(parse_plan(PLAN, "b.yaml").plan, units_of(graph))
    return check(graph, placement, score(graph, placement), baseline), graph, placement


def test_table_writes_cross_when_another_place_owns_the_table() -> None:
    tree = {**TREE,
            "shop/payments.py": ("from sqlalchemy import text\n\n\ndef charge(session, amount: int) -> int:\n"
                                 "    session.execute(text('INSERT INTO payments VALUES (1)'))\n"
                                 "    session.execute(text('INSERT INTO payments VALUES (2)'))\n    return amount\n"),
            "shop/cart.py": ("from sqlalchemy import text\n\n\ndef add(session, item: str) -> str:\n"
                             "    session.execute(text('INSERT INTO payments VALUES (3)'))\n    return item\n")}
    _, graph, placement = _result(tree)
    writes = [c for c in crossings(graph, placement, score(graph, placement).data) if c.kind == "writes"]
    assert [(c.source, c.target, c.from_place, c.to_place) for c in writes] == [
        ("shop.cart.add", "table:payments", "orders", "payments")]


def test_github_annotations_and_sarif() -> None:
    tree = {**TREE, "shop/cart.py": CART_CALLS_PAYMENTS}
    result, _, _ = _result(tree)
    github = render_github(result, "src").splitlines()
    assert "::error file=src/shop/cart.py,line=10,title=mono2lambda new-call-across::shop.cart.pay (orders) " \
           "calls shop.payments.charge (payments)" in "\n".join(github)
    assert github[-1].startswith("::error title=mono2lambda check::check failed")
    sarif = json.loads(render_sarif(result, "src"))
    assert sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"]
    [run_] = sarif["runs"]
    rules = [rule["id"] for rule in run_["tool"]["driver"]["rules"]]
    assert rules == sorted(set(rules)) and {"new-call-across", "new-import-across"} <= set(rules)
    assert len(run_["results"]) == len(result.findings) > 0  # every finding, so the checks below run
    for entry in run_["results"]:
        assert rules[entry["ruleIndex"]] == entry["ruleId"] and entry["level"] == "error"
        location = entry["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].startswith("src/shop/")
        assert location["region"]["startLine"] >= 1
    accepted = updated_baseline(result, accept_new=True)
    again, _, _ = _result(tree, accepted)
    assert again.passed
    assert render_github(again).strip().startswith("::notice title=mono2lambda check::check passed")


@pytest.mark.parametrize("text", ["{", "[]", '{"format": "x"}', '{"format": "mono2lambda-baseline", "version": 9}',
                                  '{"format": "mono2lambda-baseline", "version": 1, "crossings": [{"kind": "x"}]}'])
def test_a_bad_baseline_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_baseline(text, "b.json")
    assert caught.value.exit_code == 2 and "b.json" in str(caught.value)


def test_the_baseline_round_trips_one_entry_a_line() -> None:
    baseline = Baseline(frozenset({("calls", "a.f", "b.g"), ("imports", "a", "b")}))
    text = baseline.dumps()
    assert parse_baseline(text, "b") == baseline
    assert '\n  {"kind": "calls", "source": "a.f", "target": "b.g"},\n' in text
    assert parse_baseline(Baseline().dumps(), "b") == Baseline()
