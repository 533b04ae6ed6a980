"""`mono2lambda prove`: the pure core on fixed inputs, and one run on the example shop."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.prove.core import (
    ERROR,
    EXIT_CODE,
    FAILED,
    JUNIT,
    OUTPUT,
    PASSED,
    SKIPPED,
    TIMED_OUT,
    Comparison,
    ProveReport,
    SuiteResult,
    compare,
    operation_tests,
    parse_junit,
    parse_output,
    read_call_log,
    scan_patches,
    unreached,
)
from extractor.prove.run import is_pytest, run_suite
from mono2lambda.cli import cli
from mono2lambda.prove_command import report_lines

REPO = Path(__file__).parents[2]

JUNIT_XML = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="5">
<testcase classname="tests.test_a" name="test_ok" time="0.1"/>
<testcase classname="tests.test_a" name="test_bad" time="0.1"><failure message="boom">trace</failure></testcase>
<testcase classname="tests.test_a" name="test_skip" time="0"><skipped message="no"/></testcase>
<testcase classname="tests.test_b" name="test_err" time="0"><error message="fixture">trace</error></testcase>
<testcase classname="tests.test_b" name="test_teardown" time="0.1"/>
<testcase classname="tests.test_b" name="test_teardown" time="0"><error message="teardown">x</error></testcase>
</testsuite></testsuites>"""


def test_junit_gives_each_tests_outcome() -> None:
    result = parse_junit(JUNIT_XML, 1)
    assert result.source == JUNIT
    assert result.tests == {"tests.test_a::test_ok": PASSED, "tests.test_a::test_bad": FAILED,
                            "tests.test_a::test_skip": SKIPPED, "tests.test_b::test_err": ERROR,
                            "tests.test_b::test_teardown": ERROR}
    assert result.counts == {PASSED: 1, FAILED: 1, SKIPPED: 1, ERROR: 2}


def test_output_counts_from_pytest_and_unittest_and_else_the_exit_code() -> None:
    pytest_out = "....F\n=== 1 failed, 4 passed, 2 skipped, 1 error in 0.52s ===\n"
    assert parse_output(pytest_out, 1).counts == {FAILED: 1, PASSED: 4, SKIPPED: 2, ERROR: 1}
    django = "Creating test database...\n.F.E\n----\nRan 12 tests in 0.3s\n\nFAILED (failures=2, errors=1, skipped=1)\n"
    assert parse_output(django, 1).counts == {PASSED: 8, FAILED: 2, ERROR: 1, SKIPPED: 1}
    assert parse_output("Ran 3 tests in 0.001s\n\nOK\n", 0).counts == {PASSED: 3, FAILED: 0, ERROR: 0, SKIPPED: 0}
    bare = parse_output("all good\n", 0)
    assert (bare.source, bare.counts) == (EXIT_CODE, {})
    assert parse_output(pytest_out, 1).source == OUTPUT


def _tests(**outcomes: str) -> SuiteResult:
    return SuiteResult(0 if FAILED not in outcomes.values() else 1, JUNIT, outcomes, {})


def test_the_strangled_run_must_pass_every_test_the_original_passed() -> None:
    original = _tests(a=PASSED, b=FAILED, c=PASSED, d=SKIPPED)
    assert compare(original, _tests(a=PASSED, b=PASSED, c=PASSED, d=SKIPPED)) == Comparison(
        True, "tests", (), ("b",), "every test that passes on the original passes in the strangled monolith")
    worse = compare(original, _tests(a=PASSED, b=FAILED, d=PASSED))  # c failed to even run
    assert (worse.ok, worse.lost) == (False, ("c",))


def test_without_per_test_results_counts_then_exit_codes_decide() -> None:
    def counted(code: int, passed: int) -> SuiteResult:
        return SuiteResult(code, OUTPUT, None, {PASSED: passed})
    assert compare(counted(0, 5), counted(0, 5)).ok and compare(counted(1, 4), counted(1, 4)).ok
    assert not compare(counted(0, 5), counted(1, 4)).ok
    assert compare(SuiteResult(0, EXIT_CODE), SuiteResult(0, EXIT_CODE)).basis == "exit code"
    assert not compare(SuiteResult(0, EXIT_CODE), SuiteResult(1, EXIT_CODE)).ok
    assert compare(SuiteResult(1, EXIT_CODE), SuiteResult(1, EXIT_CODE)).ok


