"""Benchmark the selection page end to end, in Chromium: DOM size and the time of one edit.

Starts `mono2lambda select --no-browser` from the command line (a fresh process, as users
run it) on a plan, opens the page it prints in headless Chromium (the system's
/usr/bin/chromium, driven by Playwright; never a downloaded browser) at 1,440 x 900, and
measures:

- the page's DOM nodes (elements) once it has shown the plan, and its load time;
- the time of one edit as a person sees it: from the page's move call (what its place
  picker and a drop both call) to the first frame after the new state is drawn (request,
  the server's edit and re-score, JSON, rendering, style, layout), for REPEAT random moves
  of a module to another service, --pause seconds apart (a person reads the new scores
  before the next move; the server uses that time to get the next edit ready).

The plan is the synthetic graph of `score_bench.py` (`--modules`, default 2,000; one
service per package) or, with `--real`, the real plan (Django 5.2 with its tests, about
2,700 modules, benchmarks/real_plan.py). With `--checkout DIR`, the same moves run on the
page and server of another checkout too, alternating which goes first (paired runs), and
the medians of both and of the paired differences are printed.

    .venv/bin/python benchmarks/select_page_bench.py
    .venv/bin/python benchmarks/select_page_bench.py --real --repeat 21
    .venv/bin/python benchmarks/select_page_bench.py --real --checkout ../old-checkout

Exit code 0 when this checkout's median edit meets the goal (300 ms), 1 when it does not,
2 when setup fails (no Chromium, no registry for --real).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
for folder in (REPO_ROOT, REPO_ROOT / "benchmarks"):
    if str(folder) not in sys.path:  # run with a python that has not installed the project
        sys.path.insert(0, str(folder))

from real_plan import DEFAULT_CACHE, SetupError, real_plan
from score_bench import initial_placement, synthetic_graph

from analyzer.boundaries.plan import plan_from_placement

GOAL_MS = 300.0  # one edit, end to end in Chromium
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
VIEWPORT = {"width": 1440, "height": 900}
URL = re.compile(r"http://127\.0\.0\.1:\d+/login\?once=\S+")

# One move through the page's own entry point, then the first frame after it is drawn.
MOVE = """async ([unit, place]) => {
  const started = performance.now();
  const moved = await moveTo(unit, place);
  await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const request = performance.getEntriesByType("resource").filter(entry => entry.name.endsWith("/api/edit")).pop();
  performance.clearResourceTimings();
  return [performance.now() - started, moved !== false && document.getElementById("error").hidden,
          request ? request.responseEnd - request.startTime : 0];
}"""
NODES = "document.getElementsByTagName('*').length"
PLACES = "state.places.map(place => [place.name, place.kind, place.units.map(unit => unit.name)])"


@dataclass
class Side:
    """One checkout's server and page, and what was measured on it."""

    name: str
    checkout: Path
    server: subprocess.Popen[str] | None = None
    page: Any = None
    load_ms: float = 0.0
    nodes_opened: int = 0
    nodes_after: int = 0
    edits: list[float] = field(default_factory=list)
    requests: list[float] = field(default_factory=list)  # of each edit: the request, until the answer's last byte
    failures: int = 0


