"""`analyze`: a source tree in, a graph file and a summary out. With `sources` and
`collect`, the only analyzer code that touches the file system."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .aside import start_aside
from .cachekey import cache_key, sign
from .cochange import DEFAULT_HISTORY, HistoryOptions, add_cochange_edges, read_history
from .collect import (
    MAX_FILE_BYTES,
    CollectStats,
    Progress,
    SourceText,
    fingerprint,
    gather_facts,
    read_sources,
)
from .factcodec import decode_facts
from .facts import Diagnostic, FileFacts
from .files import write_atomic
from .gcpause import no_cycle_collection
from .graph import CodeGraph
from .sources import find_sources
from .summary import summarize
from .teardown import keep_until_exit
from .tracing import TRACE_FILE

if TYPE_CHECKING:
    from .data import DataModel
    from .frameworks import Detection
    from .resolve import Resolution
    from .reuse import Reuse
    from .tracing.model import Trace
    from .values import Program

GRAPH_FILE = "graph.json"
SUMMARY_FILE = "summary.json"


@dataclass(frozen=True)
class AnalyzeOptions:
    include_tests: bool = False
    include_migrations: bool = False  # schema migrations are left out (and counted) by default
    exclude: tuple[str, ...] = ()
    jobs: int | None = None
    max_file_bytes: int = MAX_FILE_BYTES
    use_cache: bool = True
    history: HistoryOptions = DEFAULT_HISTORY  # co-change from `git log` (a work tree's top folder only)


@dataclass
class AnalysisResult:
    graph_path: Path
    summary: dict[str, Any]
    stats: CollectStats
    reused: bool = False  # nothing changed: the previous graph was kept
    # (modules resolved in this run, modules resolved in all): the others' resolution was kept
    resolved: tuple[int, int] | None = None
    graph: CodeGraph | None = field(default=None, repr=False)

    def load_graph(self) -> CodeGraph:
        if self.graph is None:
            self.graph = load_graph(self.graph_path)
        return self.graph


def analyze(root: Path, out_dir: Path, options: AnalyzeOptions = AnalyzeOptions(),
            progress: Progress | None = None) -> AnalysisResult:
    with no_cycle_collection():  # the analysis makes millions of small acyclic objects
        return _analyze(root, out_dir, options, progress)


def _analyze(root: Path, out_dir: Path, options: AnalyzeOptions, progress: Progress | None) -> AnalysisResult:
    tree = find_sources(root, include_tests=options.include_tests, include_migrations=options.include_migrations,
                        exclude=options.exclude, skip=(out_dir,))
    texts = read_sources(tree.files, options.max_file_bytes)
    history = read_history(tree.root, options.history)
    trace, trace_digest = _read_trace(out_dir / TRACE_FILE)
    run_key = fingerprint(texts, tree.root.name, tree.diagnostics, tree.migrations_skipped,
                          *([history.head, repr(options.history)] if history.head else []),
                          *([trace_digest] if trace_digest else []))
    graph_path = out_dir / GRAPH_FILE
    previous = _previous_summary(out_dir, run_key, graph_path) if options.use_cache else None
    if previous is not None:
        history.cancel()
        return AnalysisResult(graph_path, previous, CollectStats(len(texts), 0, len(texts)), reused=True)
    cache_dir = out_dir / "cache" if options.use_cache else None
    read_before: dict[str, bytes] = {}
    files, stats, facts_cache = gather_facts(texts, cache_dir, jobs=options.jobs, progress=progress,
                                             previous=read_before)
    aside = start_aside(files, texts, facts_cache, cache_dir, options.jobs, stats.parsed)
    if aside is None:
        facts_cache.save()
    resolution, detection = _resolve(files, texts, cache_dir, options.jobs, read_before)
    graph = _build(files, texts, resolution, tree.root.name, tree.diagnostics, detection, cache_dir,
                   aside.node_blobs() if aside is not None else None)
    add_cochange_edges(graph, history.commits(), {f.path: f.module for f in files}, options.history)
    if trace is not None:
        from .tracing.edges import add_observed_edges

        add_observed_edges(graph, trace)
    out_dir.mkdir(parents=True, exist_ok=True)
    text = graph.dump_bytes()
    written = _write_aside(graph_path, text)  # the disk's time, while this thread summarises and seals
    summary = summarize(graph, migrations_skipped=tree.migrations_skipped)
    source = os.path.relpath(tree.root, out_dir.resolve())  # relative: no machine path in artefacts
    document = {"key": run_key, "seal": _seal(run_key, source, text), "summary": summary, "source": source}
    written()  # the summary, which names the graph, only once the graph is on disk
    write_atomic(out_dir / SUMMARY_FILE, json.dumps(document, sort_keys=True) + "\n")
    keep_until_exit(texts, read_before, files, resolution, graph)  # a command line leaves them to the OS
    return AnalysisResult(graph_path, summary, stats, graph=graph,
                          resolved=(len(resolution.resolved), len(resolution.by_module)))


def _resolve(files: list[FileFacts], texts: list[SourceText], cache_dir: Path | None,
             jobs: int | None, previous: dict[str, bytes]) -> tuple[Resolution, Detection]:
    """Resolve and detect the frameworks, keeping what the last run found that no change can
    reach (reuse.py); `previous`: the facts the last run read, encoded, by content key."""
    from .frameworks import detect
    from .resolve import resolve

    key = cache_key() if cache_dir is not None else None
    reuse = _reuse(texts, cache_dir, key, previous) if cache_dir is not None and key is not None else None
    found: dict[str, Detection] = {}  # under "kept" or "detected": the detection, and how it came

    def detect_unless_kept(program: Program, data: DataModel) -> None:
        kept = reuse.detection(program, data.tables) if reuse is not None else None
        if kept is not None:
            found["kept"] = kept
        else:
            found["detected"] = detect(files, data.tables)

    resolution = resolve(files, jobs, reuse, detect_unless_kept)  # the detection runs while a forked process resolves
    detection = found["kept"] if "kept" in found else found["detected"]
    if reuse is not None and cache_dir is not None and key is not None and (
            "detected" in found or resolution.resolved or reuse.kept is None or reuse.kept.keys != reuse.keys
            or reuse.kept.digests != reuse.digests or reuse.readers):
        from .reuse import save_kept  # with the cache only, as `_reuse`

        save_kept(cache_dir, key, reuse.kept_for_next(resolution, detection))  # before the graph holds `detection`
    return resolution, detection


def _reuse(texts: list[SourceText], cache_dir: Path, key: bytes, previous: dict[str, bytes]) -> Reuse:
    """What the last run left in `cache_dir` (reuse.py), with this run's content key of each module."""
    from .reuse import Reuse, load_kept

    keys: dict[str, str] = {}
    for text in texts:
        if text.key is not None:
            module = text.source.module
            keys[module] = f"{keys[module]}+{text.key}" if module in keys else text.key

    def old_facts(content_key: str) -> FileFacts | None:
        blob = previous.get(content_key)
        return decode_facts(blob) if blob is not None else None

    sources = {text.source.module: text.data for text in texts if text.data is not None}
    return Reuse(keys, load_kept(cache_dir, key), old_facts, sources)


