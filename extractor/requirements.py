"""requirements.txt of a package: the third-party distributions its code really imports.

Import names become distribution names through the installed environment's metadata
(`yaml` is PyYAML, `sqlalchemy` is SQLAlchemy). Versions come from the app's own lock, so
the package runs what the app was tested with: the nearest of `uv.lock`, `poetry.lock`,
`Pipfile.lock` or `==` lines of `requirements.lock` / `requirements*.txt`, looked for in
the source root and its parents up to the repository root (the first folder holding
`.git` or `pyproject.toml`). A distribution the lock does not name takes the version
installed where extract runs (the monolith's environment); one in neither stays
unpinned and is reported. Extras the app declares (`Django[argon2]>=5` in pyproject,
requirements files, Pipfile, poetry) are kept, since the code may rely on what they pull
in. boto3 and botocore are left out: the Lambda Python runtime provides them.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from analyzer.tomldoc import parse_toml

RUNTIME_NEEDS = ("aws-lambda-powertools", "pydantic")  # the m2l_runtime every package carries
RUNTIME_MINIMUM = {"pydantic": (2, 11)}  # below this the runtime cannot run: mono2lambda's own version is pinned
RUNTIME = "mono2lambda's runtime"  # the source of a version the app's own pin could not be
PROVIDED_BY_LAMBDA = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"})
ENVIRONMENT = "environment"  # the source of a version read from the installed distributions
TOML_LOCKS = ("uv.lock", "poetry.lock")
REQUIREMENT_LOCKS = ("requirements.lock", "requirements.txt")  # then the other requirements*.txt, by name
REPOSITORY_MARKERS = (".git", "pyproject.toml")
# name, [extras], then the rest (specifiers, markers); a PEP 508 line or a requirements.txt line
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(.*)$")
_EXACT = re.compile(r"^\(?\s*===?\s*([^\s;#,*()]+)\s*\)?\s*(?:(?:[;#\\]|--).*)?$")  # ==1.2 alone (not ==1.*)
_NOT_PYPI = ("git", "url", "path", "directory", "file", "editable", "virtual")  # sources no `==` can name


@dataclass(frozen=True)
class Versions:
    """What decides each requirement line: the app's lock, the environment, declared extras."""

    locked: Mapping[str, tuple[str, str]]  # canonical name -> (version, the lock file's name)
    installed: Mapping[str, str]  # canonical name -> version installed where extract runs
    extras: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # canonical name -> extras
    lock: str | None = None  # the lock file, relative to the source root (`../uv.lock`)
    ours: Mapping[str, str] = field(default_factory=dict)  # canonical name -> mono2lambda's own version


@dataclass(frozen=True)
class Requirements:
    pins: tuple[str, ...]  # `name[extras]==version` lines, sorted
    unknown: tuple[str, ...]  # import names no installed distribution provides
    sources: tuple[tuple[str, str], ...] = ()  # (distribution, where its version came from), sorted
    unpinned: tuple[str, ...] = ()  # distributions neither the lock nor the environment has a version of


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def third_party(imports: Iterable[str], local: Iterable[str]) -> list[str]:
    """Top-level import names that are neither the standard library nor the monolith's own."""
    skip = set(sys.stdlib_module_names) | set(local) | {"__future__", "builtins"}
    return sorted({name.partition(".")[0] for name in imports} - skip)


def resolve(names: Iterable[str], providers: Mapping[str, list[str]], versions: Versions) -> Requirements:
    """Distributions for import `names`, plus what the runtime needs, each pinned and with its extras."""
    distributions = set(RUNTIME_NEEDS)
    unknown = []
    for name in names:
        found = providers.get(name)
        if found:
            distributions.add(sorted(found)[0])
        else:
            unknown.append(name)
    wanted = [(key, name) for key, name in sorted({canonical(d): d for d in distributions}.items())
              if key not in PROVIDED_BY_LAMBDA]
    pins, sources, unpinned = [], [], []
    for key, name in wanted:
        extras = versions.extras.get(key, ())
        line = name + (f"[{','.join(extras)}]" if extras else "")
        version, source = versions.locked.get(key) or (versions.installed.get(key), ENVIRONMENT)
        if key in RUNTIME_MINIMUM and version and release(version) < RUNTIME_MINIMUM[key] and key in versions.ours:
            version, source = versions.ours[key], RUNTIME
        if version is None:
            pins.append(line)
            unpinned.append(name)
        else:
            pins.append(f"{line}=={version}")
            sources.append((name, source))
    return Requirements(tuple(sorted(pins, key=str.lower)), tuple(unknown),
                        tuple(sorted(sources, key=lambda s: s[0].lower())), tuple(unpinned))


