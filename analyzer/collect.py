"""Reading every file's facts: from the cache when the content is unchanged, otherwise
parsed in a pool of worker processes. Each file's outcome is a value, so one bad file
never stops the run.

Facts travel from the workers, and sit in the cache, as bytes (factcodec.py): the workers
encode them anyway to send them, and keeping those bytes makes saving the cache a copy.
The cache sits next to the analysed code (a cloned repository can ship one), so its files
are `MAGIC + HMAC-SHA256(key, body) + body` with the key outside the tree (cachekey.py); a
file whose signature does not match is never decoded: it is ignored, with an info line, and
the files are parsed again. After a few files changed, only their facts are written, to a
side file bound to the bulk it extends (blobstore.py).
"""

from __future__ import annotations

import gc
import hashlib
import mmap
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from . import ANALYZER_VERSION
from .blobstore import BlobFile, Stored, load_blobs, save_blobs
from .cachekey import CACHE_FORMAT, cache_key, key_dir
from .factcodec import decode_facts, encode_facts
from .facts import Diagnostic, FileFacts
from .forked import ForkedItems
from .sources import SourceFile

Progress = Callable[[int, int], None]  # (done, total)
PARALLEL_THRESHOLD = 64  # below this many files to parse, a pool costs more than it saves
CACHE_FILE = "facts.marshal"
LEGACY_CACHE_FILE = "facts.pickle"  # the facts cache before format 2: removed once the new one is written
FACTS_FORMAT = 2  # 2: a marshal document, extended by a side file (blobstore.py)
CACHE_MAGIC = b"M2L-FACTS-HMAC-SHA256\n"
MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True, slots=True)
class SourceText:
    """One file's bytes and their cache key, or the facts that say why it can't be read."""

    source: SourceFile
    data: bytes | None
    key: str | None
    problem: FileFacts | None = None


@dataclass(frozen=True, slots=True)
class CollectStats:
    files: int
    parsed: int
    cached: int
    cache_note: str | None = None  # why a cache file there was not used, when it was not


def _info(line: str) -> None:
    print(f"info: {line}", file=sys.stderr)


Note = Callable[[str], None]


def read_sources(sources: tuple[SourceFile, ...], max_file_bytes: int = MAX_FILE_BYTES) -> list[SourceText]:
    return [_read(source, max_file_bytes) for source in sources]


def fingerprint(texts: list[SourceText], *extra: object) -> str:
    """Changes when any file's content, path or module name changes (or anything in `extra`)."""
    digest = hashlib.blake2b(f"{ANALYZER_VERSION}\0{extra!r}".encode(), digest_size=16)
    for text in texts:
        digest.update(f"\0{text.key or text.source.relpath}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def collect_facts(texts: list[SourceText], cache_dir: Path | None, *, jobs: int | None = None,
                  progress: Progress | None = None, note: Note = _info,
                  previous: dict[str, bytes] | None = None) -> tuple[list[FileFacts], CollectStats]:
    """Facts for every file, in the order given, with the cache saved; `note` gets the reason a
    cache file was ignored; `previous`, when given, gets the cache as it was read (encoded facts
    by content key)."""
    found, stats, cache = gather_facts(texts, cache_dir, jobs=jobs, progress=progress, note=note, previous=previous)
    cache.save()
    return found, stats


def gather_facts(texts: list[SourceText], cache_dir: Path | None, *, jobs: int | None = None,
                 progress: Progress | None = None, note: Note = _info,
                 previous: dict[str, bytes] | None = None) -> tuple[list[FileFacts], CollectStats, FactsCache]:
    """`collect_facts` with the saving of the cache left to the caller (`FactsCache.save`), which
    may do it in another process: the facts this process parsed are encoded there."""
    key = cache_key() if cache_dir is not None else None
    stored, cache_note = _load_cache(cache_dir, key)
    cache = stored.blobs
    if previous is not None:
        previous.update(cache)
    if cache_note is not None:
        note(cache_note)
    blobs: dict[str, bytes] = {}
    todo: list[tuple[bytes, str, str, bool]] = []
    for text in texts:
        if text.key is not None and text.key in cache:
            blobs[text.source.relpath] = cache[text.key]
        elif text.data is not None:
            todo.append((text.data, text.source.relpath, text.source.module, text.source.is_package))
    if progress:
        progress(0, len(todo))
    made: dict[str, FileFacts] = {}  # parsed (or decoded as a worker sent them): not decoded again
    for done, (path, blob, facts) in enumerate(_extract_all(todo, jobs), start=1):
        if blob is not None:
            blobs[path] = blob
        made[path] = facts
        if progress:
            progress(done, len(todo))
    found = [text.problem or made.get(text.source.relpath) or decode_facts(blobs[text.source.relpath])
             for text in texts]
    saving = FactsCache(texts, cache_dir, key, stored, blobs, made)
    return found, CollectStats(len(texts), len(todo), len(texts) - len(todo), cache_note), saving


