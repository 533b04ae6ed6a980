"""Vocabulary as a signal: identifiers and docstrings, TF-IDF, cosine, top-k neighbours;
and the weak pulls of vocabulary and co-change in the unit graph."""

from __future__ import annotations

from dataclasses import replace

from analyzer.boundaries.partition import DEFAULT_WEIGHTS, unit_lookup, unit_weights
from analyzer.boundaries.vocabulary import vocabulary_pairs, words
from analyzer.graph import CodeGraph

from .snippets import graph_of


def test_identifiers_are_split_and_normalised() -> None:
    assert words("OrderLineRefunds") == ["order", "line", "refund"]
    assert words("order_line_refunds") == ["order", "line", "refund"]
    assert words("XMLInvoice v2 get_data views") == ["xml", "invoice"]  # short, generic and layer words go
    assert words("Refund the customer's invoices.") == ["refund", "customer", "invoice"]


FILES = {
    "app/__init__.py": "",
    "app/billing.py": '''
        def invoice_total(invoice): """Sum of an invoice's lines."""
        def invoice_tax(invoice): pass
    ''',
    "app/reports.py": '''
        class InvoiceRow:
            """One invoice in the monthly report."""
        def monthly_report(): pass
    ''',
    "app/shipping.py": '''
        def parcel_weight(parcel): pass
        def carrier_quote(parcel): pass
    ''',
    "app/tracking.py": '''
        def track_parcel(parcel_id): """Where a parcel is."""
        def carrier_status(carrier): pass
    ''',
    "app/audit.py": "def monthly_audit(): pass\n",
}


def test_units_about_the_same_concept_are_neighbours() -> None:
    graph = graph_of(FILES)
    pairs = vocabulary_pairs(graph, unit_lookup(graph))
    assert pairs[("app.billing", "app.reports")] > 0.3
    assert pairs[("app.shipping", "app.tracking")] > 0.3
    assert ("app.billing", "app.shipping") not in pairs
    assert all(0 < s <= 1.0001 for s in pairs.values())
    assert vocabulary_pairs(graph, unit_lookup(graph), top_k=1).keys() <= pairs.keys()


def test_vocabulary_and_cochange_pull_weakly_and_can_be_turned_off() -> None:
    graph = graph_of(FILES)
    graph.add_dependency("app.audit", "app.shipping", "cochange", count=4, weight=0.5)
    unit = unit_lookup(graph)
    pairs = unit_weights(graph, weights=DEFAULT_WEIGHTS, unit=unit)
    assert pairs[("app.audit", "app.shipping")] == DEFAULT_WEIGHTS.cochange * 0.5
    assert 0 < pairs[("app.billing", "app.reports")] <= DEFAULT_WEIGHTS.vocabulary
    off = unit_weights(graph, weights=replace(DEFAULT_WEIGHTS, cochange=0.0, vocabulary=0.0), unit=unit)
    assert ("app.audit", "app.shipping") not in off and ("app.billing", "app.reports") not in off


def test_a_graph_file_keeps_cochange_edges(tmp_path) -> None:
    graph = graph_of(FILES)
    graph.add_dependency("app.audit", "app.shipping", "cochange", count=4, weight=0.5)
    path = tmp_path / "graph.json"
    path.write_text(graph.dumps())
    [(_, _, data)] = CodeGraph.load(path).dependencies("cochange")
    assert (data["count"], data["weight"]) == (4, 0.5)
