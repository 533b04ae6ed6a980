"""The graph node attributes of each file's definitions, kept from the last run by the file's
content key (collect.py's): they depend on that file's facts alone, and making them again for
some 12,000 definitions costs more than reading them back.

Each file's attributes are one `marshal` blob (plain dicts, lists, strings and numbers);
the cache file is `MAGIC + HMAC-SHA256(key, body) + body` like the facts cache, and a file
whose signature does not match, or of another analyzer version, is ignored (the attributes
are made again)."""

from __future__ import annotations

import marshal
from pathlib import Path

from . import ANALYZER_VERSION
from .cachekey import CACHE_FORMAT, opened, sealed
from .files import write_atomic

NODES_FILE = "nodes.marshal"
NODES_MAGIC = b"M2L-NODES-HMAC-SHA256\n"
NODES_FORMAT = 1


def load_node_blobs(cache_dir: Path, key: bytes) -> dict[str, bytes]:
    """{content key: the file's encoded node attributes} of the last run; empty when there is
    none that this user's key signed for this analyzer."""
    try:
        data = (cache_dir / NODES_FILE).read_bytes()
    except OSError:
        return {}
    body = opened(NODES_MAGIC, key, data)
    if body is None:
        return {}
    try:
        document = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(document, dict) or document.get("version") != _version():
        return {}
    blobs = document.get("nodes")
    return blobs if isinstance(blobs, dict) else {}


def save_node_blobs(cache_dir: Path, key: bytes, blobs: dict[str, bytes]) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    body = marshal.dumps({"version": _version(), "nodes": blobs})
    write_atomic(cache_dir / NODES_FILE, sealed(NODES_MAGIC, key, body))


def _version() -> tuple[int, int, str]:
    return (CACHE_FORMAT, NODES_FORMAT, ANALYZER_VERSION)