def release(version: str) -> tuple[int, ...]:
    numbers = re.findall(r"\d+", version.split("+")[0])[:2]
    return tuple(int(n) for n in numbers)


def describe(versions: Versions, found: Mapping[str, Requirements]) -> list[str]:
    """extract's lines about the pins: where they came from, and what stays unpinned."""
    lock = f"the app's lock {versions.lock}" if versions.lock else "no lock found (uv.lock, poetry.lock, " \
        "Pipfile.lock, requirements*.txt with == lines)"
    lines = [f"requirements: versions from {lock}; otherwise from the environment extract runs in"]
    for service, requirements in sorted(found.items()):
        from_environment = [name for name, source in requirements.sources if source == ENVIRONMENT]
        if versions.lock and from_environment:
            lines.append(f"requirements: {service}: not in the lock, pinned from the environment: "
                         + ", ".join(from_environment))
        overridden = [name for name, source in requirements.sources if source == RUNTIME]
        if overridden:
            lines.append(f"warning: {service}: the app pins an older " + ", ".join(overridden) + " than the "
                         "package's runtime needs; pinned mono2lambda's own version (the app's code that uses the "
                         "older API may fail in the package)")
        if requirements.unpinned:
            lines.append(f"warning: {service}: requirements left unpinned (no version in the lock or the "
                         "environment): " + ", ".join(requirements.unpinned))
    return lines


def manifest_entry(requirements: Requirements) -> dict[str, Any]:
    """What the manifest records of a package's requirements: each pin's source, and the unpinned."""
    return {"pinned_from": dict(requirements.sources), "unpinned": list(requirements.unpinned)}


def installed_providers() -> Mapping[str, list[str]]:
    return metadata.packages_distributions()


def installed_versions() -> dict[str, str]:
    return {canonical(d.metadata["Name"]): d.version for d in metadata.distributions() if d.metadata["Name"]}


def with_runtime_needs(installed: Mapping[str, str]) -> dict[str, str]:
    """The app's environment's versions, plus this one's of what m2l_runtime needs where the app has
    none (an app rarely installs aws-lambda-powertools: the runtime was tested with ours)."""
    ours = {key: version for key, version in installed_versions().items() if key in RUNTIME_NEEDS}
    return {**ours, **{canonical(name): version for name, version in installed.items()}}


# --- the app's lock and declarations (files read here; parsed by the pure functions below) ----------------


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def app_versions(source_root: Path, installed: Mapping[str, str] | None = None) -> Versions:
    """The versions and extras the app's files give, for a monolith whose source is `source_root`;
    `installed`: the versions installed in the app's environment (default: this one's)."""
    folders = search_folders(source_root)
    read = cache(_read)  # the lock's requirement files and Pipfile.lock also declare extras: read once
    locked: dict[str, tuple[str, str]] = {}
    lock = None
    for folder in folders:
        found = folder_lock(folder, read)
        if found:
            lock, locked = os.path.relpath(found[0], source_root.resolve()).replace(os.sep, "/"), found[1]
            break
    ours = installed_versions()
    environment = ours if installed is None else {canonical(k): v for k, v in installed.items()}
    return Versions(locked, environment, declared_extras(folders, read), lock,
                    {key: version for key, version in ours.items() if key in RUNTIME_NEEDS})


