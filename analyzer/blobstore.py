"""A signed cache file of blobs by key, extended by a small side file after a few changes.

The facts and node caches hold one encoded blob per file content key. After a one-file edit,
only a blob or two differ, so instead of rewriting (signing, syncing) the whole file, the run
writes what differs from it to a side file: the blobs added, the keys gone. The next run reads
the bulk and applies the side file on top. Once the side file would grow past an eighth of the
bulk, the two are merged: the bulk is written whole and the side file removed.

Both files are `MAGIC + HMAC-SHA256(key, body) + body` (cachekey.py) with a marshal body, and
neither is decoded unless its signature matches this user's key. The side file names the
signature of the bulk it extends: a side file made against another bulk (an older run's, or
one copied from elsewhere) is ignored, and the bulk is read alone. Each file is written whole
(files.write_atomic); the bulk is written before the side file is removed, so a crash between
leaves a side file that names the old bulk and is ignored.
"""

from __future__ import annotations

import contextlib
import marshal
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

from .cachekey import SIGNATURE_BYTES, opened, sign
from .files import write_atomic

SIDE_SUFFIX = ".side"
SIDE_SHARE = 8  # the side file is merged into the bulk once it holds more than 1/SIDE_SHARE of its bytes


@dataclass(frozen=True)
class BlobFile:
    """Where a store lives and what it is signed and versioned as."""

    path: Path
    magic: bytes
    version: tuple[object, ...]

    @property
    def side_path(self) -> Path:
        return self.path.with_name(self.path.name + SIDE_SUFFIX)

    @property
    def side_magic(self) -> bytes:
        return self.magic.replace(b"-HMAC-", b"-SIDE-HMAC-")


@dataclass
class Stored:
    """What a store held when read: its blobs (the bulk with the side file applied), the bulk's
    own blobs, its signature and size (None and 0 when there was no usable bulk), and whether a
    bulk was there but not signed by this user's key."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    bulk: dict[str, bytes] = field(default_factory=dict)
    seal: bytes | None = None
    size: int = 0
    foreign: bool = False
    side_seal: bytes | None = None  # the signature of the side file applied, if one was

    @property
    def state(self) -> tuple[bytes | None, bytes | None]:
        """The signatures of the files read: what another file written with these blobs names
        to be read only with them (`save_blobs` returns the state it wrote)."""
        return self.seal, self.side_seal


def load_blobs(where: BlobFile, key: bytes) -> Stored:
    try:
        data = where.path.read_bytes()
    except OSError:
        return Stored()
    body = opened(where.magic, key, data)
    if body is None:
        return Stored(foreign=True)
    document = _decoded(body, where.version)
    bulk = document.get("blobs") if document is not None else None
    if not _is_blobs(bulk):
        return Stored()
    seal = data[len(where.magic):len(where.magic) + SIGNATURE_BYTES]
    side = _side(where, key, seal)
    if side is None:
        return Stored(bulk, bulk, seal, len(data))
    (added, removed), side_seal = side
    blobs = {**bulk, **added}
    for gone in removed:
        blobs.pop(gone, None)
    return Stored(blobs, bulk, seal, len(data), side_seal=side_seal)


def save_blobs(where: BlobFile, key: bytes, blobs: dict[str, bytes],
               stored: Stored) -> tuple[bytes | None, bytes | None]:
    """Keep `blobs` for the next run: as a side file on top of the bulk that was read, unless
    there was none or the side file would grow past its bound, then as a new bulk. Returns the
    state written (`Stored.state`)."""
    where.path.parent.mkdir(parents=True, exist_ok=True)
    if stored.seal is not None:
        added = {k: blob for k, blob in blobs.items() if stored.bulk.get(k) != blob}
        removed = sorted(stored.bulk.keys() - blobs.keys())
        if sum(map(len, added.values())) + sum(map(len, removed)) <= stored.size // SIDE_SHARE:
            body = marshal.dumps({"version": where.version, "base": stored.seal, "added": added,
                                  "removed": removed})
            signature = sign(key, body)
            write_atomic(where.side_path, where.side_magic + signature + body)
            return stored.seal, signature
    body = marshal.dumps({"version": where.version, "blobs": blobs})
    signature = sign(key, body)
    write_atomic(where.path, where.magic + signature + body)
    with contextlib.suppress(FileNotFoundError):
        where.side_path.unlink()
    return signature, None


def _side(where: BlobFile, key: bytes,
          seal: bytes) -> tuple[tuple[dict[str, bytes], list[str]], bytes] | None:
    """The side file's blobs added and keys removed, and its signature; None when there is no
    side file this user signed against this very bulk."""
    try:
        data = where.side_path.read_bytes()
    except OSError:
        return None
    body = opened(where.side_magic, key, data)
    document = _decoded(body, where.version) if body is not None else None
    if document is None or document.get("base") != seal:
        return None
    added, removed = document.get("added"), document.get("removed")
    if not _is_blobs(added) or not isinstance(removed, list):
        return None
    return (added, removed), data[len(where.side_magic):len(where.side_magic) + SIGNATURE_BYTES]


def _decoded(body: memoryview, version: tuple[object, ...]) -> dict[str, object] | None:
    try:
        document = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(document, dict) or document.get("version") != version:
        return None
    return document


def _is_blobs(value: object) -> TypeGuard[dict[str, bytes]]:
    return isinstance(value, dict)
