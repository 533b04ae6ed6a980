"""What call sites hand to untyped parameters (analyzer/arguments.py): a request, a model
instance, bytes or an upload is a blocking `wire-unsafe-argument` hazard at the call when the
callee is another service's operation; literals and plain types are kept for sample events."""

from __future__ import annotations

from analyzer.boundaries.hazards import ERROR, WIRE_UNSAFE_ARGUMENT, Finding
from analyzer.boundaries.metrics import score
from analyzer.boundaries.placement import Placement
from analyzer.graph import CodeGraph

from .snippets import graph_of

SOURCES = {
    "shop/__init__.py": "",
    "shop/models.py": """
        from django.contrib.auth.models import User
        from django.db import models
        class Order(models.Model):
            total = models.IntegerField()
            customer = models.ForeignKey(User, on_delete=models.CASCADE)
            parent = models.ForeignKey("self", on_delete=models.CASCADE)
    """,
    "shop/helpers.py": """
        def owner_name(user):
            return user.username
        def parse(request, data):
            return request.POST.get("x"), request.user.pk, data
        def digest(blob, *, salt=None):
            return blob
        def label(order: "Order", note):
            return note
        def scale(value, factor=1):
            return value * factor
        class Box:
            def put(self, thing):
                return thing
    """,
    "shop/views.py": """
        from django.contrib.auth.models import User
        from django.http import HttpRequest
        from django.shortcuts import get_object_or_404
        from sqlalchemy.orm import Session
        from shop import helpers
        from shop.models import Order
        def page(request, order_id):
            helpers.owner_name(request.user)
            helpers.owner_name(User.objects.get(pk=1))
            order = get_object_or_404(Order, pk=order_id)
            helpers.label(order, "gift")
            helpers.owner_name(order)
            helpers.parse(request, {"a": 1})
            helpers.digest(b"x", salt=order_id.encode())
            helpers.digest(request.FILES["f"])
            helpers.scale(2, factor=1.5)
            helpers.scale(f"{order_id}")
            helpers.scale(1e999)
            helpers.Box().put(request)
        def typed(req: HttpRequest, name: str):
            helpers.parse(req, name)
            helpers.scale(name, 3)
        class Detail:
            def get(self):
                return helpers.parse(self.request, None)
        def loops(order: Order):
            for u in User.objects.filter(is_active=True).order_by("id"):
                helpers.owner_name(u)
            helpers.owner_name(order.customer)
            helpers.owner_name(Order.objects.all()[0])
            helpers.owner_name(order.total)
            for o in Order.objects.get_open():
                helpers.owner_name(o)
    """,
}


def _graph() -> CodeGraph:
    return graph_of(SOURCES)


def _unsafe(graph: CodeGraph, source: str, target: str) -> list[tuple]:
    data = graph.edge(source, target, "calls")
    return [(u["line"], u["arg"], u["passed"], u["expr"], u.get("param"), u.get("type"))
            for u in data.get("unsafe_args") or ()]


def test_what_flows_into_untyped_parameters_is_kept_on_the_calls_edge() -> None:
    graph = _graph()
    user = "django.contrib.auth.models.User"
    assert _unsafe(graph, "shop.views.page", "shop.helpers.owner_name") == [
        (9, 0, "model", "request.user", "user", user),
        (10, 0, "model", "User.objects.get(...)", "user", user),
        (13, 0, "model", "order", "user", "shop.models.Order")]
    assert _unsafe(graph, "shop.views.page", "shop.helpers.label") == [], "a typed parameter converts its rows"
    assert _unsafe(graph, "shop.views.page", "shop.helpers.parse") == [(14, 0, "request", "request", "request", None)]
    assert _unsafe(graph, "shop.views.page", "shop.helpers.digest") == [
        (15, 0, "bytes", "b'...'", "blob", None), (15, "salt", "bytes", "order_id.encode(...)", "salt", None),
        (16, 0, "upload", "request.FILES[...]", "blob", None)]
    assert _unsafe(graph, "shop.views.typed", "shop.helpers.parse") == [(22, 0, "request", "req", "request", None)]
    assert _unsafe(graph, "shop.views.Detail.get", "shop.helpers.parse") == [
        (26, 0, "request", "self.request", "request", None)]
    assert _unsafe(graph, "shop.views.page", "shop.helpers.Box.put") == [], "a method is no operation"
    assert _unsafe(graph, "shop.views.loops", "shop.helpers.owner_name") == [
        (29, 0, "model", "u", "user", user), (30, 0, "model", "order.customer", "user", user),
        (31, 0, "model", "Order.objects.all(...)[...]", "user", "shop.models.Order")], \
        "queryset elements and foreign keys; a column, or a manager method of the app's own, says nothing"


def test_literals_and_plain_types_are_kept_for_samples() -> None:
    graph = _graph()
    assert graph.edge("shop.views.page", "shop.helpers.scale", "calls")["arg_values"] == [
        {"param": "factor", "value": 1.5}, {"param": "value", "type": "number"},
        {"param": "value", "type": "string"}, {"param": "value", "value": 2}]
    assert graph.edge("shop.views.page", "shop.helpers.label", "calls")["arg_values"] == [
        {"param": "note", "value": "gift"}]
    assert graph.edge("shop.views.typed", "shop.helpers.scale", "calls")["arg_values"] == [
        {"param": "factor", "value": 3}], "a name says nothing of its value"


def _hazards(graph: CodeGraph, placement: Placement) -> list[Finding]:
    return [f for f in score(graph, placement).findings if f.kind == WIRE_UNSAFE_ARGUMENT]


def test_each_is_a_blocking_hazard_at_the_call_across_a_service() -> None:
    graph = _graph()
    found = _hazards(graph, Placement({"shop.helpers": "helpers"}))
    assert {f.severity for f in found} == {ERROR}
    text = {(f.location, f.subject): (f.message, f.hint) for f in found}
    assert sorted(f.location for f in found) == ["shop/views.py:10", "shop/views.py:13", "shop/views.py:14",
                                              "shop/views.py:15", "shop/views.py:15", "shop/views.py:16",
                                              "shop/views.py:22", "shop/views.py:26", "shop/views.py:29",
                                              "shop/views.py:30", "shop/views.py:31", "shop/views.py:9"]
    message, hint = text[("shop/views.py:9", "shop.helpers.owner_name")]
    assert "passes a model instance (request.user, a django.contrib.auth.models.User) as argument 1 ('user')" \
        in message and "no type hint" in message
    assert hint.startswith("annotate the parameter with the model class (`user: User`")
    assert "`user: Order`" in text[("shop/views.py:13", "shop.helpers.owner_name")][1]
    message, hint = text[("shop/views.py:14", "shop.helpers.parse")]
    assert "passes the web request (request) as argument 1 ('request')" in message
    assert hint.startswith("parse reads `request.POST`, `request.user` of it: pass that instead (the user as a "
                           "`User` parameter"), hint
    assert graph.edge("shop.views.page", "shop.helpers.parse", "calls")["unsafe_args"][0]["reads"] == ["POST", "user"]
    assert "an uploaded file (request.FILES[...])" in text[("shop/views.py:16", "shop.helpers.digest")][0]


def test_inside_the_service_nothing_crosses() -> None:
    graph = _graph()
    assert not _hazards(graph, Placement({"shop.helpers": "shop", "shop.views": "shop"}))
    assert not _hazards(graph, Placement({}))