def start_server(side: Side, plan: Path, graph: Path) -> str:
    """`mono2lambda select` in a fresh process of the side's checkout; the login URL it prints."""
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    environ.update(PYTHONPATH=str(side.checkout.resolve()), PYTHONUNBUFFERED="1")
    side.server = subprocess.Popen(
        [sys.executable, "-m", "mono2lambda", "select", "--plan", str(plan), "--graph", str(graph), "--no-browser"],
        cwd=plan.parent, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert side.server.stdout is not None
    for line in side.server.stdout:
        found = URL.search(line)
        if found:
            return found.group(0)
    raise SetupError(f"`mono2lambda select` ({side.name}) exited {side.server.wait()} without a URL")


def open_page(side: Side, browser: Any, url: str) -> None:
    side.page = browser.new_page(viewport=VIEWPORT)
    started = time.perf_counter()
    side.page.goto(url)
    side.page.wait_for_selector("#metric-icp .value")  # drawn once the state arrived
    side.page.evaluate("new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)))")
    side.load_ms = (time.perf_counter() - started) * 1000
    side.nodes_opened = side.page.evaluate(NODES)


def moves(places: list[list[Any]], repeat: int, seed: int) -> list[tuple[str, str]]:
    """`repeat` moves of a random module to a random other service, replayed on the plan as it goes."""
    rng = random.Random(seed)
    where = {unit: name for name, _, units in places for unit in units}
    services = sorted(name for name, kind, _ in places if kind == "service")
    units = sorted(where)
    chosen = []
    while len(chosen) < repeat:
        unit, service = rng.choice(units), rng.choice(services)
        if where[unit] != service:
            chosen.append((unit, service))
            where[unit] = service
    return chosen


def scratch_plan(args: argparse.Namespace, folder: Path) -> tuple[Path, Path, str]:
    """The graph and plan to edit, and a line that describes them."""
    if args.real:
        real = real_plan(args.cache)
        return real.graph, real.plan, f"real plan, Django 5.2 with its tests ({real.files} files)"
    graph = synthetic_graph(args.modules, args.seed)
    graph_path, plan_path = folder / "graph.json", folder / "boundaries.yaml"
    graph_path.write_text(graph.dumps(), encoding="utf-8")
    plan_path.write_text(plan_from_placement(initial_placement(graph), "app", "module", None).dumps(), encoding="utf-8")
    return graph_path, plan_path, f"synthetic graph of {args.modules} modules"


def run(args: argparse.Namespace, sides: list[Side], folder: Path) -> str:
    from playwright.sync_api import sync_playwright

    graph, plan, described = scratch_plan(args, folder)
    urls = []
    for n, side in enumerate(sides):  # each side edits its own copy of the plan
        copy = folder / f"side{n}" / "boundaries.yaml"
        copy.parent.mkdir(exist_ok=True)
        shutil.copy(plan, copy)
        urls.append(start_server(side, copy, graph))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for side, url in zip(sides, urls, strict=True):
            open_page(side, browser, url)
        chosen = moves(sides[0].page.evaluate(PLACES), args.repeat + 1, args.seed)
        for n, move in enumerate(chosen):
            for side in sides if n % 2 == 0 else sides[::-1]:
                time.sleep(args.pause)
                elapsed, ok, request = side.page.evaluate(MOVE, list(move))
                if n:  # the first move warms up both pages
                    side.edits.append(elapsed)
                    side.requests.append(request)
                side.failures += not ok
        for side in sides:
            side.nodes_after = side.page.evaluate(NODES)
        browser.close()
    return described


def report(described: str, sides: list[Side], pause: float) -> bool:
    print(f"`select` in Chromium, {described}, {len(sides[0].edits)} moves {pause:g} s apart (median of paired runs):")
    for side in sides:
        failed = f"; FAILED EDITS: {side.failures}" if side.failures else ""
        print(f"  {side.name:<8} DOM nodes {side.nodes_opened:,} as opened, {side.nodes_after:,} after the moves; "
              f"load {side.load_ms:,.0f} ms; edit median {statistics.median(side.edits):,.0f} ms "
              f"(min {min(side.edits):,.0f}, max {max(side.edits):,.0f}), of which the request "
              f"{statistics.median(side.requests):,.0f} ms{failed}")
    if len(sides) == 2:
        difference = statistics.median(a - b for a, b in zip(sides[1].edits, sides[0].edits, strict=True))
        print(f"  paired difference ({sides[1].name} - {sides[0].name}): median {difference:,.0f} ms")
    median = statistics.median(sides[0].edits)
    passed = median <= GOAL_MS and not sides[0].failures
    print(f"  edit, this checkout: median {median:,.0f} ms (goal < {GOAL_MS:.0f} ms): {'PASS' if passed else 'FAIL'}")
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between two moves")
    parser.add_argument("--real", action="store_true", help="edit the real plan (Django) instead")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="--real: where Django is kept")
    parser.add_argument("--checkout", type=Path, help="also run another checkout's page and server (paired)")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"setup failed: no {CHROMIUM} (run .ci/install-chromium)")
        return 2
    sides = [Side("this", REPO_ROOT)] + ([Side("other", args.checkout)] if args.checkout else [])
    with tempfile.TemporaryDirectory(prefix="m2l-select-page-") as folder:
        try:
            described = run(args, sides, Path(folder))
        except SetupError as error:
            print(f"setup failed: {error}")
            return 2
        finally:
            for side in sides:
                if side.server is not None:
                    side.server.terminate()
                    side.server.wait(timeout=30)
    return 0 if report(described, sides, args.pause) else 1


if __name__ == "__main__":
    sys.exit(main())
