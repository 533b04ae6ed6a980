"""Benchmark the selection page's server side: one edit, then the page's whole state.

Builds the synthetic 1,000-module graph of `score_bench.py` and a plan of one service
per package (exact module names, as `propose` writes them), opens a `Session` (the
`ScoringContext` is built once), then times `session.edit("move", ...)` (the
comment-keeping plan edit, the check against the graph, assignment and the re-score)
followed by `session.state()` (what `POST /api/edit` answers), for 20 different moves,
and prints the median against the target. JSON encoding is timed apart.

With `--real`, the same on a real plan: Django 5.2 with its tests (about 2,700 modules),
proposed and then edited by a few `plan move`s (benchmarks/real_plan.py), against the
goal for a real plan, 300 ms (in process: the browser's share is not measured).

    .venv/bin/python benchmarks/select_bench.py
    .venv/bin/python benchmarks/select_bench.py --modules 3000 --repeat 50
    .venv/bin/python benchmarks/select_bench.py --real

Exit code 0 when the median meets the target, 1 when it does not, 2 when --real's setup fails.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
for folder in (REPO_ROOT, REPO_ROOT / "benchmarks"):
    if str(folder) not in sys.path:  # run with a python that has not installed the project
        sys.path.insert(0, str(folder))

from real_plan import DEFAULT_CACHE, SetupError, real_plan
from score_bench import initial_placement, synthetic_graph

from analyzer.boundaries.plan import plan_from_placement, read_plan
from analyzer.graph import CodeGraph
from mono2lambda.web.session import Session

TARGET_MS = 500.0  # "a fraction of a second" between a drop and the new scores
REAL_TARGET_MS = 300.0  # on the real plan (Django with its tests)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--real", action="store_true", help="edit the real plan (Django) instead")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="--real: where Django is kept")
    args = parser.parse_args(argv)

    target = REAL_TARGET_MS if args.real else TARGET_MS
    if args.real:
        try:
            real = real_plan(args.cache)
        except SetupError as error:
            print(f"setup failed: {error}")
            return 2
        graph, doc = CodeGraph.load(real.graph), read_plan(real.plan)
        described = f"real plan, Django 5.2 with its tests ({len(graph.nodes('module'))} modules)"
    else:
        graph = synthetic_graph(args.modules, args.seed)
        doc = plan_from_placement(initial_placement(graph), "app", "module", None)
        described = f"synthetic graph of {args.modules} modules"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "boundaries.yaml"
        path.write_text(doc.dumps(), encoding="utf-8")
        opened = time.perf_counter()
        session = Session(graph, doc, path)
        ready = (time.perf_counter() - opened) * 1000
        rng = random.Random(args.seed)
        units, services = list(session.context.units), sorted(service.name for service in doc.plan.services)
        edits, states, encodings, why = [], [], [], []
        for _ in range(args.repeat):
            move = {"unit": rng.choice(units), "service": rng.choice(services)}
            edits.append(timed(lambda move=move: session.edit("move", move)))
            states.append(timed(session.state))
            encodings.append(timed(lambda: json.dumps(session.state(), sort_keys=True)))
        why.append(timed(lambda: session.why(units[0])))
        save = timed(session.save)
        undo = timed(session.undo)
    total = [e + s for e, s in zip(edits, states, strict=True)]
    median = statistics.median(total)
    size = len(json.dumps(session.state()))
    print(f"{described}; plan: {len(doc.dumps().splitlines())} lines, "
          f"{len(services)} services; session opened in {ready:.0f} ms")
    print(f"edit(move): median {statistics.median(edits):.1f} ms; state(): median {statistics.median(states):.1f} ms; "
          f"state() + JSON: median {statistics.median(encodings):.1f} ms ({size / 1024:.0f} KiB)")
    print(f"edit + state, {args.repeat} runs: median {median:.1f} ms, min {min(total):.1f} ms, max {max(total):.1f} ms "
          f"({median / target:.2f} of the target {target:.0f} ms): {'PASS' if median <= target else 'FAIL'}")
    print(f"undo {undo:.1f} ms, save {save:.1f} ms, why {why[0]:.0f} ms")
    return 0 if median <= target else 1


if __name__ == "__main__":
    sys.exit(main())
