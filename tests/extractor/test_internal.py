"""Public functions no other place calls whose types cannot cross stay internal to their service."""

from __future__ import annotations

from textwrap import dedent

from analyzer.boundaries.hazards import ERROR, WIRE_UNSAFE_TYPE, Finding
from analyzer.boundaries.plan import parse_plan
from extractor.codemods.proxy import make_proxy
from extractor.contracts import CONTRACT_UNAVAILABLE
from extractor.internal import INTERNAL_FUNCTION, demote, internal_findings, internal_functions
from extractor.model import build_extraction

from ..analyzer.snippets import graph_of

SOURCES = {
    "pay/__init__.py": "",
    "pay/gateways.py": """
        class Gateway:
            def fee(self, amount: int) -> int:
                return 1
        def gateway_for(method: str) -> Gateway:
            return Gateway()
        def lookup(method: str) -> Gateway:
            return Gateway()
        def fee_for(method: str, amount: int) -> int:
            return gateway_for(method).fee(amount)
    """,
    "app.py": """
        from pay import gateways
        def checkout() -> int:
            gateways.lookup("card")
            return gateways.fee_for("card", 3)
    """,
}
PLAN = """
    version: 1
    source: snippet
    services:
      pay:
        modules: [pay, pay.gateways]
"""


def _finding(kind: str, name: str) -> Finding:
    return Finding(kind, ERROR, "pay/gateways.py:5", name, "pay", f"no contract could be built from {name}: no", "x")


def test_an_unsafe_function_only_its_service_calls_is_kept_as_code_not_an_operation() -> None:
    graph = graph_of(SOURCES)
    plan = parse_plan(dedent(PLAN)).plan
    extraction = build_extraction(graph, plan)
    findings = [_finding(CONTRACT_UNAVAILABLE, "pay.gateways.gateway_for"),
                _finding(WIRE_UNSAFE_TYPE, "pay.gateways.gateway_for"),
                _finding(CONTRACT_UNAVAILABLE, "pay.gateways.lookup")]  # the monolith calls it: stays
    internal = internal_functions(graph, plan, extraction, findings)
    assert internal == {"pay": ("pay.gateways.gateway_for",)}
    kept = internal_findings(extraction, internal, findings)
    assert [(f.kind, f.subject, f.severity) for f in kept] == [
        (CONTRACT_UNAVAILABLE, "pay.gateways.lookup", ERROR),
        (INTERNAL_FUNCTION, "pay.gateways.gateway_for", "warning")]
    assert "no code outside it calls it" in kept[1].message
    service = demote(extraction, internal).services[0]
    assert [op.name for op in service.operations] == ["pay.gateways.fee_for", "pay.gateways.lookup"]
    assert service.kept == ("pay.gateways.gateway_for",)
    proxy = make_proxy(dedent(SOURCES["pay/gateways.py"]), "pay", "pay.gateways", {}, keep={"gateway_for"})
    assert "def gateway_for(method: str) -> Gateway:\n    return Gateway()" in proxy
    assert '_m2l_client.call("pay", "pay.gateways.fee_for"' in proxy


def test_a_function_the_plan_names_stays_an_operation() -> None:
    graph = graph_of(SOURCES)
    plan = parse_plan(dedent(PLAN) + "    operations:\n      pay.gateways.gateway_for: {invocation: sync}\n").plan
    extraction = build_extraction(graph, plan)
    assert internal_functions(graph, plan, extraction, [_finding(CONTRACT_UNAVAILABLE,
                                                                 "pay.gateways.gateway_for")]) == {}