def search_folders(source_root: Path) -> list[Path]:
    """The source root, then its parents up to the repository root (`.git` or `pyproject.toml`).

    Without a repository root above, only the source root: a lock in some unrelated folder
    further up (a home directory, /tmp) is not the app's."""
    start = source_root.resolve()
    chain = [start, *start.parents]
    for index, folder in enumerate(chain):
        if any((folder / marker).exists() for marker in REPOSITORY_MARKERS):
            return chain[:index + 1]
    return [start]


def folder_lock(folder: Path, read: Callable[[Path], str] = _read) -> tuple[Path, dict[str, tuple[str, str]]] | None:
    """The lock of one folder, in order of trust: uv.lock, poetry.lock, Pipfile.lock, requirements.

    Requirement files count only when they pin (`==`): a requirements.txt of ranges is not
    a lock. All of a folder's pinning requirement files are read, the lock file first."""
    for name in TOML_LOCKS:
        if (folder / name).is_file():
            return folder / name, _labelled(toml_lock_versions(read(folder / name)), name)
    if (folder / "Pipfile.lock").is_file():
        return folder / "Pipfile.lock", _labelled(pipfile_lock_versions(read(folder / "Pipfile.lock")),
                                                  "Pipfile.lock")
    pinned: dict[str, tuple[str, str]] = {}
    first = None
    for path in _requirement_files(folder):
        versions = requirement_versions(read(path))
        if versions:
            first = first or path
            for key, version in versions.items():
                pinned.setdefault(key, (version, path.name))
    return (first, pinned) if first else None


def declared_extras(folders: Iterable[Path], read: Callable[[Path], str] = _read) -> dict[str, tuple[str, ...]]:
    """Extras the app asks for, from every declaration in the searched folders, merged."""
    merged: list[dict[str, tuple[str, ...]]] = []
    for folder in folders:
        found: list[dict[str, tuple[str, ...]]] = []
        if (folder / "pyproject.toml").is_file():
            found.append(pyproject_extras(read(folder / "pyproject.toml")))
        if (folder / "Pipfile").is_file():
            found.append(pipfile_extras(read(folder / "Pipfile")))
        if (folder / "Pipfile.lock").is_file():
            found.append(pipfile_lock_extras(read(folder / "Pipfile.lock")))
        found.extend(requirement_extras(read(path)) for path in _requirement_files(folder))
        merged.extend(found)
    return _merge(merged)


def _requirement_files(folder: Path) -> list[Path]:
    others = sorted(p.name for p in folder.glob("requirements*.txt") if p.name not in REQUIREMENT_LOCKS)
    return [folder / name for name in (*REQUIREMENT_LOCKS, *others) if (folder / name).is_file()]


def _labelled(versions: Mapping[str, str], label: str) -> dict[str, tuple[str, str]]:
    return {key: (version, label) for key, version in versions.items()}


# --- parsers: text in, {canonical name: version} or {canonical name: extras} out --------------------------


def toml_lock_versions(text: str) -> dict[str, str]:
    """`[[package]] name, version` of uv.lock or poetry.lock, leaving out what PyPI cannot serve.

    A package from git, a URL or a local path (the app itself, editable installs) has no
    `name==version` pip could fetch, so it is not pinned from the lock. When a lock holds
    one name twice (uv forks a resolution by markers), the first is kept."""
    versions: dict[str, str] = {}
    for package in _toml(text).get("package", []):
        name, version, source = package.get("name"), package.get("version"), package.get("source")
        if not (isinstance(name, str) and isinstance(version, str)) or _not_from_an_index(source):
            continue
        versions.setdefault(canonical(name), version)
    return versions


def _not_from_an_index(source: Any) -> bool:
    """poetry says `{type = "git"}` (`legacy` is another index: fine); uv `{git = ...}`, `{editable = "."}`."""
    if not isinstance(source, dict):
        return False
    if "type" in source:
        return source["type"] in _NOT_PYPI
    return bool(set(source) & set(_NOT_PYPI))


