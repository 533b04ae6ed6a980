"""The fact visitor's shortcuts give what the plain helpers give."""

from __future__ import annotations

import ast
import dataclasses
import textwrap
from collections.abc import Iterator
from pathlib import Path

from analyzer.exprs import to_expr
from analyzer.parse import extract_facts

SHOP = Path(__file__).parents[2] / "examples" / "shop"

ASSIGNED_CALLS = textwrap.dedent("""\
    def f(p):
        a = g(1, "x", h(2), *rest, key=p.q, **extra)
        b = c = make(related_name="orders", other=k())
        d, e = pair(), other(m())
        s.t = build(x)[0]
        u = (yield from w(v))
        with open(p) as handle:
            pass
        y = lambda: z(1)
        z: int = n(o())
        z += more(z)
        if (r := ask()):
            pass
    """)


def test_an_assigned_call_is_recorded_as_to_expr_gives_it() -> None:
    facts = extract_facts(ASSIGNED_CALLS.encode(), "m.py", "m", False)
    function = next(d for d in facts.definitions if d.qname == "m.f")
    recorded = [(name, value, line) for name, value, line in function.scope.assigns if name != "p"]
    values = {store.line: store.value for store in function.scope.stores}
    expected = []
    for statement in ast.walk(ast.parse(ASSIGNED_CALLS)):
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    expected.append((target.id, to_expr(statement.value), statement.lineno))
        elif isinstance(statement, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) \
                and isinstance(statement.target, ast.Name):
            expected.append((statement.target.id, to_expr(statement.value), statement.lineno))
    assert len(expected) == 8 and set(expected) <= set(recorded)
    assert ("d", to_expr(ast.parse("pair()", mode="eval").body), 4) in recorded
    assert ("e", to_expr(ast.parse("other(m())", mode="eval").body), 4) in recorded
    assert values[5] == to_expr(ast.parse("build(x)[0]", mode="eval").body)
    assert ("handle", to_expr(ast.parse("open(p)", mode="eval").body), 7) in recorded
    keep_text = next(value for name, value, _ in recorded if name == "b")
    assert ("related_name", ("str", "orders")) in keep_text[3]  # the name a manager gets, kept as text


def _named_tuples(value: object, seen: set[int]) -> Iterator[tuple]:
    """Every named tuple reachable from `value` (facts, their lists, dicts, sets and fields)."""
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        yield value
    if isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _named_tuples(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _named_tuples(item, seen)
    elif dataclasses.is_dataclass(value):  # FileFacts (compiled, it has no __dict__)
        for field in dataclasses.fields(value):
            yield from _named_tuples(getattr(value, field.name), seen)


def test_facts_built_without_their_constructor_have_every_field() -> None:
    """The visitor builds named tuples from all their fields at once (`_new`, no keyword
    constructor): a field added to one of them must be added there too, or this fails."""
    kinds: set[str] = set()
    for path in sorted(SHOP.rglob("*.py")):
        facts = extract_facts(path.read_bytes(), str(path), path.stem, path.name == "__init__.py")
        for found in _named_tuples(facts, set()):
            assert len(found) == len(type(found)._fields), (type(found).__name__, found)
            kinds.add(type(found).__name__)
    assert {"Definition", "Scope", "Param", "CallSite", "Import", "Store", "Variable"} <= kinds