@dataclass(frozen=True)
class FactsCache:
    """What saving the facts cache needs once the facts are found: the blobs read from it or sent
    by workers, and the facts parsed here, encoded when saved."""

    texts: list[SourceText]
    cache_dir: Path | None
    key: bytes | None
    stored: Stored
    blobs: dict[str, bytes]
    made: dict[str, FileFacts]

    @property
    def to_encode(self) -> int:
        """How many files' facts `save` encodes."""
        if self.cache_dir is None or self.key is None:
            return 0
        return sum(1 for t in self.texts if t.key is not None and t.source.relpath not in self.blobs)

    def save(self) -> None:
        """The cache written, unless it holds these files' facts already."""
        if self.cache_dir is None or self.key is None:
            return
        new_cache = {t.key: self._blob(t.source.relpath) for t in self.texts if t.key is not None}
        if new_cache.keys() != self.stored.blobs.keys():
            save_blobs(_facts_file(self.cache_dir), self.key, new_cache, self.stored)
            (self.cache_dir / LEGACY_CACHE_FILE).unlink(missing_ok=True)

    def _blob(self, path: str) -> bytes:
        found = self.blobs.get(path)
        return found if found is not None else encode_facts(self.made[path])


def _file_key(source: SourceFile, data: bytes) -> str:
    digest = hashlib.blake2b(data, digest_size=16)
    digest.update(f"\0{ANALYZER_VERSION}\0{source.relpath}\0{source.module}\0{source.is_package}".encode())
    return digest.hexdigest()


def _read(source: SourceFile, max_file_bytes: int) -> SourceText:
    if not _is_utf8(source.relpath):
        named = _printable(source)
        return SourceText(source, None, None, _problem(named, Diagnostic(
            named.relpath, 1, "warning", "bad-file-name",
            "the file name is not valid UTF-8 (it cannot be a module name); skipped")))
    if _leaves_tree(source):
        return SourceText(source, None, None, _problem(source, Diagnostic(
            source.relpath, 1, "warning", "symlink-outside",
            "a symbolic link to a file outside the analysed tree; skipped (copy the file in to analyse it)")))
    try:
        size = source.path.stat().st_size
        if size > max_file_bytes:
            return SourceText(source, None, None, _problem(source, Diagnostic(
                source.relpath, 1, "warning", "too-large",
                f"{size / 1e6:.1f} MB is over the {max_file_bytes / 1e6:.1f} MB limit (likely generated); "
                "skipped (raise --max-file-size to include it)")))
        data = source.path.read_bytes()
        return SourceText(source, data, _file_key(source, data))
    except OSError as exc:
        return SourceText(source, None, None, _problem(source, Diagnostic(
            source.relpath, 1, "error", "unreadable", f"cannot be read: {exc.strerror or exc}; skipped")))


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # os.walk gives undecodable bytes of a name as lone surrogates
        return False
    return True


def _printable(source: SourceFile) -> SourceFile:
    """The file with its undecodable bytes shown as U+FFFD, so that reports and the graph can carry it."""
    def clean(text: str) -> str:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return SourceFile(source.path, clean(source.relpath), clean(source.module), source.is_package, source.linked)


def _leaves_tree(source: SourceFile) -> bool:
    """Whether the file is a symbolic link that leads out of the analysed tree (the walk
    follows no folder links, so a file that is not a link stays inside)."""
    if not source.linked:
        return False
    depth = len(Path(source.relpath).parts)
    root = source.path.parents[depth - 1] if depth else source.path.parent
    try:
        return not source.path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return True


def _problem(source: SourceFile, diagnostic: Diagnostic) -> FileFacts:
    facts = FileFacts(source.relpath, source.module, source.is_package, 0, parsed=False)
    facts.diagnostics.append(diagnostic)
    return facts


Job = tuple[bytes, str, str, bool]  # a file's bytes, path, module and whether it is a package's __init__
Extracted = tuple[str, bytes | None, FileFacts]  # path, encoded facts (None when made here), the facts


def _extract_chunk(jobs: list[Job]) -> list[tuple[str, bytes]]:
    """In a worker: some files' facts as the bytes that travel back and go into the cache."""
    from .parse import extract_facts

    return [(job[1], encode_facts(extract_facts(*job))) for job in jobs]


def _extract_here(jobs: list[Job]) -> Iterator[Extracted]:
    from .parse import extract_facts  # the parser and its helpers: not needed when every file is cached

    for job in jobs:
        yield job[1], None, extract_facts(*job)


