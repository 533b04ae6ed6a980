"""Understand a Python monolith: facts per file, resolution, the graph, data dependencies."""

from __future__ import annotations

import hashlib
from pathlib import Path

GRAPH_SCHEMA = "1"
# The code whose changes can change an analysis: the graph stage and its sub-packages. Not
# boundaries/, which reads finished graphs and never shapes one.
FINGERPRINTED = ("*.py", "frameworks/*.py")


def _fingerprinted_files(root: Path) -> list[Path]:
    """The analyzer's own source files, in a fixed order (by path relative to `root`)."""
    found = {path for pattern in FINGERPRINTED for path in root.glob(pattern)}
    return sorted(found, key=lambda path: path.relative_to(root).as_posix())


def _code_fingerprint(root: Path = Path(__file__).parent) -> str:
    """Caches are keyed by the analyzer's own code, so a changed analyzer never reuses stale facts."""
    digest = hashlib.blake2b(digest_size=6)
    for path in _fingerprinted_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


ANALYZER_VERSION = f"{GRAPH_SCHEMA}+{_code_fingerprint()}"
