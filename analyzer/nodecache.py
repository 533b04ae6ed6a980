"""The graph node attributes of each file's definitions, kept from the last run by the file's
content key (collect.py's): they depend on that file's facts alone, and making them again for
some 12,000 definitions costs more than reading them back.

Each file's attributes are one `marshal` blob (plain dicts, lists, strings and numbers), kept
in a signed store (blobstore.py) like the facts: a file whose signature does not match, or of
another analyzer version, is ignored (the attributes are made again), and after a few files
changed only theirs are written, to a side file bound to the bulk it extends."""

from __future__ import annotations

from pathlib import Path

from . import ANALYZER_VERSION
from .blobstore import BlobFile, Stored, load_blobs, save_blobs
from .cachekey import CACHE_FORMAT

NODES_FILE = "nodes.marshal"
NODES_MAGIC = b"M2L-NODES-HMAC-SHA256\n"
NODES_FORMAT = 2  # 2: extended by a side file (blobstore.py)


def load_node_blobs(cache_dir: Path, key: bytes) -> Stored:
    """The last run's {content key: the file's encoded node attributes} (`.blobs`); empty when
    there is none that this user's key signed for this analyzer."""
    return load_blobs(_nodes_file(cache_dir), key)


def save_node_blobs(cache_dir: Path, key: bytes, blobs: dict[str, bytes], stored: Stored) -> None:
    save_blobs(_nodes_file(cache_dir), key, blobs, stored)


def save_node_cache(cache_dir: Path, key: bytes, content_keys: dict[str, str], stored: Stored,
                    made: dict[str, bytes]) -> None:
    """The store for this run's files (`content_keys`: by path): the blobs it held of those
    unchanged, and those `made` (by path) of the others; written only when that differs."""
    kept = stored.blobs
    wanted = {k: kept.get(k) or made.get(path) for path, k in content_keys.items()}
    if made or wanted.keys() != kept.keys():
        save_node_blobs(cache_dir, key, {k: blob for k, blob in wanted.items() if blob is not None}, stored)


def _nodes_file(cache_dir: Path) -> BlobFile:
    return BlobFile(cache_dir / NODES_FILE, NODES_MAGIC, (CACHE_FORMAT, NODES_FORMAT, ANALYZER_VERSION))
