"""Leaving a command's large heap to the operating system when the process ends.

`analyze` builds millions of small objects (facts, resolutions, the graph). Freeing them one
reference at a time costs about 0.13 s on Django's source when `analyze()` returns, and more
while the interpreter shuts down, in a command-line process that exits right after and has no
use for that memory. The command line's entry point says that the process ends with its
command (`command_line`), a command that builds such a heap asks to leave it (`leave_heap_at_exit`),
the analysis then hands its objects to `keep_until_exit` instead of dropping them, and the entry
point ends the process with `exit`, which flushes the standard streams and skips the
interpreter's teardown (mypy ends its command line the same way, for the same reason).
Anything else that runs an analysis (the test suite through click's runner, the `select` page,
`demo`) frees it as usual.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import NoReturn

_command_line = False  # the process ends when its command is done
_kept: list[object] | None = None  # a list once the process will end without teardown


def command_line() -> None:
    """Say that this process runs one command and ends with `exit`."""
    global _command_line
    _command_line = True


def leave_heap_at_exit() -> None:
    """Ask that what the command builds be left to the operating system at the end, if this
    process ends with its command; else do nothing."""
    global _kept
    if _command_line and _kept is None:
        _kept = []


def keep_until_exit(*objects: object) -> None:
    """Keep these objects alive until the process ends, if it ends without teardown: they are
    then never freed one by one, nor scanned by the cycle collector again (frozen, with all
    that is alive now). Otherwise, do nothing."""
    if _kept is not None:
        _kept.extend(objects)
        gc.freeze()


def exit(code: int | str | None) -> NoReturn:
    """End the process with `code` (as `sys.exit` takes it): at once, the streams flushed first,
    when the command asked to leave its heap and the code is a number; else by raising
    SystemExit as usual, also under a profiler or a tracer (cProfile, coverage), which write
    their results as the interpreter ends."""
    watched = sys.getprofile() is not None or sys.gettrace() is not None
    if _kept is None or watched or not (code is None or isinstance(code, int)):
        raise SystemExit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream: nothing more can go out
            stream.flush()
    os._exit(code or 0)
