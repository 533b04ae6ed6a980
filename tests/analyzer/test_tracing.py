"""Runtime traces: the recorder in a real subprocess (pytest and a plain script), the mapping of
code to the graph's names, `observed` edges and the unresolved sites they resolve, the trace
file's form, and the weight `propose` gives observed calls."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from analyzer.boundaries.partition import Weights, unit_weights
from analyzer.errors import InputError
from analyzer.graph import CodeGraph
from analyzer.pipeline import AnalyzeOptions
from analyzer.tracing.mapping import NameIndex
from analyzer.tracing.model import ObservedCall, Trace, read_trace, trace_from_json
from analyzer.tracing.project import trace_project

NO_HISTORY = AnalyzeOptions(history=AnalyzeOptions().history.__class__(enabled=False))

APP = {
    "app/__init__.py": "",
    "app/registry.py": """\
        import importlib


        def dispatch(name, value):
            module = importlib.import_module("app." + name + "ing")
            handler = getattr(module, name)
            return handler(value)
        """,
    "app/billing.py": """\
        def tagged(fn):
            return fn


        @tagged
        def bill(value):
            \"\"\"Bill it.\"\"\"
            return helper(value) + sum(x for x in range(2))


        def helper(value):
            return double(value)


        double = lambda v: v * 2  # noqa: E731


        class Invoice:
            def total(self):
                return helper(1)
        """,
    "app/orders.py": """\
        from app.registry import dispatch


        def place(value):
            return dispatch("bill", value)
        """,
    "tests/test_orders.py": """\
        from app.orders import place
        from app.billing import Invoice


        def test_place():
            assert place(3) == 7


        def test_invoice():
            assert Invoice().total() == 2
        """,
}


def write_app(root: Path) -> Path:
    for path, text in APP.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    root = write_app(tmp_path_factory.mktemp("traced") / "proj")
    out = root.parent / "out"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]
    return out, trace_project(command, root, out, root, NO_HISTORY)


def test_trace_records_calls_between_project_functions(traced: tuple[Path, object]) -> None:
    out, result = traced
    assert result.exit_code == 0
    trace = read_trace(out / "trace.json")
    calls = {(c.caller, c.callee): c for c in trace.calls}
    assert calls["app.orders.place", "app.registry.dispatch"].count == 1
    assert calls["app.registry.dispatch", "app.billing.bill"].lines == (7,)  # looked up by name: no static edge
    assert calls["app.billing.bill", "app.billing.helper"].count == 1
    assert calls["app.billing.helper", "app.billing.<lambda:15:9>"].count == 2  # lambdas are nodes too
    assert (None, "app.orders.place") in calls  # reached from the test, outside the graph
    assert not [c for c in trace.calls if c.callee in ("app.billing", "app.billing.Invoice")]  # bodies are no calls
    assert trace.processes == 1


def test_trace_names_the_tests_that_reached_each_unit(traced: tuple[Path, object]) -> None:
    out, _ = traced
    trace = read_trace(out / "trace.json")
    assert set(trace.tests) == {"tests/test_orders.py::test_place", "tests/test_orders.py::test_invoice"}
    assert trace.reached_by()["app.billing.bill"] == ["tests/test_orders.py::test_place"]
    assert trace.reached_by()["app.billing.helper"] == ["tests/test_orders.py::test_invoice",
                                                        "tests/test_orders.py::test_place"]


def test_graph_gains_observed_edges_and_resolved_sites(traced: tuple[Path, object]) -> None:
    out, result = traced
    graph = CodeGraph.load(out / "graph.json")
    edge = graph.edge("app.registry.dispatch", "app.billing.bill", "observed")
    assert edge["count"] == 1 and not edge.get("static")
    assert graph.edge("app.orders.place", "app.registry.dispatch", "observed")["static"] is True
    assert not graph.has_dependency("app.registry.dispatch", "app.billing.bill", "calls")  # kept apart
    [site] = [s for s in graph.unresolved_calls if s.get("observed")]
    assert (site["scope"], site["expr"], site["observed"]) == ("app.registry.dispatch", "handler", ["app.billing.bill"])
    assert result.observed["resolved_sites"] == 1 and result.observed["new_edges"] >= 1
    assert graph.meta["trace"]["tests"] == 2


def test_observed_calls_pull_units_only_where_the_static_graph_saw_none(traced: tuple[Path, object]) -> None:
    out, _ = traced
    graph = CodeGraph.load(out / "graph.json")
    off = unit_weights(graph, weights=Weights(observed=0.0, vocabulary=0.0))
    on = unit_weights(graph, weights=Weights(observed=5.0, vocabulary=0.0))
    assert on[("app.billing", "app.registry")] - off.get(("app.billing", "app.registry"), 0.0) == pytest.approx(5.0)
    assert on[("app.orders", "app.registry")] == off[("app.orders", "app.registry")]  # static already


def test_a_plain_script_and_its_subprocess_are_traced(tmp_path: Path) -> None:
    root = write_app(tmp_path / "proj")
    (root / "run.py").write_text(textwrap.dedent("""\
        import subprocess, sys
        from app.orders import place
        place(1)
        subprocess.run([sys.executable, "-c", "from app.billing import Invoice; Invoice().total()"], check=True)
        """), encoding="utf-8")
    result = trace_project([sys.executable, "run.py"], root, tmp_path / "out", root, NO_HISTORY)
    assert result.trace.processes == 2
    callees = {c.callee for c in result.trace.calls}
    assert {"app.orders.place", "app.billing.Invoice.total"} <= callees
    assert result.trace.tests == {}


def _graph() -> CodeGraph:
    graph = CodeGraph()
    graph.add_symbol("m", "module", file="m.py", line=1, end_line=30)
    graph.add_symbol("m.deco", "function", file="m.py", line=4, end_line=9, module="m")
    graph.add_symbol("m.outer", "function", file="m.py", line=12, end_line=20, module="m")
    graph.add_symbol("m.outer.<lambda:14:8>", "function", file="m.py", line=14, end_line=14, module="m")
    graph.add_symbol("m.outer.<lambda:16:4>", "function", file="m.py", line=16, end_line=16, module="m")
    graph.add_symbol("m.outer.<lambda:16:20>", "function", file="m.py", line=16, end_line=16, module="m")
    return graph


def test_code_maps_to_the_graphs_names_without_a_qualified_name() -> None:
    index = NameIndex(_graph())
    assert index.name_of(("m.py", 1, "<module>", "")) == "m"
    assert index.name_of(("m.py", 2, "deco", "")) == "m.deco"  # first line is the decorator's
    assert index.name_of(("m.py", 14, "<lambda>", "")) == "m.outer.<lambda:14:8>"
    assert index.name_of(("m.py", 16, "<lambda>", "outer.<locals>.<lambda>")) == "m.outer"  # two on the line
    assert index.name_of(("m.py", 16, "<lambda>", "outer.<lambda:16:20>")) == "m.outer.<lambda:16:20>"
    assert index.name_of(("m.py", 15, "inner", "outer.<locals>.inner")) == "m.outer"  # folded into its parent
    assert index.name_of(("m.py", 12, "outer", "outer")) == "m.outer"
    assert index.name_of(("other.py", 1, "f", "f")) is None


def test_trace_file_round_trip_and_bad_input(tmp_path: Path) -> None:
    trace = Trace("proj", (ObservedCall("a.f", "b.g", 3, (4, 7)), ObservedCall(None, "a.f", 1)),
                  {"t::x": ("a.f", "b.g")}, 1, ("sys.monitoring on Python 3.12",))
    path = tmp_path / "trace.json"
    path.write_text(trace.dumps(), encoding="utf-8")
    again = read_trace(path)
    assert again.dumps() == trace.dumps()
    with pytest.raises(InputError, match="not a mono2lambda trace file"):
        trace_from_json({"format": "other"})
    with pytest.raises(InputError, match="malformed trace file"):
        trace_from_json({"format": "mono2lambda-trace", "version": 1, "calls": [{"caller": "a"}]})
    path.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match=r"trace.json:1: not JSON"):
        read_trace(path)
    assert json.loads(trace.dumps())["calls"][0]["caller"] is None  # sorted: outside callers first


def test_the_trace_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from mono2lambda.cli import cli

    root = write_app(tmp_path / "proj")
    (root / "run.py").write_text("import sys\nfrom app.orders import place\nplace(1)\nsys.exit(len(sys.argv) - 1)\n",
                                 encoding="utf-8")
    monkeypatch.chdir(root)
    out = tmp_path / "out"
    command = ["trace", "--out", str(out), "--exclude", "tests/*", "--", sys.executable, "run.py"]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    assert "1 process(es)" in result.output and "1 unresolved call sites seen calling project code" in result.output
    assert read_trace(out / "trace.json").calls
    failed = CliRunner().invoke(cli, ["trace", "--out", str(out), "--", sys.executable, "run.py", "fail"])
    assert failed.exit_code == 1 and "the command exited with 1" in failed.output
