"""Work that needs the facts alone, done in a forked process while this one builds the program
(values.Program, the bindings, the data model: a quarter of a second on Django's source, on one
core, before the resolution forks): the facts this process parsed encoded and the facts cache
written (collect.py), and every file's node attributes made (build.py) and the node cache
written (nodecache.py). Without a second core, or with few files parsed, this process does the
same work itself: the facts cache at once, the node attributes while it builds the graph."""

from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path

from .collect import FactsCache, SourceText
from .facts import FileFacts
from .forked import Forked

ASIDE_FILES = 200  # below this many files parsed, forking costs about what the work aside saves


class Aside:
    """The forked process and, once it is done, what it made.

    The node attributes (2 MB on Django) come back in a file in memory, not through the pipe,
    which holds 1 MB: the process ends as soon as it is done instead of waiting for this one to
    read. Until it ends, each page this one writes first, of those they share, is copied."""

    def __init__(self, files: list[FileFacts], texts: list[SourceText], facts_cache: FactsCache,
                 cache_dir: Path | None) -> None:
        import multiprocessing

        self._memory = os.memfd_create("mono2lambda-aside")
        try:
            self._forked = Forked(multiprocessing.get_context("fork"), _work, files, texts, facts_cache, cache_dir,
                                  self._memory)
        except BaseException:
            os.close(self._memory)
            raise

    def node_blobs(self) -> dict[str, bytes]:
        """Every file's node attributes, encoded (build.encode_node_attrs), by path."""
        try:
            size = self._forked.result("saving the caches and describing definitions", hint="run again with --jobs 1")
            blobs: dict[str, bytes] = marshal.loads(os.pread(self._memory, size, 0))
        finally:
            os.close(self._memory)
        return blobs


def start_aside(files: list[FileFacts], texts: list[SourceText], facts_cache: FactsCache, cache_dir: Path | None,
                jobs: int | None, parsed: int) -> Aside | None:
    """The work aside, started, when it is worth a process; None when the caller does it."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers < 2 or parsed < ASIDE_FILES or not sys.platform.startswith("linux") or not hasattr(os, "memfd_create"):
        return None
    return Aside(files, texts, facts_cache, cache_dir)


def _work(files: list[FileFacts], texts: list[SourceText], facts_cache: FactsCache, cache_dir: Path | None,
          memory: int) -> int:
    """In the forked process: the caches saved, and the node attributes written to `memory`; their size."""
    facts_cache.save()
    data = marshal.dumps(node_blobs(files, texts, cache_dir))
    with os.fdopen(memory, "wb", closefd=False) as stream:
        stream.write(data)
    return len(data)


def node_blobs(files: list[FileFacts], texts: list[SourceText], cache_dir: Path | None) -> dict[str, bytes]:
    """Every file's node attributes, encoded, by path: read back from the node cache for a file
    whose content it holds, made for the others, and the cache saved."""
    from .build import node_attrs_blob
    from .nodecache import open_node_cache

    cache = open_node_cache(cache_dir, texts)
    blobs = cache.kept() if cache is not None else {}
    made = {facts.path: node_attrs_blob(facts) for facts in files if facts.path not in blobs}
    if cache is not None:
        cache.save(made)
    blobs.update(made)
    return blobs
