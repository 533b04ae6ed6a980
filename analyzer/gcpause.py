"""Pausing Python's cycle collector while building many small acyclic objects.

The collector runs every few hundred allocations and each full pass scans every live
container: with a loaded graph (some 200k dicts and lists) it scans them again and again
while the analysis, the graph loader or the scoring context add theirs, and none of those
hold cycles. Reference counting still frees everything as usual."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def keep_uncollected() -> None:
    """Take every object alive now out of the collector's passes for good: for a command that
    has just loaded what it keeps until it exits (a scoring context: some 300k dicts, sets and
    tuples), which each later pass would scan again, a third of `check_plan`'s time on a
    2,700-module plan. Reference counting still frees them."""
    gc.freeze()