def _extract_all(todo: list[Job], jobs: int | None) -> Iterator[Extracted]:
    """(path, encoded facts, facts) for each file to parse; the facts made in this process are
    not encoded (None).

    With N workers, this process is one of them: N - 1 forked worker processes take chunks of
    files from the front of the list and this one takes them from the back, until they meet
    (a shared pair of bounds says which chunks are left). The workers inherit the files'
    bytes instead of receiving them, and this process's own files are neither encoded to
    travel nor decoded. A worker sends each chunk's facts as soon as they are made, and this
    process decodes them between its own chunks, so that little is left to decode when the
    last chunk is done. A worker that dies is an error, never a wait. Where processes cannot
    be forked, a pool of N parses and sends back."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(todo) < PARALLEL_THRESHOLD:
        yield from _extract_here(todo)
        return
    import multiprocessing  # some 7 ms to import

    from . import parse  # noqa: F401  (imported before the workers start: forked workers inherit it)

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from _extract_in_pool(todo, workers)
        return
    context = multiprocessing.get_context("fork")
    chunks = [todo[start:start + CHUNK_FILES] for start in range(0, len(todo), CHUNK_FILES)]
    bounds = Bounds(len(chunks))
    try:
        # no more workers than chunks to share; forked: each inherits the chunks and the parser
        others = [ForkedItems(context, _extract_from_front, chunks, bounds)
                  for _ in range(min(workers - 1, len(chunks) - 1))]
        while (index := _claim(bounds, from_front=False)) is not None:
            yield from _extract_here(chunks[index])
            for worker in others:  # what the workers sent meanwhile: decoded now, not after the last chunk
                yield from _decoded(worker.ready(*WORKER_FAILED))
        for worker in others:
            yield from _decoded(worker.rest(*WORKER_FAILED))
    finally:
        bounds.close()


WORKER_FAILED = ("parsing files", "run again with --jobs 1 to see which file stops it")


def _decoded(sent: Iterable[list[tuple[str, bytes]]]) -> Iterator[Extracted]:
    for chunk in sent:
        for path, blob in chunk:
            yield path, blob, decode_facts(blob)


CHUNK_FILES = 4  # files a process claims at a time: few, so that the processes end together


class Bounds:
    """Which chunks are left, chunks[front:back], for this process and the workers it forks: two
    numbers in memory the forked processes share, changed under a lock that is one byte in a pipe
    (a process holds the lock from reading the byte until it writes it back). multiprocessing's
    shared Array does the same after some 20 ms of imports and setup, before any worker starts."""

    def __init__(self, chunks: int) -> None:
        self._memory = mmap.mmap(-1, 8)  # anonymous, shared with forked processes
        self.ends = memoryview(self._memory).cast("i")
        self.ends[1] = chunks
        self.take, self.give = os.pipe()
        os.write(self.give, b"\0")

    def close(self) -> None:
        self.ends.release()
        self._memory.close()
        os.close(self.take)
        os.close(self.give)


def _claim(bounds: Bounds, from_front: bool) -> int | None:
    """The index of the next chunk left at one end, or None when none is left."""
    os.read(bounds.take, 1)  # waits while another process holds the lock
    try:
        front, back = bounds.ends
        if front >= back:
            return None
        if from_front:
            bounds.ends[0] = front + 1
            return front
        bounds.ends[1] = back - 1
        return back - 1
    finally:
        os.write(bounds.give, b"\0")


def _extract_from_front(chunks: list[list[Job]], bounds: Bounds) -> Iterator[list[tuple[str, bytes]]]:
    """In a forked worker: the facts of each chunk it claims from the front, until none is left."""
    while (index := _claim(bounds, from_front=True)) is not None:
        yield _extract_chunk(chunks[index])


def _extract_in_pool(todo: list[Job], workers: int) -> Iterator[Extracted]:
    from concurrent.futures import ProcessPoolExecutor

    size = max(1, min(16, len(todo) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers, initializer=gc.disable) as pool:
        yield from _decoded(pool.map(_extract_chunk, [todo[start:start + size] for start in range(0, len(todo), size)]))


def _facts_file(cache_dir: Path) -> BlobFile:
    return BlobFile(cache_dir / CACHE_FILE, CACHE_MAGIC, (CACHE_FORMAT, FACTS_FORMAT, ANALYZER_VERSION))


def _load_cache(cache_dir: Path | None, key: bytes | None) -> tuple[Stored, str | None]:
    """The previous run's facts, and why a cache file was not used; a missing or old cache is rebuilt.

    Nothing is decoded unless its signature matches this user's key (blobstore.py)."""
    if cache_dir is None:
        return Stored(), None
    path = cache_dir / CACHE_FILE
    if key is None:
        note = (f"{path}: not used: the key that signs the cache cannot be read or made in {key_dir()} "
                "(files are parsed again)")
        return Stored(), note if path.exists() else None
    stored = load_blobs(_facts_file(cache_dir), key)
    if stored.foreign:
        return stored, (f"{path}: ignored: not signed by this user's key (a cache made elsewhere, e.g. shipped with "
                        "the analysed tree, is never loaded); files are parsed again")
    return stored, None
