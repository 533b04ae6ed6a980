"""requirements.txt of a package: the third-party distributions its code really imports.

Import names become distribution names through the installed environment's metadata
(`yaml` is PyYAML, `sqlalchemy` is SQLAlchemy); versions come from the monolith's lock
file when it has one (`requirements.txt` or `requirements.lock` with `name==version`
lines, next to the source), otherwise from the environment extract runs in. boto3 and
botocore are left out: the Lambda Python runtime provides them.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

RUNTIME_NEEDS = ("aws-lambda-powertools", "pydantic")  # the m2l_runtime every package carries
PROVIDED_BY_LAMBDA = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"})
LOCK_FILES = ("requirements.lock", "requirements.txt")
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)")


@dataclass(frozen=True)
class Requirements:
    pins: tuple[str, ...]  # `name==version` lines, sorted
    unknown: tuple[str, ...]  # import names no installed distribution provides


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def third_party(imports: Iterable[str], local: Iterable[str]) -> list[str]:
    """Top-level import names that are neither the standard library nor the monolith's own."""
    skip = set(sys.stdlib_module_names) | set(local) | {"__future__", "builtins"}
    return sorted({name.partition(".")[0] for name in imports} - skip)


def resolve(names: Iterable[str], providers: Mapping[str, list[str]], versions: Mapping[str, str]) -> Requirements:
    """Distributions for import `names`, plus what the runtime needs, pinned from `versions`."""
    distributions = set(RUNTIME_NEEDS)
    unknown = []
    for name in names:
        found = providers.get(name)
        if found:
            distributions.add(sorted(found)[0])
        else:
            unknown.append(name)
    wanted = sorted({canonical(d): d for d in distributions}.items())
    pins = [f"{name}=={versions[key]}" if key in versions else name
            for key, name in wanted if key not in PROVIDED_BY_LAMBDA]
    return Requirements(tuple(sorted(pins, key=str.lower)), tuple(unknown))


def installed_providers() -> Mapping[str, list[str]]:
    return metadata.packages_distributions()


def pinned_versions(source_root: Path) -> dict[str, str]:
    """Versions from the monolith's lock file, else from the installed environment."""
    for name in LOCK_FILES:
        lock = source_root / name
        if lock.is_file():
            pins = (_PIN.match(line) for line in lock.read_text(encoding="utf-8").splitlines())
            return {canonical(m.group(1)): m.group(2) for m in pins if m}
    return {canonical(d.metadata["Name"]): d.version for d in metadata.distributions() if d.metadata["Name"]}
