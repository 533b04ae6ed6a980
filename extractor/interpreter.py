"""The Python that runs an app's code: which interpreter, its version, and what its wheels depend on.

An app is tested on its own Python, which need not be the one mono2lambda runs on (wger pins
a Django that needs 3.12; CTFd needs 3.11 exactly). So:
- `extract --python PATH` imports the monolith's modules with the app's interpreter, reads the
  installed distributions there (import names -> distributions, versions), and makes the
  templates ask for that interpreter's Lambda runtime (`python3.X`) unless the plan names one;
- `serve` and `prove` run each function's workers, and install its requirements, with an
  interpreter of the runtime its template asks for: `--python` when given, else this one when
  its version matches, else `python3.X` found on PATH, else this one (and say so).
Asking an interpreter is one short child process (`probe`), cached per path.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from analyzer.errors import InputError

PROBE = ("import json, sys, sysconfig; print(json.dumps([sys.version_info[0], sys.version_info[1], "
         "sys.implementation.cache_tag, sysconfig.get_platform()]))")
# import name -> distributions, and each distribution's version, as the interpreter's environment has them
DISTRIBUTIONS = ("import json; from importlib import metadata; print(json.dumps([metadata.packages_distributions(), "
                 "{d.metadata['Name']: d.version for d in metadata.distributions() if d.metadata['Name']}]))")
PROBE_TIMEOUT = 60.0


@dataclass(frozen=True)
class Interpreter:
    executable: str  # as given (a venv's bin/python stays the venv's, never resolved to its base)
    version: tuple[int, int]
    tag: str  # e.g. "cpython-312 linux-x86_64": what compiled wheels installed for it depend on

    @property
    def runtime(self) -> str:
        """The Lambda runtime of the same Python version: `python3.12`."""
        return f"python{self.version[0]}.{self.version[1]}"

    @property
    def is_current(self) -> bool:
        return self.executable == sys.executable


def current() -> Interpreter:
    return Interpreter(sys.executable, (sys.version_info[0], sys.version_info[1]),
                       f"{sys.implementation.cache_tag} {sysconfig.get_platform()}")


@cache
def probe(executable: str) -> Interpreter:
    """What `executable` is; InputError when it cannot be run as a Python 3."""
    path = str(Path(executable).absolute()) if Path(executable).exists() else executable
    if path == sys.executable:
        return current()
    try:
        done = subprocess.run([path, "-I", "-S", "-c", PROBE], capture_output=True, text=True, timeout=PROBE_TIMEOUT,
                              check=False)
        major, minor, cache_tag, platform = json.loads(done.stdout) if done.returncode == 0 else [None] * 4
    except (OSError, ValueError, subprocess.TimeoutExpired) as error:
        raise InputError(f"{executable}: cannot run it as Python ({error})",
                         hint="pass the app's interpreter, e.g. --python venv/bin/python") from None
    if major is None:
        said = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise InputError(f"{executable}: cannot run it as Python ({said[:200]})",
                         hint="pass the app's interpreter, e.g. --python venv/bin/python")
    return Interpreter(path, (int(str(major)), int(str(minor))), f"{cache_tag} {platform}")


def find_runtime(runtime: str) -> Interpreter | None:
    """An interpreter for the Lambda runtime `runtime` (`python3.12`): this one when it is of that
    version, else `python3.12` on PATH when it runs and is; None when there is none."""
    here = current()
    if here.runtime == runtime:
        return here
    found = shutil.which(runtime)
    if found is None:
        return None
    try:
        candidate = probe(found)
    except InputError:  # a shim (pyenv) that names a version it cannot run here
        return None
    return candidate if candidate.runtime == runtime else None


def choose(runtimes: Iterable[str], explicit: str | None) -> tuple[dict[str, Interpreter], list[str]]:
    """The interpreter for each runtime the templates ask for, and notes where one departs from it."""
    given = probe(explicit) if explicit else None
    chosen: dict[str, Interpreter] = {}
    notes = []
    for runtime in sorted(set(runtimes)):
        python = given or find_runtime(runtime) or current()
        chosen[runtime] = python
        if python.runtime != runtime and runtime:
            how = "--python" if given else "no python of that version here, so serve's own"
            notes.append(f"the templates ask for {runtime}; the workers run {python.runtime} ({how}: "
                         f"{python.executable}); pass the app's interpreter with --python")
    return chosen, notes


PYDANTIC = "import pydantic; print(pydantic.VERSION)"


def pydantic_version(python: Interpreter) -> str | None:
    """The pydantic `python` imports (None: none), as its code would import it."""
    done = subprocess.run([python.executable, "-I", "-c", PYDANTIC], capture_output=True, text=True,
                          timeout=PROBE_TIMEOUT, check=False)
    return (done.stdout.strip() or None) if done.returncode == 0 else None


def distributions(python: Interpreter) -> tuple[Mapping[str, list[str]], dict[str, str]]:
    """Import names -> distributions, and distribution versions, of `python`'s installed environment."""
    if python.is_current:
        return metadata.packages_distributions(), {d.metadata["Name"]: d.version for d in metadata.distributions()
                                                   if d.metadata["Name"]}
    done = subprocess.run([python.executable, "-I", "-c", DISTRIBUTIONS], capture_output=True, text=True,
                          timeout=PROBE_TIMEOUT, check=False)
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise InputError(f"{python.executable}: cannot list its installed distributions ({said[:200]})",
                         hint="pass an interpreter of Python 3.10 or newer (--python)")
    providers, versions = json.loads(done.stdout)
    return providers, versions
