"""Per-call cost of the `local` transport (a worker process per service), with few and with
many modules loaded in the caller.

A tiny monolith and package (one operation, `add(a: int, b: int) -> int`) are laid out in
a scratch folder as extract lays them out, with this checkout's runtime (and, with
`--baseline REV`, once more with the runtime of that git revision). Each figure is timed
in fresh processes: the caller imports `--modules` small modules of its own (the issue:
the old transport scanned `sys.modules` on every call), makes a warm-up call (which starts
the worker), then `--rounds` rounds of `--calls` sequential calls through the proxy; a
process's figure is the median of its rounds' per-call means, in microseconds, and the CPU
time the caller and the worker spent per call (what a busy machine's scheduling does not
change; read from /proc for the worker, Linux only). `--repeat`
processes per figure, alternating with the baseline's when there is one; the medians and
the median of the paired ratios are printed.

    .venv/bin/python benchmarks/local_transport_bench.py
    .venv/bin/python benchmarks/local_transport_bench.py --baseline main --repeat 7
    .venv/bin/python benchmarks/local_transport_bench.py --baseline e10b47e   # the in-process transport

Goal: under 50 µs a call, whatever the number of modules loaded. The service runs in a
process of its own (isolation, issue 10), so a call is two pipe hops and the handler's own
work on top of the caller's. Exit code 0 when every figure meets the goal, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).parents[1]
RUNTIME = REPO / "extractor" / "runtime" / "m2l_runtime"
GOAL_US = 50.0
SERVICE = "def add(a: int, b: int) -> int:\n    return a + b\n"
PROXY = ("from m2l_runtime import client as _c\n\n\ndef add(a: int, b: int) -> int:\n"
         "    return _c.call('calc', 'toy.calc.add', add, {'a': a, 'b': b})\n")
HANDLER = ("from m2l_runtime.service import Operation, Service\n"
           "service = Service('calc', {'toy.calc.add': Operation('toy.calc', 'add')})\n\n\n"
           "def handler(event, context):\n    return service.handle(event, context)\n")
TIMER = """
import importlib, json, os, statistics, sys, time
from toy import calc
from m2l_runtime import client
calls, rounds, modules = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for n in range(modules):
    importlib.import_module(f"loaded.m{n}")
started = time.perf_counter()
assert calc.add(1, 2) == 3
first = time.perf_counter() - started


def worker_cpu():  # seconds of CPU the service's worker process used so far (0 without one)
    try:
        pid = client.transport()._workers["calc"]._process.pid
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except (AttributeError, KeyError, OSError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


means = []
cpu_started, worker_started = time.process_time(), worker_cpu()
for _ in range(rounds):
    started = time.perf_counter()
    for i in range(calls):
        calc.add(i, 1)
    means.append((time.perf_counter() - started) / calls * 1e6)
cpu = (time.process_time() - cpu_started + worker_cpu() - worker_started) / (calls * rounds) * 1e6
print(json.dumps({"first_ms": first * 1000, "median_us": statistics.median(means), "cpu_us": cpu,
                  "modules": len(sys.modules)}))
"""


def layout(root: Path, runtime_files: dict[str, str], modules: int) -> Path:
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
    (monolith / "loaded").mkdir()
    (monolith / "loaded" / "__init__.py").write_text("")
    for n in range(modules):
        (monolith / "loaded" / f"m{n}.py").write_text(f"VALUE = {n}\n")
    return monolith


def runtime_at(revision: str | None) -> dict[str, str]:
    if revision is None:
        return {p.name: p.read_text() for p in RUNTIME.glob("*.py")}
    listing = subprocess.run(["git", "ls-tree", "--name-only", f"{revision}:extractor/runtime/m2l_runtime"],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    return {name: subprocess.run(["git", "show", f"{revision}:extractor/runtime/m2l_runtime/{name}"], cwd=REPO,
                                 capture_output=True, text=True, check=True).stdout
            for name in listing if name.endswith(".py")}


def run_once(monolith: Path, calls: int, rounds: int, modules: int) -> dict[str, float]:
    env = {"PATH": "", "M2L_TRANSPORT": "local", "PYTHONPATH": str(monolith), "POWERTOOLS_LOG_LEVEL": "ERROR"}
    done = subprocess.run([sys.executable, "-c", TIMER, str(calls), str(rounds), str(modules)], cwd=monolith,
                          env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def figure(runtimes: dict[str, dict[str, str]], modules: int,
           args: argparse.Namespace) -> dict[str, list[dict[str, float]]]:
    """Each runtime's figures in `repeat` processes each, alternating the order per round."""
    root = Path(tempfile.mkdtemp(prefix="m2l-local-bench-"))
    try:
        folders = {name: layout(root / name, files, modules) for name, files in runtimes.items()}
        found: dict[str, list[dict[str, float]]] = {name: [] for name in runtimes}
        names = list(runtimes)
        for n in range(args.repeat):
            for name in names if n % 2 == 0 else names[::-1]:
                found[name].append(run_once(folders[name], args.calls, args.rounds, modules))
        return found
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", help="git revision whose runtime to pair with this checkout's")
    parser.add_argument("--modules", type=int, nargs="+", default=[0, 2000], help="modules the caller loads")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="processes per figure")
    args = parser.parse_args(argv)
    runtimes = {"this checkout": runtime_at(None)}
    if args.baseline:
        runtimes = {f"baseline {args.baseline}": runtime_at(args.baseline), **runtimes}
    met = True
    for modules in args.modules:
        found = figure(runtimes, modules, args)
        for key, what in (("median_us", "wall"), ("cpu_us", "CPU, caller and worker")):
            ours = [run[key] for run in found["this checkout"]]
            line = (f"local transport per call, {modules} extra modules loaded, {what}: "
                    f"median {statistics.median(ours):.1f} µs")
            if key == "median_us":
                met = met and statistics.median(ours) < GOAL_US
                line += f" (goal < {GOAL_US:.0f} µs: {'met' if statistics.median(ours) < GOAL_US else 'NOT met'})"
            if args.baseline:
                base = [run[key] for run in found[f"baseline {args.baseline}"]]
                ratio = statistics.median(b / a for a, b in zip(base, ours, strict=True) if a)
                line += f"; baseline {args.baseline}: {statistics.median(base):.1f} µs, paired ratio {ratio:.2f}"
            print(line, flush=True)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
