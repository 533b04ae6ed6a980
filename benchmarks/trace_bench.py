"""Benchmark `mono2lambda trace`: a suite's time under the recorder against its plain time
(target: at most 2x), and how many statically unresolved call sites the trace resolves.

Runs the test command plain and traced in pairs (the order alternating inside each pair),
and prints the medians of the wall time and of the CPU time of the command's processes
(user + system, which a loaded machine disturbs less), their ratios, then what the last
traced run adds to the graph: observed edges, those the static graph lacks, unresolved
call sites resolved.

    .venv/bin/python benchmarks/trace_bench.py                       # the bundled shop, 5 pairs
    .venv/bin/python benchmarks/trace_bench.py --pairs 3 --source APP --env TESTING_DATABASE_URL=sqlite:// \\
        -- APP_VENV/bin/python -m pytest -q -p no:cacheprovider tests/api/v1/test_tags.py

With a command, it runs in --source (the analysed tree, also the working folder unless
--cwd is given). PYTHONDONTWRITEBYTECODE=1 is set for both runs: the app's tree is not
written to.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analyzer.cochange import HistoryOptions
from analyzer.pipeline import AnalyzeOptions, analyze
from analyzer.tracing.edges import add_observed_edges
from analyzer.tracing.mapping import trace_from_records
from analyzer.tracing.run import read_records, tracer_environ

TARGET_RATIO = 2.0
SHOP = REPO / "examples" / "shop"


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float
    exit_code: int


def timed_run(command: Sequence[str], cwd: Path, environ: dict[str, str]) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(list(command), cwd=cwd, env=environ, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu, done.returncode)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--source", type=Path, default=None, help="the analysed tree (default: the bundled shop)")
    parser.add_argument("--cwd", type=Path, default=None, help="where the command runs (default: --source)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("command", nargs="*")
    args = parser.parse_args(argv)
    source = (args.source or SHOP).resolve()
    command = args.command or [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    cwd = (args.cwd or source).resolve()
    environ = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **dict(e.split("=", 1) for e in args.env)}
    with tempfile.TemporaryDirectory(prefix="m2l-trace-bench-") as scratch:
        options = AnalyzeOptions(history=HistoryOptions(enabled=False))
        graph = analyze(source, Path(scratch) / "out", options).load_graph()
        files = sorted({str(graph.attr(m, "file")) for m in graph.nodes("module") if graph.attr(m, "file")})
        plain: list[Timing] = []
        traced: list[Timing] = []
        records = []
        for pair in range(args.pairs):
            for kind in (("plain", "traced") if pair % 2 == 0 else ("traced", "plain")):
                if kind == "plain":
                    plain.append(timed_run(command, cwd, environ))
                    continue
                out = Path(tempfile.mkdtemp(dir=scratch))
                traced.append(timed_run(command, cwd, tracer_environ(environ, out, source, files)))
                records = read_records(out)
            print(f"pair {pair + 1}: plain {plain[-1].wall:.2f} s wall, {plain[-1].cpu:.2f} s cpu; "
                  f"traced {traced[-1].wall:.2f} s wall, {traced[-1].cpu:.2f} s cpu", flush=True)
        codes = {t.exit_code for t in plain + traced}
        trace = trace_from_records(records, graph)
        unresolved = len(graph.unresolved_calls)
        stats = add_observed_edges(graph, trace)
    wall = statistics.median(t.wall for t in traced) / statistics.median(t.wall for t in plain)
    cpu = statistics.median(t.cpu for t in traced) / statistics.median(t.cpu for t in plain)
    print(f"suite: {' '.join(command)}  (exit codes {sorted(codes)})")
    print(f"plain  median {statistics.median(t.wall for t in plain):7.2f} s wall, "
          f"{statistics.median(t.cpu for t in plain):7.2f} s cpu over {len(plain)} runs")
    print(f"traced median {statistics.median(t.wall for t in traced):7.2f} s wall, "
          f"{statistics.median(t.cpu for t in traced):7.2f} s cpu over {len(traced)} runs "
          f"({', '.join(trace.tracers)})")
    verdict = "PASS" if max(wall, cpu) <= TARGET_RATIO else "FAIL"
    print(f"overhead: {wall:.2f}x wall, {cpu:.2f}x cpu   target <= {TARGET_RATIO:g}x  {verdict}")
    print(f"trace: {sum(c.count for c in trace.calls)} calls of project code, {len(trace.tests)} tests, "
          f"{stats.edges} observed edges ({stats.new_edges} the static graph lacks)")
    print(f"unresolved call sites: {unresolved} static, {stats.resolved_sites} resolved by the trace "
          f"({stats.resolved_sites / unresolved:.1%})" if unresolved else "unresolved call sites: none")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
