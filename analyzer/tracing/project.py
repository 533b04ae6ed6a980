"""`trace` end to end: analyse (to know the project's files and names), run the command
under the recorder, write the trace file next to the graph, and analyse again so the
graph gains the `observed` edges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..files import write_atomic
from ..pipeline import AnalyzeOptions, analyze
from .mapping import trace_from_records
from .model import TRACE_FILE, Trace
from .run import run_traced


@dataclass(frozen=True)
class TraceResult:
    exit_code: int  # the command's
    trace: Trace
    trace_path: Path
    graph_path: Path
    observed: dict[str, Any]  # the graph's `trace` figures (docs/graph-format.md)


def trace_project(command: Sequence[str], source: Path, out_dir: Path, cwd: Path,
                  options: AnalyzeOptions | None = None) -> TraceResult:
    """Trace `command` (run in `cwd`) over the project under `source`; write OUT/trace.json."""
    options = options or AnalyzeOptions()
    graph = analyze(source, out_dir, options).load_graph()
    files = sorted({str(graph.attr(m, "file")) for m in graph.nodes("module") if graph.attr(m, "file")})
    run = run_traced(command, cwd, source, files)
    trace = trace_from_records(run.records, graph)
    trace_path = out_dir / TRACE_FILE
    write_atomic(trace_path, trace.dumps())
    result = analyze(source, out_dir, options)
    return TraceResult(run.exit_code, trace, trace_path, result.graph_path, dict(result.summary.get("trace") or {}))
