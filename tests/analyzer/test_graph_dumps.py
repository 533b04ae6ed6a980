"""`CodeGraph.dumps` writes one node, edge or finding per line, whatever their strings hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from analyzer.graph import _ITEM_BREAK, CodeGraph, _one_per_line

GOLDEN = Path(__file__).resolve().parents[2] / "tests" / "golden" / "shop-graph.json"


def one_call_per_item(items: list[Any]) -> bytes:
    return b",\n".join(orjson.dumps(item, option=orjson.OPT_SORT_KEYS) for item in items)


def test_the_shop_graph_is_written_as_it_was_read() -> None:
    assert CodeGraph.load(GOLDEN).dumps() == GOLDEN.read_text(encoding="utf-8")


def test_items_are_written_as_one_call_per_item_would() -> None:
    items = [{"b": 1, "a": [{"y": 2, "x": "}, {"}]}, {"id": "q", "lines": []}, {}]
    assert _one_per_line(items) == one_call_per_item(items)
    assert _one_per_line(items).count(b"\n") == 2


def test_a_string_holding_the_marker_does_not_split_its_item() -> None:
    marker = orjson.dumps(_ITEM_BREAK).decode()
    items = [{"doc": f"a,{marker},b"}, {"doc": _ITEM_BREAK}, {"list": [_ITEM_BREAK, _ITEM_BREAK]}]
    assert _one_per_line(items) == one_call_per_item(items)


def test_items_that_are_not_objects_are_written_one_per_line_too() -> None:
    items = [_ITEM_BREAK, 1, {"a": _ITEM_BREAK}, [_ITEM_BREAK]]
    assert _one_per_line(items) == one_call_per_item(items)


def test_a_graph_whose_names_hold_the_marker_round_trips() -> None:
    graph = CodeGraph()
    graph.add_symbol(_ITEM_BREAK, "module", path="m.py")
    graph.add_symbol(f"x,{orjson.dumps(_ITEM_BREAK).decode()},y", "function", path="m.py")
    graph.add_dependency(_ITEM_BREAK, f"x,{orjson.dumps(_ITEM_BREAK).decode()},y", "calls", lines=[1])
    text = graph.dumps()
    assert CodeGraph.from_json(orjson.loads(text)).dumps() == text
    lines = text.splitlines()
    for item in graph.to_json()["nodes"] + graph.to_json()["edges"]:
        assert orjson.dumps(item, option=orjson.OPT_SORT_KEYS).decode() + "," in lines \
            or orjson.dumps(item, option=orjson.OPT_SORT_KEYS).decode() in lines
