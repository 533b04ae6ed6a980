"""The figures a person reads after `analyze` (pure: graph in, plain data out)."""

from __future__ import annotations

from typing import Any

from .graph import CodeGraph

TOP_PAIRS = 10


def summarize(graph: CodeGraph) -> dict[str, Any]:
    nodes = graph.count_nodes()
    edges = graph.count_edges()
    call_sites = graph.meta.get("call_sites", 0)
    unresolved = len(graph.unresolved_calls)
    return {
        "root": graph.meta.get("root"),
        "files": nodes["module"],
        "modules": nodes["module"],
        "classes": nodes["class"],
        "functions": nodes["function"] + nodes["method"],
        "tables": nodes["table"],
        "state_variables": len([v for v in graph.nodes("variable") if graph.node(v).get("state")]),
        "externals": nodes["external"],
        "edges": dict(sorted(edges.items())),
        "call_sites": call_sites,
        "call_sites_resolved": call_sites - unresolved,
        "resolved_share": round((call_sites - unresolved) / call_sites, 4) if call_sites else 1.0,
        "data": data_entities(graph),
        "coupled_modules": [
            {"modules": list(pair), "calls": weight}
            for pair, weight in sorted(graph.module_coupling().items(), key=lambda i: (-i[1], i[0]))[:TOP_PAIRS]
        ],
        "diagnostics": graph.diagnostics,
    }


def data_entities(graph: CodeGraph) -> list[dict[str, Any]]:
    """Each table and piece of module state with the code that reads and writes it."""
    entities = []
    for node in graph.nodes("table", "variable"):
        attrs = graph.node(node)
        if attrs["kind"] == "variable" and not attrs.get("state"):
            continue
        writers = graph.sources(node, "writes")
        readers = graph.sources(node, "reads")
        entities.append({"id": node, "kind": attrs["kind"], "writers": writers, "readers": readers,
                         "writer_modules": sorted({graph.module_of(w) or w for w in writers}),
                         "reader_modules": sorted({graph.module_of(r) or r for r in readers})})
    return entities
