"""The service's requirements, installed for Lambda's platform and cached.

pip downloads the wheels Lambda's Linux would pick (manylinux, CPython, the runtime's
Python version), whatever machine runs the deploy, so a package built on a Mac runs on
Lambda. Every manylinux tag the runtime's glibc supports is offered: python3.12 and later
run on Amazon Linux 2023 (glibc 2.34), so a dependency that ships only `manylinux_2_28`
wheels installs there; python3.8 to 3.11 run on Amazon Linux 2 (glibc 2.26). boto3 and
botocore are left out: the Python runtime provides them. The result is cached under the
hash of what decides it (the requirements and the platform), so a second deploy of
unchanged requirements neither downloads nor reinstalls anything.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from analyzer.errors import InputError

from ..requirements import canonical
from .errors import DeployError

PROVIDED_BY_RUNTIME = ("boto3", "botocore")
CACHE_FORMAT = 1  # bump when the layout of a cached folder changes
MACHINES = {"x86_64": "x86_64", "arm64": "aarch64"}  # template Architectures -> the wheels' machine
OLDEST_GLIBC = 17  # manylinux2014 (glibc 2.17): the oldest tag pip is given (it adds manylinux2010/1 itself)
AMAZON_LINUX_2023 = 34  # glibc 2.34: python3.12 and later
AMAZON_LINUX_2 = 26  # glibc 2.26: python3.8 to python3.11
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Platform:
    """What pip's --platform (one per tag), --implementation and --python-version select wheels for."""

    tags: tuple[str, ...]  # manylinux_2_34_x86_64, ... manylinux_2_17_x86_64, manylinux2014_x86_64
    implementation: str  # cp
    python_version: str  # 3.12

    @property
    def platform(self) -> str:
        """The newest tag, naming the platform in messages."""
        return self.tags[0]


def platform_tags(runtime: str, architecture: str) -> list[str]:
    """pip's --platform values for a Lambda runtime: every manylinux tag its glibc runs, newest first.

    pip takes the given tags literally (it widens only manylinux2014 to manylinux2010 and
    manylinux1), so each glibc from the runtime's down to 2.17 is listed, plus the legacy
    manylinux2014 spelling older wheels carry alone."""
    machine = MACHINES.get(architecture)
    if machine is None:
        raise InputError(f"template.yaml: unknown architecture {architecture!r}", hint="use x86_64 or arm64")
    version = runtime.removeprefix("python")
    major, _, minor = version.partition(".")
    if major != "3" or not minor.isdigit() or int(minor) < 8:
        raise InputError(f"template.yaml: {runtime} is not a Python runtime Lambda offers",
                         hint="use python3.10 or later (python3.12 and later run on Amazon Linux 2023)")
    glibc = AMAZON_LINUX_2023 if int(minor) >= 12 else AMAZON_LINUX_2
    return [*(f"manylinux_2_{g}_{machine}" for g in range(glibc, OLDEST_GLIBC - 1, -1)), f"manylinux2014_{machine}"]


def lambda_platform(runtimes: Iterable[tuple[str, str]]) -> Platform:
    """The one platform of a package's functions: they share one zip, so they must agree."""
    found = sorted(set(runtimes))
    if len(found) != 1 or not found[0][0].startswith("python3."):
        listed = ", ".join(f"{runtime}/{arch}" for runtime, arch in found) or "none"
        raise InputError(f"template.yaml: the functions need one Python runtime and architecture, found {listed}",
                         hint="give every function the same Runtime (python3.x) and Architectures, in Globals")
    runtime, architecture = found[0]
    return Platform(tuple(platform_tags(runtime, architecture)), "cp", runtime.removeprefix("python"))


def install_requirements(requirements: Path, platform: Platform, cache_dir: Path) -> Path | None:
    """The folder holding the installed requirements (None when there are none to install)."""
    wanted = _wanted(requirements)
    if not wanted:
        return None
    target = cache_dir / "requirements" / _cache_key(wanted, platform)
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".installing-") as work:
        listed = Path(work) / "requirements.txt"
        listed.write_text("\n".join(wanted) + "\n", encoding="utf-8")
        installed = Path(work) / "site"
        _pip(pip_command(listed, installed, platform), requirements)
        _tidy(installed)
        try:
            installed.rename(target)
        except OSError:  # another deploy cached the same requirements meanwhile: theirs is as good
            if not target.is_dir():
                raise
    return target


def _wanted(requirements: Path) -> list[str]:
    """The requirement lines, without comments and without what the runtime provides."""
    if not requirements.exists():
        return []
    lines = [line.split("#", 1)[0].strip() for line in requirements.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not _provided(line)]


def _provided(line: str) -> bool:
    match = _NAME.match(line)
    return match is not None and canonical(match.group(1)) in PROVIDED_BY_RUNTIME


def _cache_key(wanted: list[str], platform: Platform) -> str:
    decided_by = {"format": CACHE_FORMAT, "requirements": wanted, "platform": asdict(platform),
                  "excluded": PROVIDED_BY_RUNTIME}
    return hashlib.sha256(json.dumps(decided_by, sort_keys=True).encode()).hexdigest()[:32]


def pip_command(listed: Path, target: Path, platform: Platform) -> list[str]:
    """pip's command line: binary wheels only, for Lambda's platform tags, into `target`."""
    tags = [arg for tag in platform.tags for arg in ("--platform", tag)]
    return [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input",
            "--no-compile", "--target", str(target), *tags, "--only-binary=:all:",
            "--implementation", platform.implementation, "--python-version", platform.python_version,
            "-r", str(listed)]


def _pip(command: list[str], requirements: Path) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = " ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise DeployError(f"{requirements}: pip could not install the requirements for Lambda "
                          f"({_tags_of(command)}): {said}",
                          hint="every requirement needs a wheel for Lambda's platform (manylinux); pin a version "
                               "that has one, and check that PyPI (or PIP_INDEX_URL) is reachable")


def _tags_of(command: list[str]) -> str:
    tags = [command[i + 1] for i, arg in enumerate(command[:-1]) if arg == "--platform"]
    return tags[0] if len(tags) == 1 else f"{tags[0]} down to {tags[-1]}"


def _tidy(installed: Path) -> None:
    """Drop what Lambda does not use and what would differ between machines.

    Console scripts (bin/) carry the local interpreter's path in their first line, and
    RECORD files list those scripts with their hashes: both would make the same
    requirements zip differently on two machines. boto3 and botocore may come in as
    dependencies of something else; the runtime's own copy is used instead."""
    shutil.rmtree(installed / "bin", ignore_errors=True)
    for entry in list(installed.iterdir()):
        name = canonical(entry.name.split("-")[0] if entry.name.endswith(".dist-info") else entry.name)
        if name in PROVIDED_BY_RUNTIME:
            shutil.rmtree(entry, ignore_errors=True)
    for record in installed.glob("*.dist-info/RECORD"):
        lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
        record.write_text("".join(line for line in lines if not line.startswith("..")), encoding="utf-8")
