"""Understand a Python monolith: facts per file, resolution, the graph, data dependencies."""

from __future__ import annotations

import hashlib
from pathlib import Path

GRAPH_SCHEMA = "1"


def _code_fingerprint() -> str:
    """Caches are keyed by the analyzer's own code, so a changed analyzer never reuses stale facts."""
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


ANALYZER_VERSION = f"{GRAPH_SCHEMA}+{_code_fingerprint()}"
