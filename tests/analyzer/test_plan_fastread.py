"""The fast plan reader gives ruamel's values, types and line numbers, or steps aside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from analyzer.boundaries.plan import document, parse_plan, yamltree
from analyzer.boundaries.plan.yamltree import load, load_fast
from analyzer.errors import PlanError

ROOT = Path(__file__).resolve().parents[2]
PLANS = sorted(p for p in ROOT.glob("examples/*/boundaries.yaml")) + [ROOT / "generated/monolith/boundaries.yaml"]
CASES = [
    "a: 1\n", "a: yes\nb: on\nc: 012\nd: 1_000\ne: 0x1F\nf: 1.50\ng: .inf\nh: ~\ni:\nj: 2001-12-14\n",
    "a: 'x'\nb: \"y\"\nc: |\n  lit\n", "a: &x 1\nb: *x\n", "a: 1\na: 2\n", "? [a]\n: 1\n", "<<: {a: 1}\n",
    "'<<': 1\n", "%YAML 1.1\n---\na: yes\n", "a: 1\n---\nb: 2\n", "---\na: 1\n...\n", "a: !!str 1\n", "- a\n- b\n",
    "x\n", "", "# only\n", "a: [1, 2, {b: c}]\n", "a:\n- x\n-   y\n-\n  - z\n", "a: b: c\n", "a:\n\tb: 1\n",
    "a: 'unclosed\n", "[" * 100 + "]" * 100, "a: {b: 1, b: 2}\n", "1: x\n2: y\n", "true: x\n1: y\n",
    "a: 1.0\nb: -0\nc: +12\nd: 0o17\ne: 0b11\n",
    "services:\n  s:\n    modules:\n      - x.y   # c\n      # n\n      - z\n",
    "a: \"\\u00e9\\n\"\n", "a: plain\n  continued\n", "a: null\nNull: 1\n", "a: .NaN\n", "a: 12:30\n",
    "a: e.5\nb: x.1e5\nc: shop.*\nd: a.b-c\ne: True.x\nf: _x.y\ng: x.[ab]\nh: n.a.N\ni: Null.x\nj: y.no\n",
    "a: [a, b,]\n", "{a: 1}\n", "a: '''q'''\n", "\ufeffa: 1\n", "a: 1\r\nb: 2\r\n", "- - - x\n", "a: - x\n",
]


def _same(a: Any, b: Any, path: tuple[Any, ...] = ()) -> None:
    assert type(a) is type(b), path
    if isinstance(a, CommentedMap | CommentedSeq):
        assert (a.lc.line, a.lc.col) == (b.lc.line, b.lc.col), path
        keys = list(a) if isinstance(a, CommentedMap) else list(range(len(a)))
        assert keys == (list(b) if isinstance(b, CommentedMap) else list(range(len(b)))), path
        for key in keys:
            assert a.lc.data[key] == b.lc.data[key], path + (key,)
            _same(a[key], b[key], path + (key,))
    else:
        assert (a == b or a != a) and repr(a) == repr(b), path


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.parent.name)
def test_fast_reader_reads_plans_as_ruamel_does(path: Path) -> None:
    text = path.read_text()
    fast = load_fast(text)
    assert fast is not None
    _same(load(text), fast)


@pytest.mark.parametrize("text", CASES)
def test_fast_reader_matches_or_steps_aside(text: str) -> None:
    fast = load_fast(text)
    try:
        slow = load(text)
    except yamltree.YAMLSyntaxError:
        assert fast is None  # ruamel's error, in ruamel's words
        return
    if fast is not None:
        _same(slow, fast)


BROKEN = [
    "version: 2\nsource: shop\nservices:\n  a:\n    modules: [shop.a]\n    memory: big\n",
    "source: shop\nservices:\n  a:\n    modules:\n      - shop.a\n    colour: red\n",
    "source: shop\nservices:\n  a:\n    modules: [shop.a]\n  a:\n    modules: [shop.b]\n",
    "source: shop\nservices: &s\n  a:\n    modules: [shop.a]\n",
    "source: shop\nservices:\n  a:\n    modules: [shop.a\n",
]


@pytest.mark.parametrize("text", BROKEN + [p.read_text() for p in PLANS])
def test_same_plans_and_errors_without_the_fast_reader(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def outcome() -> Any:
        try:
            doc = parse_plan(text)
        except PlanError as error:
            return str(error), error.hint
        return doc.plan, doc.line("services"), doc.dumps()

    fast = outcome()
    monkeypatch.setattr(document, "load_fast", lambda text: None)
    assert outcome() == fast
