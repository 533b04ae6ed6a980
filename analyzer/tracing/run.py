"""The process side of `trace`: run a command with the call recorder in each of its Python
processes, and read what they recorded.

The recorder comes in through PYTHONPATH: the `shim/` folder's `sitecustomize` starts it in
every interpreter that does not run isolated (`-I`, `-E`, `-S`), whatever its version (3.8
and later), so `pytest`, `python manage.py test` and their subprocesses are all traced. An
application's own `sitecustomize` still runs after it.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError

SHIM = Path(__file__).parent / "shim"


@dataclass(frozen=True)
class TracedRun:
    exit_code: int
    records: list[dict[str, Any]] = field(repr=False)  # one document per traced process that exited cleanly


def run_traced(command: Sequence[str], cwd: Path, root: Path, files: Iterable[str],
               environ: Mapping[str, str] | None = None) -> TracedRun:
    """Run `command` in `cwd`, recording calls of the `files` (relative to `root`) it makes."""
    if not command:
        raise InputError("no command given", hint="put it after --, e.g. mono2lambda trace -- pytest -q")
    with tempfile.TemporaryDirectory(prefix="m2l-trace-") as scratch:
        env = tracer_environ(dict(os.environ if environ is None else environ), Path(scratch), root, files)
        try:
            done = subprocess.run(list(command), cwd=cwd, env=env, check=False)
        except FileNotFoundError:
            raise InputError(f"cannot run {command[0]!r}: not found",
                             hint="give the command after --, e.g. -- python -m pytest") from None
        return TracedRun(done.returncode, read_records(Path(scratch)))


def tracer_environ(environ: dict[str, str], scratch: Path, root: Path, files: Iterable[str]) -> dict[str, str]:
    """`environ` with the recorder on PYTHONPATH, configured to write into `scratch`."""
    config = scratch / "config.json"
    config.write_text(json.dumps({"root": str(root.resolve()), "files": sorted(files), "out": str(scratch)}),
                      encoding="utf-8")
    env = dict(environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SHIM), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    env["M2L_TRACE_CONFIG"] = str(config)
    return env


def read_records(scratch: Path) -> list[dict[str, Any]]:
    """What the traced processes wrote into `scratch`."""
    records = []
    for path in sorted(scratch.glob("calls-*.json")):
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # a process that died while writing: its calls are lost, the others count
    return records
