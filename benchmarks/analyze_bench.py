"""Benchmark `analyze` on a large real codebase (Django by default).

What it measures, in one run:

1. Setup: installs Django 5.2 from PyPI into a scratch folder (pip, no dependencies) and
   analyzes `<scratch>/site/django`; installs pyan3 into its own scratch venv.
2. The floor: reading and `ast.parse`-ing every .py file of the tree in one process.
   No static analyzer can be much faster than that.
3. Cold analyze: empty output folder each run, once per `--jobs` value (default 1 and 2).
4. Warm analyze: the same output folder again, nothing changed (cache hit, graph reused).
5. One file changed, two kinds: a small new function appended to one mid-sized file before
   each run, and a call added in the body of its first function (which moves every line below
   it). Each run prints how many modules were resolved again.
6. pyan3 over the same tree, for comparison.
7. A table of medians against the floor, with targets and PASS/FAIL: cold <= 3x, warm <=
   0.3x, one file changed <= 1x, peak RSS <= 1500 MB.

Shared machines are noisy, so every analyze run is paired with a floor run made just
before it, in the same conditions (floor and analyze alternate); the "x floor" column is the
median of those paired ratios, and the targets are judged on it. The load average before
each run is printed with it and its median with each figure: quote ratios with the load.

Each measured analyze is `mono2lambda analyze SRC --out OUT -q [--jobs N]` in a fresh
subprocess (no imports or caches leak between runs), as a user runs it: the figure judged
is the subprocess's whole wall time (interpreter start and imports included); the
`analyze()` call inside it is timed and printed too, and peak RSS is the larger of the subprocess's own and its worker
processes' (`ru_maxrss` of RUSAGE_SELF and RUSAGE_CHILDREN: the largest single process,
not a sum over concurrent workers).

Run it from the repository root with the project's venv:

    .venv/bin/python benchmarks/analyze_bench.py               # Django, 3 repeats
    .venv/bin/python benchmarks/analyze_bench.py --repeat 5 --skip-pyan
    .venv/bin/python benchmarks/analyze_bench.py --src ~/code/monolith --keep
    .venv/bin/python benchmarks/analyze_bench.py --figures edit --repeat 5 --skip-pyan

Which analyzer is measured: by default the source tree this script is in (pure Python, or
whatever extension modules sit beside it). With `--installed` the children run the analyzer
the interpreter has installed, nothing from the source tree (`python -I`): give it the
compiled build's interpreter (docs/compiled-build.md),

    make compiled && .venv-compiled/bin/python benchmarks/analyze_bench.py --installed --skip-pyan

The header says which build ran: "pure Python" or "compiled, N of M modules", and where from.

Needs the package registry for the setup (unless --src and --skip-pyan are given).
Only the standard library and the project itself are imported. Exit code 0 when every
target passes, 1 when one fails, 2 when the setup fails.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run with a python that has not installed the project
    sys.path.insert(0, str(REPO_ROOT))

from analyzer import ANALYZER_VERSION
from analyzer.sources import find_sources

DJANGO_SPEC = "django==5.2.*"
PYAN_SPEC = "pyan3"
PYAN_TIMEOUT_S = 600
PIP_TIMEOUT_S = 900
ANALYZE_TIMEOUT_S = 1800
SLOW_COMPARISON_S = 60.0  # a comparison tool slower than this is run once, not --repeat times

COLD_TARGET = 3.0  # x floor
WARM_TARGET = 0.3  # x floor
EDIT_TARGET = 1.0  # x floor, one file changed
RSS_TARGET_MB = 1500.0

RESULT_MARK = "BENCH_RESULT "
INSTALLED = False  # --installed: the children import the installed analyzer, not the source tree's
NOT_CHOSEN = "not run (--figures)"
# Runs `mono2lambda analyze` as its command line does, in a fresh interpreter (argv = src, out,
# jobs, "" for the default); the analyze() call inside is timed too, and its stats kept.
CHILD_CODE = f"""
import json, resource, sys, time
import analyzer.pipeline as pipeline
from analyzer import teardown

teardown.command_line()  # as mono2lambda.cli.main: the process ends with the command
src, out, jobs = sys.argv[1], sys.argv[2], sys.argv[3]
found = {{}}
analyze = pipeline.analyze


def timed(*args, **kwargs):
    start = time.perf_counter()
    found["result"] = analyze(*args, **kwargs)
    found["seconds"] = time.perf_counter() - start
    return found["result"]


