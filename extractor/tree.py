"""Reading the monolith's source tree: every file the strangled copy needs, as bytes."""

from __future__ import annotations

from pathlib import Path

SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".hg", ".mono2lambda", ".mypy_cache", ".pytest_cache",
                          ".ruff_cache", ".tox", ".venv", "venv", "node_modules", ".hypothesis"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")


def read_tree(root: Path, exclude: tuple[Path, ...] = (), skipped: list[str] | None = None) -> dict[str, bytes]:
    """Files under `root` by relative posix path, without caches, virtualenvs and `exclude`.

    A symbolic link that leads out of `root` is never read (a link to ~/.aws/credentials
    must not be copied into a package): it is left out and named in `skipped`."""
    excluded = {p.resolve() for p in exclude}
    inside = root.resolve()
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part in SKIPPED_DIRS for part in relative.parts) or path.suffix in SKIPPED_SUFFIXES:
            continue
        target = path.resolve()
        if any(target.is_relative_to(e) for e in excluded) or not path.is_file():
            continue
        if not target.is_relative_to(inside):
            if skipped is not None:
                skipped.append(f"{relative.as_posix()}: a symbolic link out of the source tree; left out")
            continue
        files[relative.as_posix()] = path.read_bytes()
    return files


RUNTIME_EXTRACT_ONLY = ("describe.py",)  # run by extract itself, from here; no package needs it


def read_runtime(runtime: Path) -> dict[str, str]:
    """The m2l_runtime package's files that packages carry (services.json is generated per target)."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(runtime.glob("*.py"))
            if p.name not in RUNTIME_EXTRACT_ONLY}
