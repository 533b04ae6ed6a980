"""Benchmark `propose` on a large synthetic graph (target: 5,000 units in <= 5 s).

Builds the same seeded synthetic graph as `score_bench.py` (modules in domains that call
inside their domain far more than across it, with tables and module state), then times
`propose` with the clustering choosing the count and with `--services N`, median of a
few runs each, and prints how many services came out.

    .venv/bin/python benchmarks/propose_bench.py                 # 5,000 modules
    .venv/bin/python benchmarks/propose_bench.py --modules 1000 --repeat 5
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from score_bench import synthetic_graph

from analyzer.boundaries.partition import ProposeOptions, propose

TARGET_S = 5.0


def timed(repeat: int, run) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    graph = synthetic_graph(args.modules, args.seed)
    print(f"synthetic graph: {args.modules} modules, {len(graph.nodes())} nodes, "
          f"{sum(graph.count_edges().values())} edges, built in {time.perf_counter() - start:.2f} s")
    failed = False
    for label, options in (("propose (clustering picks the count)", ProposeOptions(seed=args.seed)),
                           ("propose --services 20", ProposeOptions(services=20, seed=args.seed))):
        seconds, placement = timed(args.repeat, lambda o=options: propose(graph, options=o))
        verdict = "PASS" if seconds <= TARGET_S else "FAIL"
        failed |= seconds > TARGET_S
        print(f"{label:<40} median {seconds:6.2f} s over {args.repeat} runs, "
              f"{len(placement.services())} services   target <= {TARGET_S:g} s  {verdict}")  # type: ignore[attr-defined]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
