"""Each package's third-party requirements, installed once per distinct requirements.txt and Python.

A worker sees only its package's `src/`, one folder of dependencies and one folder of
what the Lambda runtime provides, so the folders must hold exactly that:
    <cache>/<sha256>                       `pip install --target` of the package's file (the
                                           hash of the file and of the Python's tag); packages
                                           with the same file and Python share it
    <cache>/lambda-runtime/<sha256>        boto3 (with botocore and the rest), which the
                                           Lambda Python runtime provides and extract
                                           therefore leaves out of requirements.txt;
                                           pinned to the version the server has
pip installs for the interpreter the workers run (`pip --python` when it is not this one,
which needs no pip of its own there) with its usual configuration, so the wheels match the
Python the workers run, and the folder's key holds that Python's version and platform
(wheels of one Python do not load in another). An install goes into a temporary sibling
first and is renamed into place, so an interrupted install is never mistaken for a
finished one, and a later `serve` reuses every finished folder.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from analyzer.errors import Mono2LambdaError

from ..interpreter import Interpreter, current
from .functions import FunctionSpec

DEFAULT_CACHE = Path(".mono2lambda") / "serve-cache"
RUNTIME_FOLDER = "lambda-runtime"
PROVIDED_BY_LAMBDA = ("boto3",)  # what the runtime has besides the standard library (its dependencies follow)


@dataclass(frozen=True)
class Install:
    """One dependency folder: where it goes, and the requirement lines that fill it."""

    target: Path
    lines: tuple[str, ...]
    requirements: Path | None = None  # the file the lines come from (pip reads options in it too)
    python: Interpreter | None = None  # the interpreter the folder is for (None: this one)


def requirements_key(data: bytes, python: Interpreter) -> str:
    return hashlib.sha256(data + b"\0" + python.tag.encode()).hexdigest()


def package_install(spec: FunctionSpec, cache: Path, python: Interpreter | None = None) -> Install:
    python = python or current()
    data = spec.requirements.read_bytes() if spec.requirements.is_file() else b""
    lines = tuple(line.strip() for line in data.decode("utf-8", "replace").splitlines()
                  if line.strip() and not line.strip().startswith("#"))
    return Install(cache / requirements_key(data, python), lines, spec.requirements, python)


def runtime_install(cache: Path, python: Interpreter | None = None) -> Install:
    python = python or current()
    lines = tuple(_pinned(name) for name in PROVIDED_BY_LAMBDA)
    return Install(cache / RUNTIME_FOLDER / requirements_key("\n".join(lines).encode(), python), lines, None, python)


def runtime_needs_install(cache: Path, python: Interpreter) -> Install:
    """pydantic at this environment's version, for an app's Python that has none (or an older one):
    extract reads types with it."""
    lines = (_pinned("pydantic"),)
    return Install(cache / "runtime-needs" / requirements_key("\n".join(lines).encode(), python), lines, None,
                   python)


def missing(installs: Iterable[Install]) -> list[Install]:
    """The installs still to run, each folder once, in a stable order."""
    unique = {install.target: install for install in installs}
    return [unique[target] for target in sorted(unique) if not target.is_dir()]


def run_install(install: Install) -> None:
    install.target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{install.target.name[:12]}.", dir=install.target.parent))
    try:
        if install.lines:
            _pip(install, staging)
        if not install.target.is_dir():  # another serve may have finished the same install meanwhile
            staging.rename(install.target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _pinned(name: str) -> str:
    try:
        return f"{name}=={metadata.version(name)}"
    except metadata.PackageNotFoundError:
        return name


def _pip(install: Install, target: Path) -> None:
    source = ["-r", str(install.requirements)] if install.requirements else list(install.lines)
    python = install.python or current()
    other = [] if python.is_current else ["--python", python.executable]
    command = [sys.executable, "-m", "pip", *other, "install", "--quiet", "--disable-pip-version-check", "--no-input",
               "--target", str(target), *source]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        where = install.requirements or ", ".join(install.lines)
        said = [line for line in (done.stderr or done.stdout).splitlines() if not line.startswith("WARNING:")]
        tail = "\n".join(said[-8:])
        raise Mono2LambdaError(f"{where}: pip could not install these requirements for Python "
                               f"{python.version[0]}.{python.version[1]} ({python.executable}):\n{tail}",
                               hint="check the pins and your pip index settings, then run serve again "
                                    "(finished installs are kept in the cache)")
