"""The command line through click's CliRunner: help, analyze, exports, cache, errors."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from analyzer.errors import InputError
from analyzer.pipeline import AnalyzeOptions, analyze
from mono2lambda.cli import cli

SAMPLE = {
    "billing.py": (
        "def total(prices):\n"
        "    return sum(prices)\n"
    ),
    "orders.py": (
        "import billing as bl\n"
        "from billing import total as sum_up\n"
        "\n"
        "CART = []\n"
        "\n"
        "\n"
        "def add(item):\n"
        "    CART.append(item)\n"
        "\n"
        "\n"
        "def checkout():\n"
        "    return bl.total(CART) + sum_up([1])\n"
    ),
}
SUMMARY_KEYS = {"files", "functions", "edges", "resolved_share", "data", "coupled_modules",
                "diagnostics"}


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    root = tmp_path / "sample"
    root.mkdir()
    for name, text in SAMPLE.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def analyze_ok(src: Path, out: Path, *args: str, code: int = 0) -> Result:
    result = run("analyze", str(src), "--out", str(out), "--jobs", "1", *args)
    assert result.exit_code == code, result.output
    return result


# -- help ---------------------------------------------------------------------------------
def test_group_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "Analyze a Python monolith" in result.output
    assert "analyze" in result.output and "demo" in result.output
    assert "--debug" in result.output


def test_analyze_help_says_what_it_does() -> None:
    text = run("analyze", "--help").output
    assert "call and data-dependency graph" in text
    assert "graph.json" in text and "Never" in text  # never runs or changes the analyzed code
    for option in ("--out", "--format", "--export", "--include-tests", "--exclude", "--jobs",
                   "--max-file-size", "--no-cache"):
        assert option in text, option
    assert "graphml" in text and "callgraph-json" in text


def test_demo_help_says_what_it_does() -> None:
    result = run("demo", "--help")
    assert result.exit_code == 0
    assert "bundled example monolith" in result.output


# -- analyze ------------------------------------------------------------------------------
def test_analyze_prints_the_summary_and_writes_the_graph(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    words = analyze_ok(sample, out).stdout.split()  # rich wraps lines to the terminal's width
    text = " ".join(words)
    assert "Analyzed sample: 2 files" in text
    assert "3 functions and methods" in text
    assert "Diagnostics: none" in text
    assert f"Graphwrittento{out / 'graph.json'}" in "".join(words)
    document = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    assert document  # the schema itself is the graph's own tests' business
    graph = analyze(sample, out, AnalyzeOptions(jobs=1)).load_graph()
    assert graph.has_dependency("orders.checkout", "billing.total", "calls")
    assert graph.has_dependency("orders", "billing", "imports")


def test_json_format_prints_the_summary_as_json(sample: Path, tmp_path: Path) -> None:
    summary = json.loads(analyze_ok(sample, tmp_path / "out", "--format", "json").stdout)
    assert set(summary) >= SUMMARY_KEYS
    assert summary["files"] == 2
    assert summary["functions"] == 3
    assert 0 < summary["resolved_share"] <= 1
    share = summary["call_sites_resolved"] / summary["call_sites"]
    assert summary["resolved_share"] == round(share, 4)
    assert summary["edges"]["calls"] >= 1
    assert summary["diagnostics"] == []
    [cart] = summary["data"]
    assert cart["id"] == "orders.CART" and cart["writers"] == ["orders.add"]
    assert summary["coupled_modules"] == [{"modules": ["billing", "orders"], "calls": 2}]


def test_json_format_keeps_stdout_clean_for_diagnostics(sample: Path, tmp_path: Path) -> None:
    (sample / "broken.py").write_text("def f(:\n")
    summary = json.loads(analyze_ok(sample, tmp_path / "out", "--format", "json", code=1).stdout)
    assert [(d["file"], d["line"], d["code"]) for d in summary["diagnostics"]] == [
        ("broken.py", 1, "syntax-error")]
    assert summary["files_unparsed"] == 1


def test_a_file_that_does_not_parse_is_counted_and_fails_analyze(sample: Path, tmp_path: Path) -> None:
    (sample / "broken.py").write_text("def f(:\n")
    text = " ".join(analyze_ok(sample, tmp_path / "out", code=1).stdout.split())
    assert "1 file did not parse" in text and "broken.py:1: error" in text
    again = " ".join(analyze_ok(sample, tmp_path / "out", code=1).stdout.split())  # from the cache: the same
    assert "1 file did not parse" in again


def test_export_graphml(sample: Path, tmp_path: Path) -> None:
    target = tmp_path / "graph.graphml"
    analyze_ok(sample, tmp_path / "out", "--export", "graphml", str(target))
    root = ET.parse(target).getroot()
    assert root.tag.endswith("graphml")
    ids = {node.get("id") for node in root.iter() if node.tag.endswith("node")}
    assert {"orders.checkout", "billing.total"} <= ids
    edges = {(e.get("source"), e.get("target")) for e in root.iter() if e.tag.endswith("edge")}
    assert ("orders.checkout", "billing.total") in edges


def test_export_dot(sample: Path, tmp_path: Path) -> None:
    target = tmp_path / "graph.dot"
    analyze_ok(sample, tmp_path / "out", "--export", "dot", str(target))
    text = target.read_text(encoding="utf-8")
    assert text.startswith("digraph")
    assert text.rstrip().endswith("}")
    assert "orders.checkout" in text and "billing.total" in text


def test_export_callgraph_json(sample: Path, tmp_path: Path) -> None:
    target = tmp_path / "calls.json"
    analyze_ok(sample, tmp_path / "out", "--export", "callgraph-json", str(target))
    calls = json.loads(target.read_text(encoding="utf-8"))
    assert calls["orders.checkout"] == ["billing.total"]
    assert all(isinstance(v, list) for v in calls.values())


def test_several_exports_at_once(sample: Path, tmp_path: Path) -> None:
    analyze_ok(sample, tmp_path / "out", "--export", "dot", str(tmp_path / "g.dot"),
               "--export", "graphml", str(tmp_path / "g.graphml"))
    assert (tmp_path / "g.dot").is_file() and (tmp_path / "g.graphml").is_file()


# -- cache and determinism ----------------------------------------------------------------
def test_second_run_reuses_the_cache(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = analyze(sample, out, AnalyzeOptions(jobs=1))
    second = analyze(sample, out, AnalyzeOptions(jobs=1))
    assert not first.reused and second.reused
    assert second.stats.cached == 2 and second.stats.parsed == 0
    assert second.summary == first.summary
    assert not analyze(sample, out, AnalyzeOptions(jobs=1, use_cache=False)).reused


def test_second_cli_run_prints_the_same(sample: Path, tmp_path: Path) -> None:
    first = analyze_ok(sample, tmp_path / "out", "--format", "json")
    graph = (tmp_path / "out" / "graph.json").read_bytes()
    second = analyze_ok(sample, tmp_path / "out", "--format", "json")
    assert second.stdout == first.stdout
    assert (tmp_path / "out" / "graph.json").read_bytes() == graph


def test_a_changed_file_is_analyzed_again(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    analyze(sample, out, AnalyzeOptions(jobs=1))
    (sample / "billing.py").write_text(
        "def total(prices):\n    return 0\n\n\ndef tax():\n    return 1\n")
    again = analyze(sample, out, AnalyzeOptions(jobs=1))
    assert not again.reused
    assert again.stats.parsed == 1 and again.stats.cached == 1
    assert "billing.tax" in again.load_graph().nodes("function")


def test_cold_runs_are_byte_identical(sample: Path, tmp_path: Path) -> None:
    """No timestamps, no absolute paths: the same tree elsewhere gives the same bytes."""
    elsewhere = tmp_path / "copy" / "sample"
    elsewhere.mkdir(parents=True)
    for name in sorted(SAMPLE, reverse=True):  # a different creation order, too
        (elsewhere / name).write_text(SAMPLE[name], encoding="utf-8")
    analyze_ok(sample, tmp_path / "one")
    analyze_ok(elsewhere, tmp_path / "two", "--no-cache")
    one = (tmp_path / "one" / "graph.json").read_bytes()
    assert one == (tmp_path / "two" / "graph.json").read_bytes()
    assert str(tmp_path).encode() not in one


# -- errors -------------------------------------------------------------------------------
def test_missing_src_exits_2_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = run("analyze", str(missing), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and str(missing) in lines[0]
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, InputError)  # handled, not raised


def test_debug_lets_the_error_through(tmp_path: Path) -> None:
    result = run("--debug", "analyze", str(tmp_path / "nowhere"))
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError)


def test_debug_shows_a_traceback(tmp_path: Path) -> None:
    """The real process: with --debug a person sees the traceback, without it one line."""
    command = [sys.executable, "-m", "mono2lambda", "analyze", str(tmp_path / "nowhere")]
    plain = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    debug = subprocess.run(command[:3] + ["--debug"] + command[3:], capture_output=True, text=True,
                           cwd=tmp_path, timeout=60)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    assert debug.returncode != 0
    assert "Traceback (most recent call last)" in debug.stderr
    assert "InputError" in debug.stderr


@pytest.mark.parametrize("broken", [False, True])
def test_the_real_process_ends_with_its_output_and_exit_code(sample: Path, tmp_path: Path, broken: bool) -> None:
    """`analyze` from the command line leaves its objects to the operating system (os._exit,
    analyzer/teardown.py): everything printed and written is still there, and the exit code is
    the command's (1: a file did not parse)."""
    if broken:
        (sample / "broken.py").write_text("def f(:\n", encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "mono2lambda", "analyze", str(sample), "--out", str(out), "--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == (1 if broken else 0), done.stderr
    printed = json.loads(done.stdout)
    assert printed == json.loads((out / "summary.json").read_text(encoding="utf-8"))["summary"]
    assert ("broken.py" in json.dumps(printed["diagnostics"])) == broken
    assert json.loads((out / "graph.json").read_text(encoding="utf-8"))["nodes"]


def test_a_profiler_still_gets_its_results(sample: Path, tmp_path: Path) -> None:
    """Under cProfile the process ends as usual, so the profile it writes at exit is there."""
    profile = tmp_path / "analyze.prof"
    command = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "mono2lambda", "analyze", str(sample),
               "--out", str(tmp_path / "out"), "-q"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert profile.stat().st_size > 0


@pytest.mark.parametrize("case", ["out-is-a-file", "export-folder-missing"])
def test_unwritable_output_paths_exit_2_with_one_line(sample: Path, tmp_path: Path,
                                                     case: str) -> None:
    out, export = tmp_path / "out", tmp_path / "calls.json"
    if case == "out-is-a-file":
        out.write_text("not a folder\n")
    else:
        export = tmp_path / "no" / "such" / "folder" / "calls.json"
    result = run("analyze", str(sample), "--out", str(out),
                 "--export", "callgraph-json", str(export))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output


def test_bad_option_values_are_usage_errors(sample: Path) -> None:
    assert run("analyze", str(sample), "--format", "yaml").exit_code == 2
    assert run("analyze", str(sample), "--jobs", "0").exit_code == 2
    assert run("analyze", str(sample), "--export", "svg", "x.svg").exit_code == 2


def test_an_internal_error_is_one_line_and_exit_code_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mono2lambda.cli

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("analyzer.pipeline.analyze", broken)  # the command imports it when it runs
    (tmp_path / "m.py").write_text("x = 1\n")
    result = CliRunner().invoke(mono2lambda.cli.cli, ["analyze", str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 3
    assert "internal error: RuntimeError: boom" in result.output
    assert "Traceback" not in result.output


def test_demo_outside_a_checkout_says_where_the_example_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed mono2lambda (pip, pipx) has no examples/: the demo says so instead of failing later."""
    from mono2lambda import demo

    monkeypatch.setattr(demo, "EXAMPLE", tmp_path / "site-packages" / "examples" / "shop")
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "example shop of a mono2lambda checkout" in result.output and "make demo" in result.output
    assert not (tmp_path / "out").exists()
