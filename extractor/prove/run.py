"""The process side of `prove`: run the test command twice, count the calls, read the tests.

1. the command in the source tree, as it is;
2. the same command in `GENERATED/monolith` with every extracted service behind an
   in-process `serve` (`M2L_TRANSPORT=lambda`, `AWS_ENDPOINT_URL_LAMBDA`), the proxies'
   calls logged through `M2L_CALL_LOG`.
A pytest command gets `--junitxml` (per-test results); any other is read from its output.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import InputError
from analyzer.tracing.model import read_trace

from ..output import MANIFEST, manifest_services
from ..runtime.m2l_runtime.processes import run_in_session
from ..serve.deps import Install
from ..serve.plan import install_missing, plan_serve
from ..serve.server import LambdaServer
from .core import (
    EXIT_CODE,
    TIMED_OUT,
    ProveReport,
    SuiteResult,
    compare,
    operation_tests,
    parse_junit,
    parse_output,
    read_call_log,
    scan_patches,
    unreached,
)

# For the strangled run's boto3 calls to serve on 127.0.0.1, which checks neither keys nor
# region; the app's own AWS_* settings win. Nothing with these values can reach AWS.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                     "AWS_DEFAULT_REGION": "us-east-1"}
SKIPPED_FOLDERS = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mono2lambda"})
Say = Callable[[str], None]


@dataclass(frozen=True)
class ProveRequest:
    command: tuple[str, ...]
    source: Path  # the original tree: the command runs here first
    generated: Path  # what `mono2lambda extract` wrote: manifest.json, monolith/, the packages
    cache: Path  # serve's dependency cache
    environ: Mapping[str, str] | None = None  # for both runs and the workers (default: this process's)
    timeout: float = 1800.0  # seconds for each run
    trace: Path | None = None  # a trace file (`mono2lambda trace`): which tests reach which operation
    python: str | None = None  # the interpreter of serve's workers (default: of the templates' runtime)


def run_prove(request: ProveRequest, say: Say = lambda _: None) -> ProveReport:
    if not request.command:
        raise InputError("no test command given", hint="put it after --, e.g. mono2lambda prove -- pytest -q")
    if request.trace is not None:
        read_trace(request.trace)  # a bad trace file fails before the suite runs twice
    monolith = request.generated / "monolith"
    if not (request.generated / MANIFEST).is_file() or not monolith.is_dir():
        raise InputError(f"{request.generated} holds no extraction ({MANIFEST} and monolith/)",
                         hint="run `mono2lambda extract` first, or point --generated at its --out")
    services = manifest_services(request.generated)
    moved = {m: name for name, spec in services.items() for m in spec.get("modules", ())}
    operations = {name: list(spec.get("operations", ())) for name, spec in services.items()}
    environ = dict(os.environ if request.environ is None else request.environ)
    with tempfile.TemporaryDirectory(prefix="m2l-prove-") as scratch:
        say(f"running {' '.join(request.command)} on the original source in {request.source}")
        original = run_suite(request.command, request.source, environ, Path(scratch) / "original.xml",
                             request.timeout)
        plan = plan_serve(request.generated, request.cache, request.python)
        for note in plan.notes:
            say(f"note: {note}")
        install_missing(plan, lambda install: say(f"installing {_what(install)} for the workers (once; cached)"))
        server_environ = {**DUMMY_CREDENTIALS, **{k: v for k, v in environ.items() if k != "PYTHONPATH"}}
        server_environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
        log = Path(scratch) / "calls.log"
        with LambdaServer(plan, port=0, environ=server_environ) as server:
            child = {**DUMMY_CREDENTIALS, **environ, "M2L_TRANSPORT": "lambda",
                     "AWS_ENDPOINT_URL_LAMBDA": server.url, "M2L_CALL_LOG": str(log)}
            if environ.get("PYTHONPATH"):
                child["PYTHONPATH"] = _moved_path(environ["PYTHONPATH"], request.source, monolith)
            say(f"running it in the strangled monolith {monolith}, every service behind serve at {server.url}")
            strangled = run_suite(request.command, monolith, child, Path(scratch) / "strangled.xml",
                                  request.timeout)
        invocations = dict(server.counts)  # after the Event calls were drained
        calls = read_call_log(log.read_text(encoding="utf-8")) if log.is_file() else {}
    patches = scan_patches(read_test_files(request.source), moved)
    tests = operation_tests(operations, read_trace(request.trace).reached_by()) if request.trace else None
    return ProveReport(tuple(request.command), original, strangled, compare(original, strangled), dict(calls),
                       invocations, tuple(unreached(operations, calls)), tuple(patches), tests)


def is_pytest(command: Sequence[str]) -> bool:
    names = [Path(part).name for part in command[:3]]
    return bool(names) and (names[0] in ("pytest", "py.test") or (len(names) > 2 and names[1:3] == ["-m", "pytest"]))


def run_suite(command: Sequence[str], cwd: Path, environ: Mapping[str, str], junit: Path,
              timeout: float) -> SuiteResult:
    argv = [*command, f"--junitxml={junit}"] if is_pytest(command) else list(command)
    if os.sep in argv[0]:  # a relative program path means where prove was started, not the run's folder
        argv[0] = os.path.abspath(argv[0])
    try:
        done = run_in_session(argv, timeout, cwd=cwd, env=dict(environ))
    except FileNotFoundError:
        raise InputError(f"cannot run {command[0]!r}: not found",
                         hint="give the test command after --, e.g. -- python -m pytest") from None
    except subprocess.TimeoutExpired:
        return SuiteResult(TIMED_OUT, EXIT_CODE, None, {}, f"timed out after {timeout:g} s")
    output = done.stdout + done.stderr
    if junit.is_file():
        try:
            return parse_junit(junit.read_text(encoding="utf-8"), done.returncode, output[-3000:])
        except (OSError, ValueError, SyntaxError):  # an unreadable report (ParseError): read the output
            pass
    return parse_output(output, done.returncode)


def read_test_files(root: Path) -> dict[str, str]:
    """The test code under `root` (test_*.py, *_test.py, conftest.py, files in tests/ folders), by relative path."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if SKIPPED_FOLDERS & set(relative.parts[:-1]):
            continue
        name = path.name
        if (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
                or {"tests", "test"} & set(relative.parts[:-1])):
            try:
                found[relative.as_posix()] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
    return found


def _moved_path(pythonpath: str, source: Path, monolith: Path) -> str:
    """PYTHONPATH for the strangled run: entries in the source tree point into the monolith instead."""
    root = source.resolve()
    entries = []
    for entry in pythonpath.split(os.pathsep):
        path = Path(entry).resolve() if entry else None
        if path is not None and path.is_relative_to(root):
            entry = str(monolith.resolve() / path.relative_to(root))
        entries.append(entry)
    return os.pathsep.join(entries)


def _what(install: Install) -> str:
    if install.requirements is not None:
        return f"the requirements of {install.requirements.parent.name}"
    return ", ".join(install.lines)
