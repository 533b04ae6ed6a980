"""Reading every file's facts: from the cache when the content is unchanged, otherwise
parsed in a pool of worker processes. Each file's outcome is a value, so one bad file
never stops the run.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import ANALYZER_VERSION
from .facts import Diagnostic, FileFacts
from .parse import extract_facts
from .sources import SourceFile


Progress = Callable[[int, int], None]  # (done, total)
PARALLEL_THRESHOLD = 64  # below this many files to parse, a pool costs more than it saves
CACHE_FILE = "facts.pickle"
MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True, slots=True)
class CollectStats:
    files: int
    parsed: int
    cached: int
    fingerprint: str  # changes when any file's content, path or module name changes


def file_key(source: SourceFile, data: bytes) -> str:
    digest = hashlib.blake2b(data, digest_size=16)
    digest.update(f"\0{ANALYZER_VERSION}\0{source.relpath}\0{source.module}\0{source.is_package}".encode())
    return digest.hexdigest()


def collect_facts(sources: tuple[SourceFile, ...], cache_dir: Path | None, *, jobs: int | None = None,
                  max_file_bytes: int = MAX_FILE_BYTES,
                  progress: Progress | None = None) -> tuple[list[FileFacts], CollectStats]:
    """Facts for every source, in the order given."""
    cache = _load_cache(cache_dir)
    results: dict[str, FileFacts] = {}
    keys: dict[str, str] = {}
    todo: list[tuple[bytes, str, str, bool]] = []
    for source in sources:
        facts_or_data = _read(source, max_file_bytes)
        if isinstance(facts_or_data, FileFacts):
            results[source.relpath] = facts_or_data
            continue
        key = file_key(source, facts_or_data)
        keys[source.relpath] = key
        cached = cache.get(key)
        if cached is not None:
            results[source.relpath] = cached
        else:
            todo.append((facts_or_data, source.relpath, source.module, source.is_package))
    total = len(todo)
    if progress:
        progress(0, total)
    for done, facts in enumerate(_extract_all(todo, jobs), start=1):
        results[facts.path] = facts
        if progress:
            progress(done, total)
    new_cache = {keys[path]: facts for path, facts in results.items() if path in keys}
    if cache_dir is not None and set(new_cache) != set(cache):
        _save_cache(cache_dir, new_cache)
    ordered = [results[s.relpath] for s in sources]
    fingerprint = hashlib.blake2b("\n".join(keys.get(s.relpath, s.relpath) for s in sources).encode(),
                                  digest_size=16).hexdigest()
    return ordered, CollectStats(len(sources), total, len(sources) - total, fingerprint)


def _read(source: SourceFile, max_file_bytes: int) -> bytes | FileFacts:
    try:
        size = source.path.stat().st_size
        if size > max_file_bytes:
            facts = FileFacts(source.relpath, source.module, source.is_package, 0, parsed=False)
            facts.diagnostics.append(Diagnostic(
                source.relpath, 1, "warning", "too-large",
                f"{size / 1e6:.1f} MB is over the {max_file_bytes / 1e6:.1f} MB limit (likely generated); "
                "skipped (raise --max-file-size to include it)"))
            return facts
        return source.path.read_bytes()
    except OSError as exc:
        facts = FileFacts(source.relpath, source.module, source.is_package, 0, parsed=False)
        facts.diagnostics.append(Diagnostic(source.relpath, 1, "error", "unreadable",
                                            f"cannot be read: {exc.strerror or exc}; skipped"))
        return facts


def _extract(job: tuple[bytes, str, str, bool]) -> FileFacts:
    return extract_facts(*job)


def _extract_all(todo: list[tuple[bytes, str, str, bool]], jobs: int | None):
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(todo) < PARALLEL_THRESHOLD:
        yield from map(_extract, todo)
        return
    chunk = max(1, min(32, len(todo) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_extract, todo, chunksize=chunk)


def _load_cache(cache_dir: Path | None) -> dict[str, FileFacts]:
    """The previous run's facts; a missing, old or damaged cache is simply rebuilt."""
    if cache_dir is None:
        return {}
    path = cache_dir / CACHE_FILE
    try:
        with path.open("rb") as handle:
            document = pickle.load(handle)
        if document.get("version") != ANALYZER_VERSION:
            return {}
        return document["facts"]
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, KeyError, TypeError, ValueError):
        return {}


def _save_cache(cache_dir: Path, facts: dict[str, FileFacts]) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    temporary = cache_dir / f"{CACHE_FILE}.tmp"
    with temporary.open("wb") as handle:
        pickle.dump({"version": ANALYZER_VERSION, "facts": facts}, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, cache_dir / CACHE_FILE)