pipeline.analyze = timed
from mono2lambda.cli import cli

try:
    cli(["analyze", src, "--out", out, "-q", *(["--jobs", jobs] if jobs else [])], prog_name="mono2lambda")
except SystemExit as done:
    if done.code not in (0, 1, None):  # 1: files that did not parse, still a result
        raise
result = found["result"]
unit = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / unit
rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / unit
summary = result.summary
print({RESULT_MARK!r} + json.dumps({{
    "seconds": found["seconds"],
    "rss_self_mb": rss_self,
    "rss_children_mb": rss_children,
    "reused": result.reused,
    "resolved": getattr(result, "resolved", None),
    "files": result.stats.files,
    "parsed": result.stats.parsed,
    "cached": result.stats.cached,
    "resolved_share": summary.get("resolved_share"),
    "call_sites": summary.get("call_sites"),
    "edges": summary.get("edges", {{}}),
}}, sort_keys=True))
teardown.exit(0)
"""


class SetupError(Exception):
    """The benchmark could not be prepared (no registry, no such folder...)."""


class AnalyzeFailed(Exception):
    """An analyze subprocess crashed or timed out."""

    def __init__(self, message: str, frame: str = "") -> None:
        super().__init__(message)
        self.frame = frame  # where in the analyzer, when the traceback says


@dataclass
class Run:
    """One analyze in its own subprocess."""

    seconds: float  # the analyze() call
    wall: float  # the whole subprocess, interpreter start included
    rss_mb: float  # max of the subprocess and its workers
    data: dict[str, Any]
    floor: float = 0.0  # the floor measured just before this run
    load: float = 0.0  # the 1-minute load average just before this run

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor if self.floor > 0 else float("nan")


@dataclass
class Phase:
    """The runs of one figure; `error` when a run failed (the later ones are not made)."""

    runs: list[Run] = field(default_factory=list)
    error: str | None = None

    def values(self, attribute: str) -> list[float]:
        return [getattr(run, attribute) for run in self.runs]


@dataclass
class Row:
    """One line of the final table."""

    figure: str
    seconds: float | None
    ratio: float | None = None  # median of the paired ratios to the floor
    target: str = "-"
    passed: bool | None = None  # None: no target
    note: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)

    @property
    def failed(self) -> bool:
        return any(row.passed is False for row in self.rows)


# ---------------------------------------------------------------- helpers


def say(text: str = "") -> None:
    print(text, flush=True)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(no output)"


def python_files(root: Path) -> list[Path]:
    """Every .py file under root, sorted (the floor's input, tests included)."""
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def count_lines(files: Sequence[Path]) -> int:
    total = 0
    for path in files:
        data = path.read_bytes()
        total += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return total


def pip_install(python: str, args: Sequence[str], what: str) -> None:
    """`python -m pip install ARGS`, or a SetupError that says why."""
    command = [python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise SetupError(f"pip install of {what} took over {PIP_TIMEOUT_S} s: is the registry reachable?") from None
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()
        hint = ""
        if any(word in output for word in ("Could not find a version", "connection", "Connection",
                                          "Network", "resolve", "timed out")):
            hint = " (the package registry looks unreachable: check the network, or use --src and --skip-pyan)"
        raise SetupError(f"pip install of {what} failed{hint}:\n  {last_line(output)}")


# ---------------------------------------------------------------- setup


def install_django(scratch: Path) -> Path:
    site = scratch / "site"
    say(f"installing {DJANGO_SPEC} into {site} ...")
    pip_install(sys.executable, ["--no-deps", "--target", str(site), DJANGO_SPEC], "Django")
    tree = site / "django"
    if not (tree / "__init__.py").is_file():
        raise SetupError(f"pip finished but {tree} has no __init__.py")
    versions = sorted(p.name for p in site.glob("[Dd]jango-*.dist-info"))
    say(f"  installed {versions[0].removesuffix('.dist-info') if versions else 'django'}")
    return tree


def install_pyan(scratch: Path) -> Path:
    """pyan3 in its own venv (it may pin old dependencies); the path of its `pyan3` script."""
    venv = scratch / "pyan-venv"
    say(f"installing {PYAN_SPEC} into a scratch venv {venv} ...")
    done = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SetupError(f"python -m venv failed: {last_line(done.stderr or done.stdout)}")
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    pip_install(str(bin_dir / "python"), [PYAN_SPEC], "pyan3")
    version = subprocess.run([str(bin_dir / "python"), "-m", "pip", "show", "pyan3"],
                             capture_output=True, text=True).stdout
    say("  installed pyan3 " + next((line.split(":", 1)[1].strip() for line in version.splitlines()
                                      if line.startswith("Version:")), "?"))
    return bin_dir / "pyan3"


def analyzer_revision() -> str:
    """The commit the analyzer was measured at, and whether its files had local changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "analyzer"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown (no git)"
    if not head:
        return "unknown (not a git checkout)"
    return head + (" with uncommitted changes in analyzer/" if dirty else "")


def choose_edit_target(tree: Path) -> Path:
    """A mid-sized file that the analyzer reads (not skipped as test code)."""
    sources = sorted(find_sources(tree).files, key=lambda s: (s.path.stat().st_size, s.relpath))
    if not sources:
        raise SetupError(f"{tree} has no Python files the analyzer reads")
    return sources[len(sources) // 2].path


# ---------------------------------------------------------------- measurements


def time_floor(files: Sequence[Path]) -> tuple[float, int]:
    """Seconds to read and ast.parse every file; and how many failed to parse."""
    failures = 0
    start = time.perf_counter()
    for path in files:
        try:
            ast.parse(path.read_bytes(), filename=str(path))
        except (SyntaxError, ValueError):
            failures += 1
    return time.perf_counter() - start, failures


def child_python() -> tuple[list[str], dict[str, str]]:
    """The command that starts a measured interpreter, and its environment: the source tree first on
    its path, or with --installed (INSTALLED) isolated from it (-I: no current folder, no PYTHONPATH)."""
    env = dict(os.environ)
    if INSTALLED:
        return [sys.executable, "-I"], env
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return [sys.executable], env


def analyzer_build() -> str:
    """Which analyzer the children run, as they import it: pure Python or compiled (docs/compiled-build.md)."""
    python, env = child_python()
    probe = ("import json, analyzer\n"
             "from analyzer.compiled_modules import COMPILED_MODULES, running_compiled\n"
             "print(json.dumps([analyzer.__file__, len(running_compiled()), len(COMPILED_MODULES)]))")
    try:
        done = subprocess.run([*python, "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SetupError(f"{sys.executable} did not start: {error}") from None
    if done.returncode != 0:
        raise SetupError(f"{sys.executable} cannot import the analyzer: {last_line(done.stderr)}")
    where, compiled, listed = json.loads(done.stdout)
    build = f"compiled, {compiled} of {listed} modules" if compiled else "pure Python"
    return f"{build} ({Path(where).parent})"


def run_analyze(src: Path, out: Path, jobs: int | None) -> Run:
    """One analyze in a fresh interpreter; AnalyzeFailed when it crashes or hangs."""
    python, env = child_python()
    command = [*python, "-c", CHILD_CODE, str(src), str(out), "" if jobs is None else str(jobs)]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=ANALYZE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise AnalyzeFailed(f"timed out after {ANALYZE_TIMEOUT_S} s") from None
    wall = time.perf_counter() - start
    marked = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if done.returncode != 0 or not marked:
        output = done.stderr or done.stdout
        raise AnalyzeFailed(f"exit {done.returncode} after {wall:.1f} s: {last_line(output)}",
                            innermost_frame(output))
    data = json.loads(marked[-1][len(RESULT_MARK):])
    return Run(data["seconds"], wall, max(data["rss_self_mb"], data["rss_children_mb"]), data,
               load=os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0)


def innermost_frame(traceback_text: str) -> str:
    """The last frame of the analyzer's own code in a traceback ("" when there is none)."""
    frames = re.findall(r'File "([^"]*)", line (\d+), in (\S+)', traceback_text)
    own = [(path, line, name) for path, line, name in frames
           if Path(path).parent.name in ("analyzer", "mono2lambda")]
    if not own:
        return ""
    path, line, name = own[-1]
    return f"{Path(path).parent.name}/{Path(path).name}:{line} in {name}"


def describe(run: Run, index: int) -> str:
    d = run.data
    return (f"  run {index}: analyze {run.seconds:7.3f} s ({run.ratio:.2f}x its floor {run.floor:.3f} s)   "
            f"wall {run.wall:7.3f} s   "
            f"peak RSS {run.rss_mb:7.1f} MB (self {d['rss_self_mb']:.1f}, workers {d['rss_children_mb']:.1f})   "
            f"files {d['files']} parsed {d['parsed']} cached {d['cached']} reused {d['reused']}"
            + (f" resolved {d['resolved'][0]}/{d['resolved'][1]} modules" if d.get("resolved") else "")
            + f"   load {run.load:.1f}")


def repeat_runs(repeat: int, before_each: Callable[[int], None], src: Path, out: Path | Sequence[Path],
                jobs: int | None) -> Phase:
    """`repeat` analyzes of src, into `out` (or into out[i] for run i), each right after a floor
    run over the same files; stops at the first failure."""
    phase = Phase()
    files = python_files(src)
    for index in range(1, repeat + 1):
        before_each(index)
        floor, _ = time_floor(files)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        try:
            run = run_analyze(src, out if isinstance(out, Path) else out[index - 1], jobs)
            run.floor, run.load = floor, load
        except AnalyzeFailed as failure:
            say(f"  run {index}: FAILED, {failure}")
            if failure.frame:
                say(f"    innermost analyzer frame: {failure.frame}")
            phase.error = f"crashed: {failure}"
            break
        say(describe(run, index))
        phase.runs.append(run)
    return phase


def bench_cold(tree: Path, scratch: Path, repeat: int, jobs: int | None) -> Phase:
    """A new, empty output folder for each run; the last one is kept for the warm runs."""
    say(f"\n== cold analyze, --jobs {jobs or 'default'} (fresh output folder each run)")
    outs = [scratch / f"out-cold-{jobs or 'default'}-{i}" for i in range(1, repeat + 1)]
    return repeat_runs(repeat, lambda i: shutil.rmtree(outs[i - 1], ignore_errors=True), tree, outs, jobs)


def bench_warm(tree: Path, out: Path, repeat: int, jobs: int | None) -> Phase:
    say(f"\n== warm analyze (same output folder {out.name}, nothing changed)")
    return repeat_runs(repeat, lambda _: None, tree, out, jobs)


def append_function(target: Path, index: int) -> None:
    with target.open("a", encoding="utf-8") as handle:
        handle.write(f"\n\ndef _bench_added_{index}(value=None):\n    return (value, {index})\n")


def add_call(target: Path, index: int) -> None:
    """A call before the last statement of the file's first function (the lines below it move,
    as in most edits)."""
    text = target.read_text(encoding="utf-8")
    function = next((node for node in ast.walk(ast.parse(text)) if isinstance(node, ast.FunctionDef)), None)
    if function is None:
        raise SetupError(f"{target} has no function to edit")
    last = function.body[-1]
    lines = text.splitlines(keepends=True)
    indent = lines[last.lineno - 1][:last.col_offset]
    lines.insert(last.lineno - 1, f"{indent}print({index})\n")
    target.write_text("".join(lines), encoding="utf-8")


EDITS: dict[str, Callable[[Path, int], None]] = {"appended function": append_function,
                                                 "call added in a body": add_call}


def bench_one_file(tree: Path, scratch: Path, repeat: int, jobs: int | None, kind: str) -> Phase:
    """Fill a cache on a copy of the tree, then change one file before each run."""
    work = scratch / "work" / tree.name
    say(f"\n== one file changed, {kind} (a copy of the tree in {work})")
    shutil.rmtree(work.parent, ignore_errors=True)
    shutil.copytree(tree, work, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    target = choose_edit_target(work)
    say(f"  edited file: {target.relative_to(work).as_posix()} ({target.stat().st_size} bytes)")
    out = scratch / f"out-edit-{kind.replace(' ', '-')}"
    shutil.rmtree(out, ignore_errors=True)
    try:
        fill = run_analyze(work, out, jobs)
    except AnalyzeFailed as failure:
        say(f"  cold run to fill the cache FAILED, {failure}")
        return Phase(error=f"crashed while filling the cache: {failure}")
    say(f"  cache filled by a cold run: analyze {fill.seconds:.3f} s, parsed {fill.data['parsed']}")
    return repeat_runs(repeat, lambda index: EDITS[kind](target, index), work, out, jobs)


def bench_pyan(pyan: Path, tree: Path, repeat: int) -> tuple[list[float], str | None]:
    """pyan3's times, and why it failed (None when it worked)."""
    say("\n== pyan3 over the same tree (--dot to /dev/null)")
    files = [p.relative_to(tree.parent).as_posix() for p in python_files(tree)]
    times: list[float] = []
    for index in range(1, repeat + 1):
        start = time.perf_counter()
        try:
            done = subprocess.run([str(pyan), *files, "--dot"], cwd=tree.parent, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True, timeout=PYAN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            say(f"  run {index}: timed out after {PYAN_TIMEOUT_S} s")
            return times, f"timed out after {PYAN_TIMEOUT_S} s"
        except OSError as exc:
            return times, f"could not start: {exc}"
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            reason = f"exit {done.returncode} after {seconds:.1f} s: {last_line(done.stderr)}"
            say(f"  run {index}: FAILED, {reason}")
            return times, reason
        say(f"  run {index}: {seconds:7.3f} s ({len(files)} files)")
        times.append(seconds)
        if seconds > SLOW_COMPARISON_S:
            say(f"  (over {SLOW_COMPARISON_S:.0f} s: not repeated)")
            break
    return times, None


# ---------------------------------------------------------------- report


def phase_row(figure: str, phase: Phase, attribute: str, floor: float, target: float | None,
              note: str = "") -> Row:
    """A row for one phase: its median against the target, or FAIL with the reason it crashed."""
    target_text = "-" if target is None else f"<= {target:g}x floor"
    if phase.error == NOT_CHOSEN:
        return Row(figure, None, None, target_text, None, phase.error)
    if phase.error is not None and not phase.runs:
        return Row(figure, None, None, target_text, False, phase.error)
    seconds = median(phase.values(attribute))
    ratios = [getattr(run, attribute) / run.floor for run in phase.runs if run.floor > 0]
    ratio = median(ratios) if ratios else None
    note = ", ".join(filter(None, [note, f"load {median(phase.values('load')):.1f}"]))
    if phase.error is not None:
        return Row(figure, seconds, ratio, target_text, False, f"a later run failed: {phase.error}")
    passed = None if target is None or ratio is None else ratio <= target
    return Row(figure, seconds, ratio, target_text, passed, note)


def print_table(report: Report, floor: float) -> None:
    say("\n== results (medians)")
    header = f"{'figure':<34} {'median s':>10} {'x floor':>9}  {'target':<18} {'result':<6}  note"
    say(header)
    say("-" * len(header))
    for row in report.rows:
        seconds = "-" if row.seconds is None else f"{row.seconds:10.3f}"
        ratio = "-" if row.ratio is None else f"{row.ratio:8.2f}x"
        result = {True: "PASS", False: "FAIL", None: "-"}[row.passed]
        say(f"{row.figure:<34} {seconds:>10} {ratio:>9}  {row.target:<18} {result:<6}  {row.note}".rstrip())


def print_graph_figures(run: Run) -> None:
    d = run.data
    say("\n== graph of the cold run")
    say(f"  files analyzed: {d['files']}")
    say(f"  call_sites: {d['call_sites']}")
    say(f"  resolved_share: {d['resolved_share']}")
    for kind, count in sorted(d["edges"].items()):
        say(f"  edges[{kind}]: {count}")
    say(f"  edges total: {sum(d['edges'].values())}")


# ---------------------------------------------------------------- main


def benchmark(args: argparse.Namespace, scratch: Path) -> Report:
    tree = args.src.resolve() if args.src else install_django(scratch)
    if not tree.is_dir():
        raise SetupError(f"{tree}: not a folder")
    pyan = None if args.skip_pyan else install_pyan(scratch)

    files = python_files(tree)
    if not files:
        raise SetupError(f"{tree} has no .py files")
    analyzed = len(find_sources(tree).files)
    say(f"\ntree: {tree}")
    say(f"  {len(files)} .py files, {count_lines(files)} lines "
        f"({analyzed} files read by the analyzer: test code is left out by default)")
    say(f"  python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, analyzer version {ANALYZER_VERSION}, jobs {', '.join(map(str, args.jobs))}, "
        f"repeat {args.repeat}")
    say(f"  analyzer at {analyzer_revision()}")
    say(f"  analyzer build: {analyzer_build()}")

    say("\n== floor: read + ast.parse every .py file, one process")
    floors = []
    for index in range(1, args.repeat + 1):
        seconds, failures = time_floor(files)
        floors.append(seconds)
        say(f"  run {index}: {seconds:7.3f} s" + (f" ({failures} files did not parse)" if failures else ""))
    floor = median(floors)

    figures = set(args.figures)
    skipped = Phase(error=NOT_CHOSEN)
    first = args.jobs[0]
    colds = {jobs: bench_cold(tree, scratch, args.repeat, jobs) if figures & {"cold", "warm"} else skipped
             for jobs in args.jobs}
    cold = colds[first]
    if "warm" not in figures:
        warm = skipped
    elif cold.runs:
        warm = bench_warm(tree, scratch / f"out-cold-{first or 'default'}-{len(cold.runs)}", args.repeat, first)
    else:
        warm = Phase(error="not run: no cold run succeeded")
        say(f"\n== warm analyze: {warm.error}")
    edits = {kind: bench_one_file(tree, scratch, args.repeat, first, kind) if "edit" in figures else skipped
             for kind in EDITS}
    pyan_times, pyan_error = bench_pyan(pyan, tree, args.repeat) if pyan else ([], "skipped (--skip-pyan)")

    report = build_report(floor, colds, warm, edits, pyan_times, pyan_error)
    print_table(report, floor)
    if cold.runs:
        print_graph_figures(cold.runs[-1])
    elif cold.error != NOT_CHOSEN:
        say("\n== graph of the cold run: none (every cold run failed)")
    return report


def build_report(floor: float, colds: dict[int | None, Phase], warm: Phase, edits: dict[str, Phase],
                 pyan_times: list[float], pyan_error: str | None) -> Report:
    """The figures as users run them: the command line's whole process (interpreter start and
    imports included) against the floor; the analyze() call alone as a note."""
    report = Report()
    report.add(Row("floor (read + ast.parse)", floor, 1.0, note="median of the separate floor runs"))
    for jobs, cold in colds.items():
        report.add(phase_row(f"cold, command line, --jobs {jobs or 'default'}", cold, "wall", floor, COLD_TARGET))
        report.add(phase_row("  (its analyze() call)", cold, "seconds", floor, None))
    report.add(phase_row("warm (nothing changed), command line", warm, "wall", floor, WARM_TARGET,
                         f"reused {sorted({r.data['reused'] for r in warm.runs})}, "
                         f"cached {sorted({r.data['cached'] for r in warm.runs})}"))
    for kind, edit in edits.items():
        resolved = sorted({r.data["resolved"][0] for r in edit.runs if r.data.get("resolved")})
        report.add(phase_row(f"one file changed ({kind})", edit, "wall", floor, EDIT_TARGET,
                             f"parsed {sorted({r.data['parsed'] for r in edit.runs})}, modules resolved {resolved}"))
    cold = next(iter(colds.values()))
    if pyan_times:
        report.add(Row("pyan3 --dot", median(pyan_times), median(pyan_times) / floor,
                       note=f"{len(pyan_times)} run(s), against the median floor"))
    else:
        report.add(Row("pyan3 --dot", None, note=f"no result: {pyan_error}"))
    measured = [run for phase in [*colds.values(), warm, *edits.values()] for run in phase.runs]
    if measured:
        peak = max(run.rss_mb for run in measured)
        note = f"{peak:.0f} MB over all runs" + (
            f"; cold median {median(cold.values('rss_mb')):.0f} MB" if cold.runs else "")
        report.add(Row("peak RSS (largest process)", None, None, f"<= {RSS_TARGET_MB:g} MB",
                       peak <= RSS_TARGET_MB, note))
    else:
        report.add(Row("peak RSS (largest process)", None, None, f"<= {RSS_TARGET_MB:g} MB", False,
                       "no analyze run succeeded"))
    return report


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--src", type=Path, help="benchmark this tree instead of installing Django")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure, medians reported (default 3)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2],
                        help="analyzer worker processes, a cold figure for each (default: 1 2; the warm and "
                             "one-file figures use the first)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and print its path")
    parser.add_argument("--skip-pyan", action="store_true", help="do not install or run pyan3")
    parser.add_argument("--installed", action="store_true",
                        help="measure the analyzer this interpreter has installed (e.g. the compiled build's), "
                             "not the source tree's")
    parser.add_argument("--figures", nargs="+", choices=("cold", "warm", "edit"), default=["cold", "warm", "edit"],
                        help="which figures to measure (default all; warm needs the cold runs)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    global INSTALLED
    args = parse_args(argv)
    INSTALLED = args.installed
    scratch = Path(tempfile.mkdtemp(prefix="mono2lambda-bench-"))
    try:
        report = benchmark(args, scratch)
    except SetupError as error:
        say(f"\nsetup failed: {error}")
        return 2
    except KeyboardInterrupt:
        say("\ninterrupted")
        return 130
    finally:
        if args.keep:
            say(f"\nscratch folder kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
