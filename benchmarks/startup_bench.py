"""Startup of the command line: `mono2lambda --help` and `plan show` against `python -c pass`.

Analyzes the example shop once into a scratch folder (its graph; the plan is the shop's
reviewed `examples/shop/boundaries.yaml`), then runs, REPEAT times in turn: `python -c
pass`, `python -m mono2lambda --help` and `python -m mono2lambda plan show` on that graph
and plan. Each command is a fresh process, timed from start to exit (wall clock). Printed:
the median of each, and the median of the paired differences to `python -c pass` (the
time mono2lambda itself adds), against the goal. As on a user's machine, compiled
bytecode is kept (a first, untimed round writes it, whatever PYTHONDONTWRITEBYTECODE says).

    .venv/bin/python benchmarks/startup_bench.py
    .venv/bin/python benchmarks/startup_bench.py --repeat 41
    .venv/bin/python benchmarks/startup_bench.py --checkout ../old-checkout   # another checkout's CLI

Exit code 0 when every command is within the goal, 1 when one is not, 2 when setup fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = REPO_ROOT / "examples" / "shop"
GOAL_MS = 150.0  # above `python -c pass`


def timed(command: list[str], environ: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=environ, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - started) * 1000
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {result.returncode}: {result.stderr.decode()[-500:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--checkout", type=Path, default=REPO_ROOT, help="the checkout whose CLI is run")
    args = parser.parse_args(argv)

    # As users run it: bytecode cached (a first, untimed round writes it; PYTHONDONTWRITEBYTECODE is dropped).
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")}
    environ["PYTHONPATH"] = str(args.checkout.resolve())
    cli = [sys.executable, "-m", "mono2lambda"]
    with tempfile.TemporaryDirectory(prefix="m2l-startup-") as folder:
        scratch = Path(folder)
        graph = scratch / "out" / "graph.json"
        try:
            subprocess.run([*cli, "analyze", str(EXAMPLE), "--out", str(graph.parent), "--no-cache"], env=environ,
                           cwd=scratch, check=True, capture_output=True, timeout=300)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            print(f"setup failed: analyze of the example shop: {error}")
            return 2
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "mono2lambda --help": [*cli, "--help"],
            "mono2lambda plan show": [*cli, "plan", "show", "--graph", str(graph),
                                      "--plan", str(EXAMPLE / "boundaries.yaml")],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        try:
            for command in commands.values():
                timed(command, environ, scratch)
            for _ in range(args.repeat):
                for name, command in commands.items():
                    times[name].append(timed(command, environ, scratch))
        except RuntimeError as error:
            print(f"failed: {error}")
            return 1
    floor = times["python -c pass"]
    print(f"startup, {args.repeat} paired runs (wall clock, fresh processes), checkout {args.checkout}:")
    print(f"  {'python -c pass':<24} median {statistics.median(floor):6.1f} ms")
    passed = True
    for name in list(commands)[1:]:
        above = statistics.median(t - f for t, f in zip(times[name], floor, strict=True))
        ok = above < GOAL_MS
        passed &= ok
        print(f"  {name:<24} median {statistics.median(times[name]):6.1f} ms; above python -c pass: {above:6.1f} ms "
              f"({statistics.median(times[name]) / statistics.median(floor):.1f}x) "
              f"(goal < {GOAL_MS:.0f} ms): {'PASS' if ok else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