def _build(files: list[FileFacts], texts: list[SourceText], resolution: Resolution, root_name: str,
           tree_diagnostics: tuple[Diagnostic, ...], detection: Detection, cache_dir: Path | None,
           nodes: dict[str, bytes] | None) -> CodeGraph:
    """The graph, with the node attributes of files unchanged since the last run read back
    (nodecache.py) and those of the others kept for the next; `nodes`: every file's, made aside
    (aside.py), the node cache saved there."""
    from .build import build_graph

    cache = None
    if cache_dir is not None and nodes is None:
        from .nodecache import open_node_cache  # with the cache only

        cache = open_node_cache(cache_dir, texts)
    if cache is None:
        return build_graph(files, resolution, root_name, tree_diagnostics, detection, nodes)
    made: dict[str, bytes] = {}
    graph = build_graph(files, resolution, root_name, tree_diagnostics, detection, cache.kept(), made)
    cache.save(made)
    return graph


def _write_aside(path: Path, content: bytes) -> Callable[[], None]:
    """`write_atomic(path, content)` started in a thread (writing and syncing a file release the
    interpreter's lock); the function returned waits for it and raises what it raised."""
    import threading

    failed: list[BaseException] = []

    def write() -> None:
        try:
            write_atomic(path, content)
        except BaseException as error:  # raised again in the caller's thread
            failed.append(error)

    thread = threading.Thread(target=write, name=f"writing {path.name}", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if failed:
            raise failed[0]
    return wait


def _read_trace(path: Path) -> tuple[Trace | None, str | None]:
    """The trace file next to the graph (written by `mono2lambda trace`), and a digest of it
    for the run key; (None, None) when there is none."""
    if not path.is_file():
        return None, None
    from .tracing.model import read_trace  # only then: most runs have no trace

    trace = read_trace(path)
    return trace, hashlib.sha256(path.read_bytes()).hexdigest()


def analysed_source(graph_path: Path) -> Path | None:
    """The source tree the analysis next to `graph_path` read, if that analysis says."""
    document = _sealed_summary(graph_path.parent, graph_path)
    relative = document.get("source") if document else None
    found = (graph_path.parent / relative).resolve() if isinstance(relative, str) else None
    return found if found is not None and found.is_dir() else None


def load_graph(path: Path) -> CodeGraph:
    return CodeGraph.load(path)


def _previous_summary(out_dir: Path, run_key: str, graph_path: Path) -> dict[str, Any] | None:
    """The last run's summary when nothing changed since and the graph is the one that run
    wrote (see `_sealed_summary`). The key is compared first: after a change, the 10 MB graph is
    neither read nor hashed."""
    document = _read_summary(out_dir)
    if document is None or document.get("key") != run_key or not _sealed(document, graph_path):
        return None
    return document.get("summary")


def _sealed_summary(out_dir: Path, graph_path: Path) -> dict[str, Any] | None:
    """summary.json, if its seal (an HMAC under this user's key) covers its run key, the source
    it names and the graph's bytes: a summary and graph.json shipped in a cloned repository's
    output folder are never taken as ours, and never point extract at other code."""
    document = _read_summary(out_dir)
    return document if document is not None and _sealed(document, graph_path) else None


def _read_summary(out_dir: Path) -> dict[str, Any] | None:
    try:
        document = json.loads((out_dir / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def _sealed(document: dict[str, Any], graph_path: Path) -> bool:
    key, source, seal = document.get("key"), document.get("source"), document.get("seal")
    if not (isinstance(key, str) and isinstance(source, str) and isinstance(seal, str)):
        return False
    try:
        expected = _seal(key, source, graph_path.read_bytes())
    except OSError:
        return False
    return expected is not None and hmac.compare_digest(expected, seal)


def _seal(run_key: str, source: str, graph: bytes) -> str | None:
    key = cache_key()
    if key is None:
        return None
    return sign(key, f"{run_key}\0{source}\0".encode() + hashlib.sha256(graph).digest()).hex()
