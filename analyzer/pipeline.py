"""`analyze`: a source tree in, a graph file and a summary out. The only analyzer module
that touches the file system besides `sources` and `collect`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import ANALYZER_VERSION
from .build import build_graph
from .collect import MAX_FILE_BYTES, CollectStats, Progress, collect_facts
from .graph import CodeGraph
from .resolve import resolve
from .sources import find_sources
from .summary import summarize

GRAPH_FILE = "graph.json"
SUMMARY_FILE = "summary.json"


@dataclass(frozen=True)
class AnalyzeOptions:
    include_tests: bool = False
    exclude: tuple[str, ...] = ()
    jobs: int | None = None
    max_file_bytes: int = MAX_FILE_BYTES
    use_cache: bool = True


@dataclass
class AnalysisResult:
    graph_path: Path
    summary: dict[str, Any]
    stats: CollectStats
    reused: bool = False  # nothing changed: the previous graph was kept
    graph: CodeGraph | None = field(default=None, repr=False)

    def load_graph(self) -> CodeGraph:
        if self.graph is None:
            self.graph = load_graph(self.graph_path)
        return self.graph


def analyze(root: Path, out_dir: Path, options: AnalyzeOptions = AnalyzeOptions(),
            progress: Progress | None = None) -> AnalysisResult:
    tree = find_sources(root, include_tests=options.include_tests, exclude=options.exclude,
                        skip=(out_dir,))
    cache_dir = out_dir / "cache" if options.use_cache else None
    files, stats = collect_facts(tree.files, cache_dir, jobs=options.jobs,
                                 max_file_bytes=options.max_file_bytes, progress=progress)
    run_key = f"{ANALYZER_VERSION}:{tree.root.name}:{stats.fingerprint}"
    graph_path = out_dir / GRAPH_FILE
    previous = _previous_summary(out_dir, run_key) if options.use_cache else None
    if previous is not None and graph_path.exists():
        return AnalysisResult(graph_path, previous, stats, reused=True)
    graph = build_graph(files, resolve(files), tree.root.name, tree.diagnostics)
    summary = summarize(graph)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write(graph_path, graph.dumps())
    _write(out_dir / SUMMARY_FILE, json.dumps({"key": run_key, "summary": summary}, sort_keys=True) + "\n")
    return AnalysisResult(graph_path, summary, stats, graph=graph)


def load_graph(path: Path) -> CodeGraph:
    return CodeGraph.from_json(json.loads(path.read_text(encoding="utf-8")))


def _previous_summary(out_dir: Path, run_key: str) -> dict[str, Any] | None:
    try:
        document = json.loads((out_dir / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document.get("summary") if document.get("key") == run_key else None


def _write(path: Path, text: str) -> None:
    """Write whole or not at all: a reader never sees half a file."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
