"""Writing files whole or not at all: every file mono2lambda writes goes through here."""

from __future__ import annotations

import contextlib
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
    import tempfile  # with shutil, bz2 and lzma: imported by the commands that write, not by those that read

    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    mode = _mode_for(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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
