"""The graph node attributes of each file's definitions, kept from the last run by the file's
content key (collect.py's): they depend on that file's facts alone, and making them again for
some 12,000 definitions costs more than reading them back.

Each file's attributes are one `marshal` blob (plain dicts, lists, strings and numbers), kept
in a signed store (blobstore.py) like the facts: a file whose signature does not match, or of
another analyzer version, is ignored (the attributes are made again), and after a few files
changed only theirs are written, to a side file bound to the bulk it extends."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import ANALYZER_VERSION
from .blobstore import BlobFile, load_blobs, save_blobs
from .cachekey import CACHE_FORMAT, cache_key

if TYPE_CHECKING:
    from .collect import SourceText

NODES_FILE = "nodes.marshal"
NODES_MAGIC = b"M2L-NODES-HMAC-SHA256\n"
NODES_FORMAT = 2  # 2: extended by a side file (blobstore.py)


class NodeCache:
    """The store as the last run left it, for this run's files (`content_keys`: content key by path)."""

    def __init__(self, cache_dir: Path, key: bytes, content_keys: dict[str, str]) -> None:
        self._file = BlobFile(cache_dir / NODES_FILE, NODES_MAGIC, (CACHE_FORMAT, NODES_FORMAT, ANALYZER_VERSION))
        self._key, self._content_keys = key, content_keys
        self._stored = load_blobs(self._file, key)

    def kept(self) -> dict[str, bytes]:
        """{path: encoded node attributes} of the files whose content the store holds."""
        kept = self._stored.blobs
        return {path: kept[k] for path, k in self._content_keys.items() if k in kept}

    def save(self, made: dict[str, bytes]) -> None:
        """The store for this run's files: the blobs it held of those unchanged, and those `made`
        (by path) of the others; written only when that differs."""
        kept = self._stored.blobs
        wanted = {k: kept.get(k) or made.get(path) for path, k in self._content_keys.items()}
        if made or wanted.keys() != kept.keys():
            save_blobs(self._file, self._key, {k: blob for k, blob in wanted.items() if blob is not None},
                       self._stored)


def open_node_cache(cache_dir: Path | None, texts: list[SourceText]) -> NodeCache | None:
    """The node cache of this run's files, or None when there is no cache (or no key to sign it)."""
    key = cache_key() if cache_dir is not None else None
    if cache_dir is None or key is None:
        return None
    return NodeCache(cache_dir, key, {text.source.relpath: text.key for text in texts if text.key is not None})
