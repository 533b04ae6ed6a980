"""The report and the terminal on a real codebase of more than 2,000 modules: Django 5.2 with its tests.

Uses the Django tree of `real_plan.py` (Django 5.2's source distribution from PyPI, 2,818
files, about 2,700 modules; downloaded once into --cache) and runs the real commands, as a
user would, into a folder of its own:

- `mono2lambda analyze --include-tests` (default output, then `-v` and `-q`) and
  `mono2lambda propose`: the lines each prints when its output is not a terminal;
- `mono2lambda report`: the HTML's size and the command's wall time;
- the report in headless Chromium (the system's /usr/bin/chromium) at 1,440 x 900: load
  time (`goto` to the `load` event, median of --repeat loads), elements, page width, and
  page height as opened, with every section collapsed and with every section expanded.

    .venv/bin/python benchmarks/report_bench.py
    .venv/bin/python benchmarks/report_bench.py --repeat 5 --cache ~/.cache/m2l-bench

Exit code 0 when the page fits the window's width and its collapsed height is under 2,000
px, 1 when not, 2 when setup fails (no registry, no Chromium).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
for folder in (REPO_ROOT, REPO_ROOT / "benchmarks"):
    if str(folder) not in sys.path:  # run with a python that has not installed the project
        sys.path.insert(0, str(folder))

from real_plan import DEFAULT_CACHE, SetupError, django_source

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
WINDOW = {"width": 1440, "height": 900}
COLLAPSED_GOAL = 2_000  # px: every section closed, whatever the size of the codebase
CLI = [sys.executable, "-m", "mono2lambda"]
SIZE = "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"


def run(command: list[str], cwd: Path) -> tuple[str, float]:
    """Run a command as a user would (output to a pipe, not a terminal); its stdout and wall time.
    Exit 1 is a result here (Django's tests hold files that do not parse on purpose)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COLUMNS")}
    environ["PYTHONPATH"] = str(REPO_ROOT)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=environ, capture_output=True, text=True, timeout=3600)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise SetupError(f"{' '.join(command[2:4])} failed (exit {result.returncode}): {result.stderr[-600:]}")
    return result.stdout, elapsed


def terminal(tree: Path, out: Path) -> dict[str, int]:
    """Lines printed by analyze (default, -v, -q) and propose, outside a terminal."""
    graph, plan = out / "graph.json", out / "boundaries.yaml"
    lines = {}
    for flags in ([], ["-v"], ["-q"]):  # the first run fills the cache; the others print the same analysis
        printed, _ = run([*CLI, "analyze", str(tree), "--include-tests", "--out", str(out), *flags], out.parent)
        lines[" ".join(["analyze", *flags])] = len(printed.splitlines())
    plan.unlink(missing_ok=True)
    printed, _ = run([*CLI, "propose", "--graph", str(graph), "--plan", str(plan)], out.parent)
    lines["propose"] = len(printed.splitlines())
    return lines


def browse(report: Path, repeat: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        loads = []
        for _ in range(repeat):
            page = browser.new_page(viewport=WINDOW)
            started = time.perf_counter()
            page.goto(report.as_uri(), wait_until="load")
            loads.append(time.perf_counter() - started)
            page.close()
        page = browser.new_page(viewport=WINDOW)
        page.goto(report.as_uri(), wait_until="load")
        width, opened = page.evaluate(SIZE)
        elements = page.evaluate("document.getElementsByTagName('*').length")
        page.click("#collapse-all")
        collapsed_width, collapsed = page.evaluate(SIZE)
        page.click("#expand-all")
        expanded_width, expanded = page.evaluate(SIZE)
        browser.close()
    return {"load": statistics.median(loads), "width": max(width, collapsed_width, expanded_width),
            "opened": opened, "collapsed": collapsed, "expanded": expanded, "elements": elements}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where Django and its analysis are kept")
    parser.add_argument("--repeat", type=int, default=5, help="loads of the report in Chromium")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"setup failed: no {CHROMIUM} (run .ci/install-chromium)")
        return 2
    try:
        tree = django_source(args.cache.resolve())
        out = args.cache.resolve() / "report"
        out.mkdir(parents=True, exist_ok=True)
        lines = terminal(tree, out)
        report = out / "report.html"
        _, built = run([*CLI, "report", "--graph", str(out / "graph.json"), "--plan", str(out / "boundaries.yaml"),
                        "-o", str(report)], out.parent)
    except SetupError as error:
        print(f"setup failed: {error}")
        return 2
    page = browse(report, args.repeat)
    files = sum(1 for _ in tree.rglob("*.py"))
    print(f"Django 5.2 with its tests ({files:,} files), command line, output not a terminal:")
    for command, count in lines.items():
        print(f"  mono2lambda {command:<12} {count:6,} lines")
    print(f"  mono2lambda report       {report.stat().st_size / 1e6:6.2f} MB of HTML in {built:.1f} s")
    print(f"report in Chromium at {WINDOW['width']} x {WINDOW['height']} px:")
    print(f"  load (goto to load), median of {args.repeat}: {page['load']:.2f} s; {page['elements']:,} elements")
    print(f"  page height: {page['opened']:,} px as opened, {page['collapsed']:,} px with every section collapsed, "
          f"{page['expanded']:,} px with every section expanded; width {page['width']:,} px")
    fits = page["width"] <= WINDOW["width"] and page["collapsed"] < COLLAPSED_GOAL
    print(f"  fits the window's width and collapses under {COLLAPSED_GOAL:,} px: {'PASS' if fits else 'FAIL'}")
    return 0 if fits else 1


if __name__ == "__main__":
    sys.exit(main())
