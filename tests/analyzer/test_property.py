"""Generated Python never crashes the parser-facing code: facts, resolution and the graph.

hypothesmith writes syntactically valid (and often strange) source; whatever it writes,
`extract_facts` returns facts or diagnostics, and the graph built from them serialises.
"""

from __future__ import annotations

import json
import warnings

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.build import build_graph
from analyzer.graph import CodeGraph
from analyzer.parse import extract_facts
from analyzer.resolve import resolve

# hypothesmith compiles what it generates; the compiler's own SyntaxWarnings are not ours.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large])


def check_source(source: str, path: str = "gen/mod.py", module: str = "gen.mod") -> None:
    with warnings.catch_warnings(record=True) as caught:  # the analyzer stays quiet, too
        warnings.simplefilter("always")
        facts = extract_facts(source.encode("utf-8", "surrogatepass"), path, module, False)
    assert not caught, [str(w.message) for w in caught]
    assert facts.path == path and facts.module == module
    for diagnostic in facts.diagnostics:
        assert diagnostic.file == path
        assert 1 <= diagnostic.line <= max(1, facts.lines)
    if facts.parsed:
        assert facts.definitions and facts.definitions[0].qname == module
    graph = build_graph([facts], resolve([facts]), "root")
    document = graph.to_json()
    text = json.dumps(document, sort_keys=True)
    assert CodeGraph.from_json(json.loads(text)).to_json() == document


@SETTINGS
@given(hypothesmith.from_grammar())
def test_grammar_generated_source_never_crashes(source: str) -> None:
    check_source(source)


@SETTINGS
@given(hypothesmith.from_node())
def test_node_generated_source_never_crashes(source: str) -> None:
    check_source(source)


CALLER = """\
from pkg.m0 import *
from pkg import m1
import pkg.m1 as other


class Sub(object):
    def run(self):
        return self.run(), super().run(), other.f(), m1.g().h


def use():
    return f(g(), *h), Sub().run(), [x() for x in (f, g)]
"""


@SETTINGS
@given(st.lists(hypothesmith.from_grammar(auto_target=False), min_size=2, max_size=2))
def test_generated_modules_resolve_together(sources: list[str]) -> None:
    """Generated modules in one package, imported and called by a fixed one: no crash."""
    files = [extract_facts(b"", "pkg/__init__.py", "pkg", True),
             extract_facts(CALLER.encode(), "pkg/caller.py", "pkg.caller", False)]
    files += [extract_facts(s.encode("utf-8", "surrogatepass"), f"pkg/m{i}.py", f"pkg.m{i}", False)
              for i, s in enumerate(sources)]
    graph = build_graph(files, resolve(files), "root")
    json.dumps(graph.to_json(), sort_keys=True)
    assert "pkg.caller.use" in graph.nodes("function")


@SETTINGS
@given(st.binary(max_size=200))
def test_arbitrary_bytes_are_facts_or_diagnostics(data: bytes) -> None:
    facts = extract_facts(data, "junk.py", "junk", False)
    assert facts.parsed or facts.diagnostics
    json.dumps(build_graph([facts], resolve([facts]), "root").to_json())
