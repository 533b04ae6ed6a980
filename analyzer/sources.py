"""Finding the Python files of a source tree and naming their modules.

Walks without following directory symlinks (so symlink loops cannot trap it), skips
virtual environments, caches and the output folder, and by default leaves test code
and schema migrations out of the graph (neither is part of any service; migrations are
often most of a Django tree's files). Migrations are the files under a folder named
`migrations` that holds Django's numbered files (`0001_initial.py`), Alembic revisions
(`1a2b3c4d5e6f_add_users.py`) or Alembic's `env.py` / `versions/` (Flask-Migrate), and under
Alembic's `versions/` folders next to an `env.py`; a `migrations` package of other code
(Django's own `django/db/migrations`, migration helpers) is kept. The number of files left
out is kept so that the summary can say how to bring them back.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .facts import Diagnostic

SKIPPED_DIRS = frozenset({
    "__pycache__", ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "env",
    "node_modules", "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    "build", "dist", ".eggs", ".mono2lambda",
})
TEST_PATTERNS = ("tests/*", "test/*", "*/tests/*", "*/test/*", "test_*.py", "*/test_*.py",
                 "*_test.py", "conftest.py", "*/conftest.py")
MIGRATIONS_DIR = "migrations"
ALEMBIC_VERSIONS_DIR = "versions"  # a migration folder only next to Alembic's env.py
MIGRATION_FILE = re.compile(r"^(\d{4}|[0-9a-f]{12})_\w*\.py$")  # Django's 0001_initial.py, Alembic's revision ids


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path  # where to read it
    relpath: str  # relative to the analyzed root, forward slashes
    module: str
    is_package: bool
    linked: bool = False  # a symbolic link (the walk follows no folder links: only these can lead out)


@dataclass(frozen=True, slots=True)
class SourceTree:
    root: Path
    files: tuple[SourceFile, ...]
    diagnostics: tuple[Diagnostic, ...]
    migrations_skipped: int = 0  # Python files in migration folders left out


def find_sources(root: Path, *, include_tests: bool = False, include_migrations: bool = False,
                 exclude: tuple[str, ...] = (), skip: tuple[Path, ...] = ()) -> SourceTree:
    """The Python files under `root`, sorted, with their module names."""
    if not root.exists():
        raise InputError(f"{root}: no such file or directory", hint="give the monolith's source folder")
    if not root.is_dir():
        raise InputError(f"{root}: not a folder", hint="give the folder that holds the monolith's code")
    root = root.resolve()
    skipped = {str(p.resolve()) for p in skip}
    prefix = _package_prefix(root)
    import_roots = ["" if base == root else _rel(base, root) for base in _import_roots(root)]
    patterns = exclude + (() if include_tests else TEST_PATTERNS)
    files: list[SourceFile] = []
    diagnostics: list[Diagnostic] = []
    seen: set[Path] = set()
    migrations = 0
    # Paths as strings and the kinds os.scandir reads with the names (no stat per file or
    # folder, no pathlib): the walk was most of a warm analyze.
    excluded = _pattern(patterns)
    stack = [(str(root), "")]
    while stack:
        directory, folder = stack.pop()
        dirnames, filenames = _scan(directory)
        kept = []
        for name, linked in dirnames:
            full = os.path.join(directory, name)
            if name in SKIPPED_DIRS or name.startswith(".") or full in skipped:
                continue
            if not include_migrations and name in (MIGRATIONS_DIR, ALEMBIC_VERSIONS_DIR) \
                    and is_migration_folder(name, [f for f, _ in filenames], _entries(Path(full))):
                migrations += _count_python_files(Path(full))
                continue
            if linked:
                diagnostics.append(Diagnostic(_join(folder, name), 1, "info", "symlink-skipped",
                                              "symlinked folder not followed"))
                continue
            kept.append((full, _join(folder, name)))
        stack.extend(reversed(kept))
        for name, kind in filenames:
            relpath = _join(folder, name)
            if excluded is not None and excluded.match(relpath):
                continue
            path = Path(directory, name)
            if kind is None:
                diagnostics.append(Diagnostic(relpath, 1, "warning", "unreadable",
                                              "broken symlink or not a regular file; skipped"))
                continue
            real = path.resolve() if kind == "link" else path
            if real in seen:
                continue
            seen.add(real)
            module, is_package = _module_name(relpath, import_roots, prefix)
            files.append(SourceFile(path, relpath, module, is_package, linked=kind == "link"))
    if not files:
        raise InputError(f"{root}: no Python files found",
                         hint="point at the folder that holds the monolith's .py files")
    files.sort(key=lambda f: f.relpath)
    return SourceTree(root, tuple(files), tuple(diagnostics), migrations)


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _scan(directory: str) -> tuple[list[tuple[str, bool]], list[tuple[str, str | None]]]:
    """A folder's entries as os.walk splits them, sorted by name: (folders, whether each is a
    symbolic link) and (the other entries named *.py, their `_file_kind`; the others, such as
    the thousands of translation files in Django's locale folders, matter to no one); nothing
    when it cannot be read."""
    folders: list[tuple[str, bool]] = []
    others: list[tuple[str, str | None]] = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    folders.append((entry.name, entry.is_symlink()))
                elif entry.name.endswith(".py"):
                    others.append((entry.name, _file_kind(entry)))
    except OSError:
        return [], []
    return sorted(folders), sorted(others, key=lambda other: other[0])


def _file_kind(entry: os.DirEntry[str]) -> str | None:
    """"file", "link" (a symbolic link to a regular file), or None (broken link, not a regular file)."""
    try:
        if entry.is_symlink():
            return "link" if stat.S_ISREG(os.stat(entry.path).st_mode) else None
        return "file" if entry.is_file(follow_symlinks=False) else None
    except (OSError, ValueError):
        return None


def _pattern(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One expression for `matches` over these patterns (None when there are none)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns)) if patterns else None


def is_migration_folder(name: str, siblings: Collection[str], entries: Collection[str]) -> bool:
    """Whether a folder holds schema migrations (`siblings`: the names beside it, `entries`:
    the names in it); see the module docstring."""
    if name == ALEMBIC_VERSIONS_DIR:
        return "env.py" in siblings
    if name != MIGRATIONS_DIR:
        return False
    return "env.py" in entries or ALEMBIC_VERSIONS_DIR in entries or any(MIGRATION_FILE.match(e) for e in entries)


def migration_folders(relpaths: Iterable[str]) -> set[str]:
    """The migration folders among the folders of these files (paths relative to the root,
    forward slashes), judged from the files alone: what `find_sources` leaves out."""
    children: dict[str, set[str]] = {}
    for path in relpaths:
        parts = path.split("/")
        for i in range(len(parts) - 1):
            children.setdefault("/".join(parts[:i]), set()).add(parts[i])
            children.setdefault("/".join(parts[:i + 1]), set()).add(parts[i + 1])
    return {folder for folder, entries in children.items() if folder
            and is_migration_folder(folder.rpartition("/")[2], children.get(folder.rpartition("/")[0], ()), entries)}


def _entries(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def _count_python_files(folder: Path) -> int:
    """The .py files a walk would have found under a folder left out (no symlinks followed)."""
    count = 0
    for directory, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith(".")
                       and not (Path(directory) / d).is_symlink()]
        count += sum(name.endswith(".py") for name in filenames)
    return count


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _package_prefix(root: Path) -> str:
    """When the root is itself a package, its modules are named from the first non-package parent."""
    parts: list[str] = []
    current = root
    while (current / "__init__.py").is_file() and current.parent != current:
        parts.insert(0, current.name)
        current = current.parent
    return ".".join(parts)


def _import_roots(root: Path) -> list[Path]:
    """The root, and a `src/` folder in it (the src layout), most specific first."""
    src = root / "src"
    if src.is_dir() and not (src / "__init__.py").exists():
        return [src, root]
    return [root]


def _module_name(relpath: str, import_roots: list[str], prefix: str) -> tuple[str, bool]:
    """The module a file defines, from its path relative to the root and the import roots
    (relative folders, "" for the root itself, most specific first)."""
    base = next(b for b in import_roots if not b or relpath.startswith(b + "/"))
    parts = relpath[len(base) + 1 if base else 0:].removesuffix(".py").split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    name = ".".join(parts)
    if prefix:
        name = f"{prefix}.{name}" if name else prefix
    return name or "__init__", is_package


def matches(relpath: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(relpath, p) for p in patterns)
