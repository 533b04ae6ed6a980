"""Code for a newer Python than the running one: read without its type parameters, or a
`needs-newer-python` diagnostic naming the version and how to run mono2lambda."""

from __future__ import annotations

import ast

import pytest

from analyzer.newer_syntax import parse_newer

PEP_695 = (
    "from typing import Sequence\n\n\n"
    "def first[T](xs: Sequence[T]) -> T:\n    return xs[0]\n\n\n"
    "class Box[T: (int, str), *Ts, **P](Base):\n    def get[U](self) -> U:\n        return self.value\n\n\n"
    "type Pair[K] = tuple[K, K]\n"
    "type Alias = int\n"
    "type = 5\n"
)


def newer(text: str, running: tuple[int, int] = (3, 11)):  # type: ignore[no-untyped-def]
    error = SyntaxError("expected '('", ("x.py", 4, 10, text.splitlines()[0]))
    error.lineno = 4
    return parse_newer(text, "x.py", error, running=running)


def test_type_parameters_are_left_out_and_the_file_is_still_read() -> None:
    found = newer(PEP_695)
    assert found is not None
    tree, diagnostic = found
    assert tree is not None
    assert (diagnostic.severity, diagnostic.code, diagnostic.line) == ("info", "newer-syntax", 4)
    assert "Python 3.12 syntax (type parameters" in diagnostic.message
    assert "run mono2lambda with Python 3.12 or newer" in diagnostic.message
    names = {node.name: node.lineno for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    assert names == {"first": 4, "Box": 8, "get": 9}  # lines unchanged
    assigned = [t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
                if isinstance(t, ast.Name)]
    assert assigned == ["Pair", "Alias", "type"]


def test_type_parameters_over_several_lines_need_the_newer_python() -> None:
    found = newer("def f[\n    T,\n](x: T) -> T:\n    return x\n")
    assert found is not None
    tree, diagnostic = found
    assert tree is None
    assert (diagnostic.severity, diagnostic.code) == ("error", "needs-newer-python")
    assert diagnostic.message == ("does not parse with Python 3.11: it needs Python 3.12 syntax (type parameters or "
                                  "a type statement, PEP 695); skipped (run mono2lambda with Python 3.12 or newer)")


@pytest.mark.parametrize(("text", "needs"), [
    ("try:\n    pass\nexcept* ValueError:\n    pass\n", "Python 3.11 syntax (except*"),
    ("x = t'hi {name}'\n", "Python 3.14 syntax (a template string"),
])
def test_other_newer_constructs_are_named(text: str, needs: str) -> None:
    found = newer(text, running=(3, 10))
    assert found is not None and found[0] is None
    assert needs in found[1].message and found[1].code == "needs-newer-python"


def test_a_plain_syntax_error_or_a_construct_the_running_python_knows_is_not_explained() -> None:
    assert newer("def f(:\n    pass\n") is None
    assert newer("try:\n    pass\nexcept* ValueError:\n    pass\n", running=(3, 11)) is None
    assert newer(PEP_695, running=(3, 12)) is None
    assert newer("x = type(3)\ntype = 5\n") is None


def test_analyze_reads_a_file_with_type_parameters_and_counts_one_that_needs_newer_python(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """End to end through the parser: the PEP 695 file is analysed (its function is a node),
    the multi-line one is counted as unparsed with the version it needs."""
    import sys

    from analyzer.pipeline import AnalyzeOptions, analyze

    root = tmp_path / "app"
    root.mkdir()
    (root / "generic.py").write_text(PEP_695)
    (root / "wide.py").write_text("def f[\n    T,\n](x: T) -> T:\n    return x\n")
    result = analyze(root, tmp_path / "out", AnalyzeOptions(jobs=1, use_cache=False))
    graph = result.load_graph()
    codes = {d["file"]: d["code"] for d in graph.diagnostics}
    assert "generic.first" in graph.nodes("function")
    if sys.version_info < (3, 12):
        assert codes == {"generic.py": "newer-syntax", "wide.py": "needs-newer-python"}
        assert result.summary["files_unparsed"] == 1