def test_an_original_run_that_timed_out_proves_nothing() -> None:
    """CTFd's suite on a loaded machine: the original was stopped at the timeout, the strangled one
    finished with one failure; that must not read as a pass."""
    timed_out = SuiteResult(-1, EXIT_CODE, None, {}, "timed out after 1800 s")
    comparison = compare(timed_out, SuiteResult(1, OUTPUT, None, {PASSED: 701, FAILED: 1}))
    assert not comparison.ok and "did not finish (timed out after 1800 s)" in comparison.summary


PATCHING_TEST = '''
from unittest import mock
from unittest.mock import patch
import shop.pricing.tax as taxes
import shop.pricing
from shop.pricing import tax, engine
from shop.pricing.tax import TaxTable


@patch("shop.pricing.tax.rate_for", return_value=1)
def test_one(rate):
    with mock.patch("shop.pricing.engine.total"):  # engine stays in the monolith
        pass


def test_two(monkeypatch, mocker):
    monkeypatch.setattr("shop.pricing.tax.RATES", {})
    monkeypatch.setattr(tax, "rate_for", lambda r: 0)
    mocker.patch.object(taxes, "is_exempt")
    mock.patch.object(shop.pricing.tax, "tax_for")
    monkeypatch.setattr(engine, "total", None)
    monkeypatch.setattr(TaxTable, "lookup", None)
    monkeypatch.setenv("shop.pricing.tax.X", "1")
'''


def test_patches_of_names_in_moved_modules_are_found_in_every_form() -> None:
    found = scan_patches({"tests/test_tax.py": PATCHING_TEST, "tests/broken.py": "def ("},
                         {"shop.pricing.tax": "tax"})
    assert [(p.location, p.target) for p in found] == [
        ("tests/test_tax.py:10", "shop.pricing.tax.rate_for"),
        ("tests/test_tax.py:17", "shop.pricing.tax.RATES"),
        ("tests/test_tax.py:18", "tax, 'rate_for'"),
        ("tests/test_tax.py:19", "taxes, 'is_exempt'"),
        ("tests/test_tax.py:20", "shop.pricing.tax, 'tax_for'"),
        ("tests/test_tax.py:22", "TaxTable, 'lookup'"),
    ]
    assert {(p.module, p.service) for p in found} == {("shop.pricing.tax", "tax")}


def test_calls_unreached_operations_and_the_json_report() -> None:
    calls = read_call_log("tax shop.pricing.tax.tax_for\ntax shop.pricing.tax.tax_for\nrates shop.rates.quote\n\n")
    assert calls == {("tax", "shop.pricing.tax.tax_for"): 2, ("rates", "shop.rates.quote"): 1}
    operations = {"tax": ["shop.pricing.tax.tax_for", "shop.pricing.tax.rate_for"], "rates": ["shop.rates.quote"]}
    assert unreached(operations, calls) == [("tax", "shop.pricing.tax.rate_for")]
    original = _tests(a=PASSED)
    report = ProveReport(("pytest",), original, original, compare(original, original), calls, {"shop-tax": 2},
                         (("tax", "shop.pricing.tax.rate_for"),), ())
    document = report.to_json()
    assert document["ok"] is True and document["calls"] == {"rates": {"shop.rates.quote": 1},
                                                            "tax": {"shop.pricing.tax.tax_for": 2}}
    assert document["unreached"] == [{"service": "tax", "operation": "shop.pricing.tax.rate_for"}]
    json.dumps(document)


