"""Build a graph from in-memory source snippets, the way the pipeline does from files."""

from __future__ import annotations

import textwrap

from analyzer.build import build_graph
from analyzer.graph import CodeGraph
from analyzer.parse import extract_facts
from analyzer.resolve import resolve


def graph_of(files: dict[str, str]) -> CodeGraph:
    facts = []
    for path, text in sorted(files.items()):
        parts = path.removesuffix(".py").split("/")
        is_package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_package else parts)
        facts.append(extract_facts(textwrap.dedent(text).encode(), path, module, is_package))
    return build_graph(facts, resolve(facts), "snippet")


def edges(graph: CodeGraph, kind: str) -> set[tuple[str, str]]:
    return {(s, t) for s, t, _ in graph.dependencies(kind)}
