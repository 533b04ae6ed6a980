"""Per-call cost of the `local` transport: a worker process per service (now) against the
in-process `sys.modules` swapping it replaced (the runtime of an older commit).

A tiny monolith and package (one operation, `add(a: int, b: int) -> int`) are laid out in
a scratch folder as extract lays them out, once with this checkout's runtime and once with
the runtime of `--old` (a git revision); each is timed in a fresh process: a warm-up call
(starts the worker), then `--rounds` rounds of `--calls` sequential calls through the
proxy; the figure is the median of the rounds' per-call means, in microseconds.

    .venv/bin/python benchmarks/local_transport_bench.py
    .venv/bin/python benchmarks/local_transport_bench.py --old e10b47e --calls 2000 --rounds 7

Goal: isolation first; the old transport aimed at under 50 µs a call. Exit code 0.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).parents[1]
RUNTIME = REPO / "extractor" / "runtime" / "m2l_runtime"
SERVICE = "def add(a: int, b: int) -> int:\n    return a + b\n"
PROXY = ("from m2l_runtime import client as _c\n\n\ndef add(a: int, b: int) -> int:\n"
         "    return _c.call('calc', 'toy.calc.add', add, {'a': a, 'b': b})\n")
HANDLER = ("from m2l_runtime.service import Operation, Service\n"
           "service = Service('calc', {'toy.calc.add': Operation('toy.calc', 'add')})\n\n\n"
           "def handler(event, context):\n    return service.handle(event, context)\n")
TIMER = """
import json, statistics, sys, time
from toy import calc
calls, rounds = int(sys.argv[1]), int(sys.argv[2])
started = time.perf_counter()
assert calc.add(1, 2) == 3
first = time.perf_counter() - started
means = []
for _ in range(rounds):
    started = time.perf_counter()
    for i in range(calls):
        calc.add(i, 1)
    means.append((time.perf_counter() - started) / calls * 1e6)
print(json.dumps({"first_ms": first * 1000, "median_us": statistics.median(means), "rounds_us": means}))
"""


def layout(root: Path, runtime_files: dict[str, str]) -> Path:
    monolith, src = root / "monolith", root / "calc" / "src"
    for base, code in ((monolith, PROXY), (src, SERVICE)):
        (base / "toy").mkdir(parents=True)
        (base / "toy" / "__init__.py").write_text("")
        (base / "toy" / "calc.py").write_text(code)
        (base / "m2l_runtime").mkdir()
        for name, text in runtime_files.items():
            (base / "m2l_runtime" / name).write_text(text)
    (src / "handler.py").write_text(HANDLER)
    config = {"services": {"calc": {"function": "toy-calc", "package": "../calc/src", "timeout": 30}}}
    (monolith / "m2l_runtime" / "services.json").write_text(json.dumps(config))
    return monolith


def runtime_at(revision: str | None) -> dict[str, str]:
    if revision is None:
        return {p.name: p.read_text() for p in RUNTIME.glob("*.py")}
    listing = subprocess.run(["git", "ls-tree", "--name-only", f"{revision}:extractor/runtime/m2l_runtime"],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    return {name: subprocess.run(["git", "show", f"{revision}:extractor/runtime/m2l_runtime/{name}"], cwd=REPO,
                                 capture_output=True, text=True, check=True).stdout
            for name in listing if name.endswith(".py")}


def measure(runtime_files: dict[str, str], calls: int, rounds: int) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="m2l-local-bench-"))
    try:
        monolith = layout(root, runtime_files)
        env = {"PATH": "", "M2L_TRANSPORT": "local", "PYTHONPATH": str(monolith), "POWERTOOLS_LOG_LEVEL": "ERROR"}
        done = subprocess.run([sys.executable, "-c", TIMER, str(calls), str(rounds)], cwd=monolith, env=env,
                              capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", default="e10b47e", help="git revision of the in-process transport")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    old = measure(runtime_at(args.old), args.calls, args.rounds)
    new = measure(runtime_at(None), args.calls, args.rounds)
    print(f"in-process swapping ({args.old}): {old['median_us']:8.1f} µs a call (first call {old['first_ms']:.0f} ms)")
    print(f"worker process (this checkout): {new['median_us']:8.1f} µs a call (first call {new['first_ms']:.0f} ms, "
          "starts the worker)")
    print(f"ratio {new['median_us'] / old['median_us']:.2f}x; goal of the old transport: < 50 µs "
          f"({'met' if new['median_us'] < 50 else 'not met'} now; isolation comes first)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
