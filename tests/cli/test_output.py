"""What the commands print on a large codebase: short lists by default with "… and N more",
everything with -v, the counts and the verdict with -q, hazards grouped by kind, names
never cut when the output is not a terminal, and the next step at the end."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from analyzer.boundaries.hazards import Finding
from analyzer.pipeline import AnalyzeOptions, analyze
from mono2lambda.cli import cli
from mono2lambda.render import INSTANCES_SHOWN, TOP, make_console, print_findings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "shop"
MODULES = 40  # pairs of modules in the synthetic app: lib{i} (called) and user{i} (calling)
LONG = "a_module_whose_name_is_much_longer_than_eighty_columns_so_that_a_pipe_would_cut_it_off"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic app: MODULES modules with their own module state, each called from another
    module with a callable (a hazard once they are in two services), one very long name."""
    root = tmp_path_factory.mktemp("big")
    pkg = root / "app" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "state.py").write_text("COUNTS: dict[int, int] = {}\n")
    for i in range(MODULES):
        (pkg / f"lib{i}.py").write_text(
            "from collections.abc import Callable\n\nfrom pkg import state\n\n"
            f"SEEN_{i}: list[int] = []\n\n\n"
            f"def op_{i}(callback: Callable[[], int]) -> int:\n"
            f"    SEEN_{i}.append(1)\n    state.COUNTS[{i}] = 1\n    return callback()\n")
        (pkg / f"user{i}.py").write_text(
            f"from pkg import state\nfrom pkg.lib{i} import op_{i}\n\n\n"
            f"def use_{i}() -> int:\n    state.COUNTS[{i}] = 2\n    return op_{i}(lambda: {i})\n")
    (pkg / f"{LONG}.py").write_text("REGISTRY_OF_EVERYTHING_WITH_A_LONG_NAME: dict[str, int] = {}\n\n\n"
                                     "def register(name: str) -> None:\n"
                                     "    REGISTRY_OF_EVERYTHING_WITH_A_LONG_NAME[name] = 1\n")
    out = root / "out"
    analyze(root / "app", out, AnalyzeOptions(use_cache=False))
    plan = root / "boundaries.yaml"
    plan.write_text("version: 1\nsource: app\nunit: module\nservices:\n"
                    "  libs:\n    modules:\n      - pkg.lib*\n"
                    "  users:\n    modules:\n      - pkg.user*\n")
    return root


def lines(text: str) -> int:
    return len(text.splitlines())


def test_analyze_is_short_by_default_complete_with_v_and_counts_only_with_q(big: Path) -> None:
    src, out = str(big / "app"), str(big / "out")
    code, default = run("analyze", src, "--out", out)
    assert code == 0, default
    assert f"Data entities: the {TOP} written by the most modules" in default
    assert "… and " in default and "more (see `mono2lambda analyze --format json`" in default
    assert lines(default) < 50
    assert "Next:" in default and "mono2lambda propose --graph" in default

    code, verbose = run("analyze", src, "--out", out, "-v")
    assert code == 0 and "… and " not in verbose
    assert all(f"pkg.lib{i}.SEEN_{i}" in verbose for i in range(MODULES))
    assert lines(verbose) > MODULES + 20
    # captured output is not a terminal: the longest name is printed whole, on one line
    assert f"pkg.{LONG}.REGISTRY_OF_EVERYTHING_WITH_A_LONG_NAME" in verbose and "…" not in verbose

    code, quiet = run("analyze", src, "--out", out, "-q")
    assert code == 0 and lines(quiet) <= 4 and "Analyzed" in quiet and "Graph written" in quiet
    assert "Next:" not in quiet

    code, both = run("analyze", src, "--out", out, "-q", "-v")
    assert code == 2 and "do not go together" in both


def test_plan_score_groups_hazards_by_kind(big: Path) -> None:
    args = ("--graph", str(big / "out" / "graph.json"), "--plan", str(big / "boundaries.yaml"))
    code, default = run("plan", "score", *args)
    assert code == 1, default
    assert "wire-unsafe-type: " in default and "    fix: " in default
    assert "more (see `--format json` or the report, or -v)" in default
    code, verbose = run("plan", "score", *args, "-v")
    assert all(f"pkg/lib{i}.py:" in verbose for i in range(MODULES))
    assert lines(default) < 40 < 2 * MODULES < lines(verbose)
    assert "blocking hazards: extract refuses the plan" in default
    assert "mono2lambda plan why MODULE" in default
    code, quiet = run("plan", "score", *args, "-q")
    assert code == 1 and lines(quiet) < 10 and "blocking" in quiet and "fix:" not in quiet


def test_propose_and_analyze_on_the_shop(tmp_path: Path) -> None:
    code, output = run("analyze", str(EXAMPLE), "--out", str(tmp_path / "out"))
    assert code == 0 and re.search(r"… and \d+ more", output) and lines(output) < 60
    graph = str(tmp_path / "out" / "graph.json")
    code, output = run("propose", "--graph", graph, "--plan", str(tmp_path / "b.yaml"))
    assert code == 0, output
    assert "Hazards: " in output and "cross-service-transaction: " in output
    assert "mono2lambda plan show" in output and "mono2lambda select" in output and "mono2lambda report" in output
    code, verbose = run("propose", "--graph", graph, "--plan", str(tmp_path / "b.yaml"), "-v")
    assert lines(output) < 100 < lines(verbose)
    code, quiet = run("propose", "--graph", graph, "--plan", str(tmp_path / "b.yaml"), "-q")
    assert lines(quiet) == 3 and "hazards" in quiet


def findings(kinds: int = 6, each: int = 228) -> list[Finding]:
    return [Finding(f"kind-{k}", "error" if k < 2 else "warning", f"pkg/m{i}.py:{i + 1}", f"pkg.m{i}", "svc",
                    f"problem {i} of kind {k}", f"the fix of kind {k}") for k in range(kinds) for i in range(each)]


def test_1366_hazards_of_6_kinds_fit_on_one_screen() -> None:
    buffer = StringIO()
    print_findings(Console(file=buffer, width=100), findings(), more="`--format json`")
    text = buffer.getvalue()
    assert text.startswith("Hazards: 1368 of 6 kinds (456 errors, 912 warnings)")
    assert lines(text) == 1 + 6 * (1 + 1 + INSTANCES_SHOWN + 1)
    assert text.count("fix: the fix of kind 0") == 1
    assert text.count(f"… and {228 - INSTANCES_SHOWN} more") == 6


def test_a_console_outside_a_terminal_never_cuts_or_wraps() -> None:
    console = make_console()
    assert not console.is_terminal and console.width > 10_000


def test_a_console_prints_emoji_codes_as_written() -> None:
    console = make_console()
    with console.capture() as captured:
        console.print("app.views:ok: unresolved name :x:", markup=False, highlight=False)
        console.print("[bold]Analyzed :ok:[/bold]")
    assert captured.get() == "app.views:ok: unresolved name :x:\nAnalyzed :ok:\n"