def pipfile_lock_versions(text: str) -> dict[str, str]:
    """`default` then `develop` of a Pipfile.lock: `{"version": "==x.y"}` per name."""
    versions: dict[str, str] = {}
    for name, entry in _pipfile_lock_entries(text):
        match = _EXACT.match(str(entry.get("version", "")))
        if match:
            versions.setdefault(canonical(name), match.group(1))
    return versions


def pipfile_lock_extras(text: str) -> dict[str, tuple[str, ...]]:
    return _extras((name, entry.get("extras")) for name, entry in _pipfile_lock_entries(text))


def requirement_versions(text: str) -> dict[str, str]:
    """`name==version` (and `name[extras]==version`) lines of a requirements file; the first wins."""
    versions: dict[str, str] = {}
    for name, _, rest in _requirement_lines(text):
        match = _EXACT.match(rest)
        if match:
            versions.setdefault(canonical(name), match.group(1))
    return versions


def requirement_extras(text: str) -> dict[str, tuple[str, ...]]:
    return _extras((name, extras) for name, extras, _ in _requirement_lines(text))


def pyproject_extras(text: str) -> dict[str, tuple[str, ...]]:
    """Extras in pyproject's `[project]` dependencies, optional dependencies and dependency
    groups (PEP 508 strings), and in poetry's `{version, extras}` tables."""
    tree = _toml(text)
    project = tree.get("project", {})
    strings = list(project.get("dependencies", []))
    for group in (*project.get("optional-dependencies", {}).values(), *tree.get("dependency-groups", {}).values()):
        strings.extend(group)
    found = [requirement_extras("\n".join(s for s in strings if isinstance(s, str)))]
    poetry = tree.get("tool", {}).get("poetry", {})
    tables = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {}),
              *(group.get("dependencies", {}) for group in poetry.get("group", {}).values())]
    found.extend(_table_extras(table) for table in tables)
    return _merge(found)


def pipfile_extras(text: str) -> dict[str, tuple[str, ...]]:
    """Extras in a Pipfile's `[packages]` and `[dev-packages]`: `name = {version, extras}`."""
    tree = _toml(text)
    return _merge([_table_extras(tree.get("packages", {})), _table_extras(tree.get("dev-packages", {}))])


def _requirement_lines(text: str) -> Iterator[tuple[str, str, str]]:
    """(name, extras, the rest) of each requirement line; options (-r, -e, --hash) are skipped."""
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")) or "://" in line or " @ " in line:
            continue
        match = _REQUIREMENT.match(line)
        if match:
            yield match.group(1), match.group(2) or "", match.group(3)


def _table_extras(table: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        return {}
    return _extras((name, spec.get("extras")) for name, spec in table.items() if isinstance(spec, dict))


def _extras(entries: Iterable[tuple[str, Any]]) -> dict[str, tuple[str, ...]]:
    found: dict[str, set[str]] = {}
    for name, extras in entries:
        names = extras.split(",") if isinstance(extras, str) else extras if isinstance(extras, list) else []
        normalized = {canonical(e.strip()) for e in names if isinstance(e, str) and e.strip()}
        if normalized:
            found.setdefault(canonical(name), set()).update(normalized)
    return {key: tuple(sorted(names)) for key, names in found.items()}


def _merge(found: Iterable[Mapping[str, tuple[str, ...]]]) -> dict[str, tuple[str, ...]]:
    merged: dict[str, set[str]] = {}
    for extras in found:
        for key, names in extras.items():
            merged.setdefault(key, set()).update(names)
    return {key: tuple(sorted(names)) for key, names in merged.items()}


def _pipfile_lock_entries(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        tree = json.loads(text)
    except ValueError:
        return
    for section in ("default", "develop"):
        entries = tree.get(section, {}) if isinstance(tree, dict) else {}
        if isinstance(entries, dict):
            yield from ((name, entry) for name, entry in entries.items() if isinstance(entry, dict))


def _toml(text: str) -> dict[str, Any]:
    """A TOML document, or nothing when it does not parse: a broken lock is no reason to stop
    extracting, and the pins then come from the environment."""
    try:
        return parse_toml(text)
    except ValueError:
        return {}