def test_a_trace_names_the_tests_of_each_operation() -> None:
    operations = {"tax": ["shop.pricing.tax.tax_for", "shop.pricing.tax.rate_for"]}
    reached_by = {"shop.pricing.tax.tax_for": ["t::a", "t::b", "t::c", "t::d"], "shop.orders.place": ["t::a"]}
    tests = operation_tests(operations, reached_by)
    assert tests == {("tax", "shop.pricing.tax.tax_for"): ("t::a", "t::b", "t::c", "t::d"),
                     ("tax", "shop.pricing.tax.rate_for"): ()}
    original = _tests(a=PASSED)
    report = ProveReport(("pytest",), original, original, compare(original, original), {}, {}, (), (), tests)
    assert report.to_json()["tests"][1] == {"service": "tax", "operation": "shop.pricing.tax.tax_for",
                                            "tests": ["t::a", "t::b", "t::c", "t::d"]}
    lines = report_lines(report)
    assert "  tax              shop.pricing.tax.tax_for  4 test(s): t::a, t::b, t::c and 1 more" in lines
    assert "  tax              shop.pricing.tax.rate_for  0 test(s)" in lines
    without = ProveReport(("pytest",), original, original, compare(original, original), {}, {}, (), ())
    assert "tests" not in without.to_json()


def test_a_run_stopped_at_its_timeout_ends_what_it_started(tmp_path: Path) -> None:
    """The command's whole process group is killed, not only the command: a server the suite
    started in the background (here a sleeping grandchild) does not outlive the proof."""
    pid_file = tmp_path / "grandchild.pid"
    script = ("import subprocess, sys, time; "
              "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
              f"open({str(pid_file)!r}, 'w').write(str(child.pid)); time.sleep(60)")
    result = run_suite([sys.executable, "-c", script], tmp_path, dict(os.environ), tmp_path / "junit.xml", timeout=3)
    assert result.exit_code == TIMED_OUT
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _running(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(grandchild), "the grandchild outlived the timed-out run"


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan is reaped by init, which may take a moment)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_relative_program_path_means_where_prove_was_started(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """`prove -- ../venv/bin/python ...` runs the same program in the strangled monolith's folder."""
    (tmp_path / "bin").mkdir()
    program = tmp_path / "bin" / "suite"
    program.write_text("#!/bin/sh\necho 3 passed in 0.01s\n")
    program.chmod(0o755)
    elsewhere = tmp_path / "generated" / "monolith"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "bin")
    result = run_suite([f".{os.sep}suite"], elsewhere, dict(os.environ), tmp_path / "junit.xml", timeout=30)
    assert (result.counts.get("passed"), result.exit_code) == (3, 0)


def test_pytest_commands_are_recognised_for_junit() -> None:
    assert is_pytest(["pytest", "-q"]) and is_pytest(["/venv/bin/python", "-m", "pytest"])
    assert not is_pytest(["python", "manage.py", "test"]) and not is_pytest([])


def test_prove_on_the_example_shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The committed extraction of the shop, against part of the shop's own suite (the whole of it
    runs in `make demo`): same results, the calls counted, unreached operations listed."""
    monkeypatch.setenv("SHOP_DATABASE_URL", f"sqlite+pysqlite:///{tmp_path / 'shop.sqlite3'}")  # workers share it
    monkeypatch.setenv("SHOP_CLOCK_FILE", str(tmp_path / "shop.clock"))  # and the tests' clock: coupons expire
    result = CliRunner().invoke(cli, [
        "prove", "--source", str(REPO / "examples" / "shop"), "--generated", str(REPO / "generated"),
        "--cache", str(REPO / ".mono2lambda" / "serve-cache"), "--json", "--",
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_pricing.py"],
        catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["comparison"]["basis"] == "tests" and not report["comparison"]["lost"]
    assert report["original"]["counts"] == report["strangled"]["counts"]
    assert report["original"]["counts"]["passed"] >= 5
    assert report["calls"]["tax"]["shop.pricing.tax.tax_for_lines"] >= 1
    assert report["invocations"]["shop-tax"] >= 1
    assert {"service": "rates", "operation": "shop.shipping.rates.quote_all"} in report["unreached"]
    assert report["patches"] == []
