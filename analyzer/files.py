"""Writing files whole or not at all: every file mono2lambda writes goes through here."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import threading
from pathlib import Path

_UMASK_LOCK = threading.Lock()


def write_atomic(path: Path | str, content: str | bytes) -> None:
    """A temporary file in the same folder, flushed to disk, then renamed over `path`: a
    reader (or a crash) sees the old file or the new one, never half of one.

    The file gets the mode an ordinary write would give it: an existing file keeps its
    mode, a new one gets 0666 less the umask (not the 0600 of a temporary file)."""
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    mode = _mode_for(path)
    handle, temporary = _temporary_beside(path)
    try:
        with os.fdopen(handle, "wb") as stream:
            _set_mode(stream.fileno(), temporary, mode)
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _temporary_beside(path: Path) -> tuple[int, str]:
    """A new file, open for writing, readable by this user only, in `path`'s folder and named
    after it (`.graph.json.<random>.tmp`): what `tempfile.mkstemp` makes, without importing
    tempfile, which imports shutil, random, bz2 and lzma (some 4 ms of every command that writes)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) \
        | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0)
    for _ in range(100):
        name = str(path.parent / f".{path.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", str(path.parent))


def _mode_for(path: Path) -> int:
    """The permission bits `path` has now, or those a new file would get under the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def current_umask() -> int:
    """The process's umask (read by setting it and setting it back, under a lock)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _set_mode(fd: int, name: str, mode: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:  # Windows: only the read-only bit means anything
        os.chmod(name, mode)
