"""`CodeGraph.load` reads a graph file to the same graph as `from_json`, odd files included."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from analyzer.graph import CodeGraph

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden" / "shop-graph.json"


def test_load_reads_the_same_graph_as_from_json() -> None:
    expected = CodeGraph.from_json(orjson.loads(GOLDEN.read_bytes()))
    loaded = CodeGraph.load(GOLDEN)
    assert loaded.to_json() == expected.to_json()
    assert loaded.dumps() == expected.dumps()
    assert loaded.nodes("function") == expected.nodes("function")
    some = loaded.nodes("function")[0]
    assert loaded.targets(some, "calls") == expected.targets(some, "calls")


def test_load_cleans_what_dumps_would_not_write(tmp_path: Path) -> None:
    document = {"format": "mono2lambda-graph", "version": 1, "root": "app",
                "nodes": [{"id": "a", "kind": "module", "file": "a.py", "size": None},
                          {"id": "a.f", "kind": "function", "module": "a"}],
                "edges": [{"source": "a.f", "target": "a", "kind": "calls", "count": 2, "lines": [9, 3],
                           "virtual": False},
                          {"source": "a", "target": "a.f", "kind": "references", "count": 1, "lines": [1]}],
                "unresolved_calls": [], "diagnostics": []}
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    loaded = CodeGraph.load(path)
    assert loaded.to_json() == CodeGraph.from_json(document).to_json()
    assert loaded.node("a") == {"kind": "module", "file": "a.py"}
    assert next(loaded.dependencies("calls"))[2]["lines"] == [3, 9]
    assert loaded.edge("a", "a.f", "references") == {"kind": "references", "count": 1, "lines": [1]}


def test_an_edge_is_read_with_its_ends_and_copied_without_them() -> None:
    graph = CodeGraph()
    graph.add_symbol("m", "module")
    graph.add_symbol("m.f", "function", module="m")
    graph.add_dependency("m", "m.f", "calls", lines=[4, 2], virtual=True)
    [(_, _, data)] = graph.dependencies("calls")
    assert (data["source"], data["target"]) == ("m", "m.f")
    assert graph.edge("m", "m.f", "calls") == {"count": 1, "kind": "calls", "lines": [2, 4], "virtual": True}
    graph.to_json()["edges"][0]["count"] = 7  # to_json's dictionaries are its own
    assert data["count"] == 1
    assert 'attr.name="source"' not in graph.to_graphml()
    assert graph.to_networkx().edges["m", "m.f", "calls"] == graph.edge("m", "m.f", "calls")


def test_a_node_is_copied_without_its_id_and_an_outline_is_written_with_it() -> None:
    graph = CodeGraph()
    graph.add_symbol("m", "module", file="m.py")
    graph.add_node_attrs("m.f", {"kind": "function", "module": "m"})
    assert graph.node("m.f") == {"kind": "function", "module": "m"}
    assert graph.to_networkx().nodes["m"] == {"kind": "module", "file": "m.py"}
    assert 'attr.name="id"' not in graph.to_graphml()
    outline = graph.outline({"m": {"kind": "module"}})  # attributes without the id, as a scoring context keeps them
    assert outline.to_json()["nodes"] == [{"id": "m", "kind": "module"}]
    assert '{"id":"m","kind":"module"}' in outline.dumps()


@pytest.mark.parametrize("text", ['[1, 2]', '{"format": "other"}', '{"format": "mono2lambda-graph", "version": 9}'])
def test_load_refuses_what_is_not_a_graph_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "graph.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError):
        CodeGraph.load(path)


def test_dependencies_stay_sorted_and_current_after_edges_are_added() -> None:
    graph = CodeGraph()
    for name in ("m", "m.b", "m.a", "m.c"):
        graph.add_symbol(name, "module" if name == "m" else "function", module="m")
    graph.add_dependency("m.b", "m.c", "calls")
    graph.add_dependency("m.b", "m.a", "reads")
    assert [(s, t) for s, t, _ in graph.dependencies("calls")] == [("m.b", "m.c")]  # the kept order, read once
    assert [e["target"] for e in json.loads(graph.dumps())["edges"]] == ["m.a", "m.c"]
    graph.add_dependency("m.a", "m.c", "calls")
    graph.add_dependency("m.b", "m.c", "calls", count=3)
    graph.add_dependency("m.a", "m.b", "instantiates")
    assert [(s, t, d["kind"]) for s, t, d in graph.dependencies("instantiates", "calls")] == [
        ("m.a", "m.b", "instantiates"), ("m.a", "m.c", "calls"), ("m.b", "m.c", "calls")]
    assert [d["kind"] for _, _, d in graph.dependencies()] == ["instantiates", "calls", "reads", "calls"]
    assert list(graph.dependencies("cochange", "no-such-kind")) == []
    written = json.loads(graph.dumps())["edges"]
    assert [(e["source"], e["target"], e["count"]) for e in written] == [
        ("m.a", "m.b", 1), ("m.a", "m.c", 1), ("m.b", "m.a", 1), ("m.b", "m.c", 3)]
    assert graph.node_attrs("function") == {n: {**graph.node(n), "id": n} for n in ("m.a", "m.b", "m.c")}


def test_edges_of_some_kinds_are_those_of_all_edges_with_those_kinds() -> None:
    """`dependencies(*kinds)` lists each kind's edges when first asked for them, alone, in pairs or
    with more kinds at once, and again once edges are added."""
    from analyzer.graph import EDGE_KINDS

    graph = CodeGraph.load(GOLDEN)
    asked = [("calls",), ("reads", "writes"), ("calls", "reads"), ("imports", "calls", "uses_type", "nothing"),
             EDGE_KINDS, ("writes", "writes"), ()]
    for _ in range(2):
        for kinds in asked:
            every = [(s, t, d) for s, t, d in graph.dependencies() if not kinds or d["kind"] in kinds]
            assert list(graph.dependencies(*kinds)) == every, kinds
        graph.add_dependency("shop", "shop.orders", "reads", lines=[1])
