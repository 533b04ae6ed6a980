"""Decorated operations: what the proxy keeps, what extract refuses, and a task's `.delay`.

The golden codemod cases (cases/proxy/decorators.py) show the proxy side; here the rule
itself (extractor/decorators.py), the hazards on the example's graph, and the runtime's
`task` decorator with a recording transport.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from analyzer.boundaries.decorating import REGISTERS, WRAPS
from analyzer.boundaries.plan import read_plan
from analyzer.graph import CodeGraph
from extractor.decorators import (
    DECORATED_OPERATION,
    OTHER,
    REGISTERED_OPERATION,
    TASK,
    TYPING,
    kind_of,
    operation_findings,
)
from extractor.model import build_extraction

REPO = Path(__file__).parents[2]
sys.path.insert(0, str(REPO / "extractor" / "runtime"))

from m2l_runtime import client  # noqa: E402
from m2l_runtime.errors import ContractError  # noqa: E402


@pytest.mark.parametrize(("text", "kind"), [
    ("shared_task", TASK), ("@app.task(...)", TASK), ("celery.task", TASK), ("celery.shared_task(...)", TASK),
    ("_m2l_client.task(...)", TASK), ("overload", TYPING), ("typing.overload", TYPING),
    ("typing_extensions.deprecated(...)", TYPING), ("warnings.deprecated(...)", TYPING), ("no_type_check", TYPING),
    ("task", OTHER), ("a.b.task", OTHER), ("functools.cache", OTHER), ("audited(...)", OTHER),
    ("dramatiq.actor", OTHER), ("bp.get(...)", OTHER),
])
def test_each_decorator_is_typing_only_a_celery_task_or_other(text: str, kind: str) -> None:
    assert kind_of(text) == kind


def _attrs(decorators: list[str], role: str | None = None, first: str = "order_id") -> dict[str, Any]:
    return {"decorators": decorators, "role": role, "params": [{"name": first, "kind": "positional"}]}


def test_routes_commands_and_receivers_are_registered_operations_naming_the_decorator() -> None:
    cases = {
        "route": _attrs(["bp.post(...)", "require_customer"], "view"),
        "command": _attrs(["click.command(...)"], "command"),
        "receiver": _attrs(["receiver(...)"], "signal"),
        "receiver without a role": _attrs(["receiver(...)"]),
        "connected elsewhere": _attrs([], "signal"),
    }
    for label, attrs in cases.items():
        found = operation_findings("shop.mail.f", attrs, "shop/mail.py:3", "mail")
        assert [(f.kind, f.severity, f.location) for f in found] == [(REGISTERED_OPERATION, "error", "shop/mail.py:3")]
        assert "keep its module in the monolith" in found[0].hint, label
    route = operation_findings("shop.mail.f", cases["route"], "shop/mail.py:3", "mail")[0]
    assert "@bp.post(...), @require_customer as a view" in route.message


def test_other_decorators_block_and_typing_only_ones_and_tasks_do_not() -> None:
    found = operation_findings("shop.mail.f", _attrs(["app.task", "audited(...)", "overload"], "task"),
                               "shop/mail.py:9", "mail")
    assert [(f.kind, f.subject) for f in found] == [(DECORATED_OPERATION, "shop.mail.f")]
    assert "@audited(...)" in found[0].message
    assert operation_findings("shop.mail.f", _attrs(["shared_task", "typing.no_type_check"], "task"), "x:1", "m") == []
    assert operation_findings("shop.mail.f", _attrs([]), "x:1", "m") == []


def test_a_bound_task_is_refused() -> None:
    found = operation_findings("shop.mail.f", _attrs(["app.task(...)"], "task", first="self"), "x:1", "mail")
    assert [f.kind for f in found] == [DECORATED_OPERATION] and "bound Celery task" in found[0].message


def test_the_projects_own_decorators_run_in_the_service_and_are_no_operations() -> None:
    """@audited wraps place_order, @periodic registers the reporting jobs: both travel with the
    package; the decorator functions themselves are kept as code by their modules' proxies."""
    graph = CodeGraph.load(REPO / "tests" / "golden" / "shop-graph.json")
    plan = read_plan(REPO / "examples" / "shop" / "boundaries.yaml").plan
    extraction = build_extraction(graph, plan, ["orders", "reporting"])
    ops = {op.name: (s.name, op) for s in extraction.services for op in s.operations}
    place = ops["shop.orders.checkout.place_order"][1]
    assert place.decorators == (("audited", WRAPS),)
    rollup = ops["shop.reporting.jobs.nightly_sales_rollup"][1]
    assert rollup.decorators == (("audited", WRAPS), ("periodic", REGISTERS))
    assert "shop.reporting.jobs.periodic" not in ops
    assert "shop.reporting.jobs.periodic" in {k for s in extraction.services for k in s.kept}
    found = [f for name, (service, op) in ops.items()
             for f in operation_findings(name, graph.node(name), op.location, service, dict(op.decorators))]
    assert found == []
    unknown = operation_findings(place.name, graph.node(place.name), place.location, "orders")
    assert [(f.kind, f.subject) for f in unknown] == [(DECORATED_OPERATION, "shop.orders.checkout.place_order")]
    assert unknown[0].location.startswith("shop/orders/checkout.py:") and "@audited(...)" in unknown[0].message


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, str]] = []

    def invoke(self, service: str, operation: str, payload: str, invocation: str, timeout: float) -> None:
        self.calls.append((service, operation, payload, invocation))


def test_a_task_proxy_keeps_delay_and_apply_async_as_asynchronous_invokes(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    monkeypatch.setattr(client, "transport", lambda: recorder)
    monkeypatch.setattr(client, "_timeout", lambda service: 3.0)
    monkeypatch.delenv("M2L_CALL_LOG", raising=False)

    @client.task("mail", "shop.mail.send")
    def send(order_id: int, *, urgent: bool = False) -> None:
        return client.call("mail", "shop.mail.send", send, {"order_id": order_id, "urgent": urgent})

    assert send.delay(7) is None  # type: ignore[attr-defined]
    assert send.apply_async((8,), {"urgent": True}, queue="mail", countdown=None) is None  # type: ignore[attr-defined]
    send(9)
    assert [(c[1], c[3]) for c in recorder.calls] == [("shop.mail.send", "async"), ("shop.mail.send", "async"),
                                                       ("shop.mail.send", "sync")]
    assert json.loads(recorder.calls[0][2])["arguments"] == {"order_id": 7, "urgent": False}
    assert json.loads(recorder.calls[1][2])["arguments"] == {"order_id": 8, "urgent": True}
    with pytest.raises(ContractError, match="countdown"):
        send.apply_async((1,), countdown=10)  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        send.delay(1, 2, 3)  # type: ignore[attr-defined]
