"""The figures a person reads after `analyze` (pure: graph in, plain data out)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .graph import CodeGraph
from .roles import LAYERS, layer_of

TOP_PAIRS = 10


def summarize(graph: CodeGraph, migrations_skipped: int = 0) -> dict[str, Any]:
    nodes = graph.count_nodes()
    edges = graph.count_edges()
    call_sites = graph.meta.get("call_sites", 0)
    unresolved = len(graph.unresolved_calls)
    data = data_entities(graph)
    return {
        "root": graph.meta.get("root"),
        "files": nodes["module"],
        "modules": nodes["module"],
        "classes": nodes["class"],
        "functions": nodes["function"] + nodes["method"],
        "tables": nodes["table"],
        "state_variables": sum(1 for entity in data if entity["kind"] == "variable"),  # those that are state
        "externals": nodes["external"],
        "edges": dict(sorted(edges.items())),
        "call_sites": call_sites,
        "call_sites_resolved": call_sites - unresolved,
        "resolved_share": round((call_sites - unresolved) / call_sites, 4) if call_sites else 1.0,
        "data": data,
        "coupled_modules": [
            {"modules": list(pair), "calls": weight}
            for pair, weight in sorted(graph.module_coupling().items(), key=lambda i: (-i[1], i[0]))[:TOP_PAIRS]
        ],
        "diagnostics": graph.diagnostics,
        "frameworks": sorted(graph.meta.get("frameworks") or {}),
        "domains": len(graph.meta.get("domains") or ()),
        "module_layers": module_layers(graph),
        "migrations_skipped": migrations_skipped,
        "files_unparsed": len(unparsed_files(graph.diagnostics)),
        **({"trace": graph.meta["trace"]} if graph.meta.get("trace") else {}),
    }


def unparsed_files(diagnostics: list[dict[str, Any]]) -> list[str]:
    """The files left out of the graph because they did not parse or could not be read
    (a diagnostic of severity `error`), sorted."""
    return sorted({str(d.get("file")) for d in diagnostics if d.get("severity") == "error"})


def module_layers(graph: CodeGraph) -> dict[str, int]:
    """How many modules each layer holds (their `role`'s layer; "none" for plain code), in layer order."""
    counts = Counter(layer_of(attrs.get("role")) or "none" for attrs in graph.node_attrs("module").values())
    return {layer: counts[layer] for layer in (*LAYERS, "none") if counts[layer]}


def data_entities(graph: CodeGraph) -> list[dict[str, Any]]:
    """Each table and piece of module state with the code that reads and writes it."""
    users: dict[str, dict[str, list[str]]] = {}  # node -> edge kind -> sources, sorted as the edges are
    for source, target, data in graph.dependencies("reads", "writes"):
        users.setdefault(target, {}).setdefault(data["kind"], []).append(source)
    entities = []
    for node, attrs in graph.node_attrs("table", "variable").items():
        kind = attrs["kind"]
        if kind == "variable" and not attrs.get("state"):
            continue
        found = users.get(node, {})
        writers, readers = found.get("writes", []), found.get("reads", [])
        entities.append({"id": node, "kind": kind, "writers": writers, "readers": readers,
                         "writer_modules": sorted({graph.module_of(w) or w for w in writers}),
                         "reader_modules": sorted({graph.module_of(r) or r for r in readers})})
    return entities
