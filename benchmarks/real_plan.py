"""A real plan for the scoring benchmarks: Django 5.2 with its own tests, proposed, then edited.

`real_plan(cache)` downloads Django 5.2's source distribution from PyPI once (pip
download, no dependencies, source only) into CACHE, unpacks it, analyzes the whole tree
with its tests (about 2,800 files, 2,700 modules), lets `propose` write a plan, and then
makes the edits a person might make next, through the command line: the modules that call
the most other modules and that no other module calls (entry points) move to a new service
`accounts` (`plan move ... --new`, then `plan move ...`). That service calls many others
and is called by none, and its name sorts first: the case where the old cycle search
walked every path between the services.

score_bench.py and select_bench.py use it with `--real`; run alone it prepares the plan
and prints where it is:

    .venv/bin/python benchmarks/real_plan.py
    .venv/bin/python benchmarks/real_plan.py --cache ~/.cache/m2l-bench
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = REPO_ROOT / ".mono2lambda" / "bench-django"
DJANGO = "django==5.2"
NEW_SERVICE = "accounts"
MOVES = 3
CLI = [sys.executable, "-m", "mono2lambda"]


class SetupError(Exception):
    """The real plan could not be made (no registry, a failed analysis): the benchmark cannot run."""


@dataclass(frozen=True)
class RealPlan:
    graph: Path
    plan: Path
    moved: tuple[str, ...]  # the units moved to NEW_SERVICE after the proposal
    files: int


def _run(command: list[str], what: str, cwd: Path | None = None, timeout: float = 1800,
         findings_ok: bool = False) -> str:
    """Run a command; exit 1 means findings (files that did not parse, blocking hazards), still
    a result, when `findings_ok`."""
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    environ["PYTHONPATH"] = str(REPO_ROOT)
    try:
        result = subprocess.run(command, cwd=cwd, env=environ, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise SetupError(f"{what} took over {timeout:.0f} s") from None
    if result.returncode not in ((0, 1) if findings_ok else (0,)):
        raise SetupError(f"{what} failed (exit {result.returncode}): {(result.stderr or result.stdout)[-600:]}")
    return result.stdout


def django_source(cache: Path) -> Path:
    """Django 5.2's unpacked source distribution (tests included), downloaded once."""
    tree = cache / "django52"
    if (tree / "django" / "__init__.py").exists():
        return tree
    download = cache / "download"
    download.mkdir(parents=True, exist_ok=True)
    archives = sorted(download.glob("[Dd]jango-5.2.tar.gz"))
    if not archives:
        _run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet", DJANGO,
              "--no-deps", "--no-binary", ":all:", "-d", str(download)], f"pip download {DJANGO}", timeout=600)
        archives = sorted(download.glob("[Dd]jango-5.2.tar.gz"))
    if not archives:
        raise SetupError(f"pip download {DJANGO} left no Django-5.2.tar.gz in {download}")
    unpacked = cache / "unpack"
    shutil.rmtree(unpacked, ignore_errors=True)
    with tarfile.open(archives[0]) as archive:
        archive.extractall(unpacked, filter="data")
    roots = [p for p in unpacked.iterdir() if p.is_dir()]
    if len(roots) != 1:
        raise SetupError(f"{archives[0].name} does not unpack to one folder")
    shutil.rmtree(tree, ignore_errors=True)
    roots[0].rename(tree)  # a folder name that can prefix Lambda function names (no dot)
    return tree


def entry_points(graph_path: Path, count: int) -> list[str]:
    """Modules no other module calls, most calling first (ties by name)."""
    sys.path.insert(0, str(REPO_ROOT))
    from analyzer.boundaries.metrics import ScoringContext
    from analyzer.graph import CodeGraph

    context = ScoringContext(CodeGraph.load(graph_path))
    called = {b for _, b in context.calls}
    fanout = Counter(a for a, _ in context.calls)
    return sorted((u for u in context.units if u not in called), key=lambda u: (-fanout[u], u))[:count]


def real_plan(cache: Path = DEFAULT_CACHE) -> RealPlan:
    """Analyze Django (cached), propose a plan, move its top entry points to a new service."""
    tree = django_source(cache)
    out = cache / "out"
    _run([*CLI, "analyze", str(tree), "--include-tests", "--out", str(out)], "analyze Django", cwd=cache,
         findings_ok=True)  # Django's tests hold files that do not parse on purpose
    graph, plan = out / "graph.json", out / "boundaries.yaml"
    plan.unlink(missing_ok=True)
    _run([*CLI, "propose", "--graph", str(graph), "--plan", str(plan)], "propose", cwd=cache, findings_ok=True)
    moved = tuple(entry_points(graph, MOVES))
    for n, unit in enumerate(moved):
        _run([*CLI, "plan", "move", unit, NEW_SERVICE, *(["--new"] if n == 0 else []), "--graph", str(graph),
              "--plan", str(plan)], f"plan move {unit}", cwd=cache)
    files = sum(1 for _ in tree.rglob("*.py"))
    return RealPlan(graph, plan, moved, files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where Django and its analysis are kept")
    args = parser.parse_args(argv)
    try:
        real = real_plan(args.cache)
    except SetupError as error:
        print(f"setup failed: {error}")
        return 2
    print(f"Django 5.2 with its tests ({real.files} files): graph {real.graph}, plan {real.plan}; "
          f"moved to {NEW_SERVICE}: {', '.join(real.moved)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
