"""The boundary report on the bundled example: structure, determinism, self-containment,
the three renderings, and the HTML in a real (headless) browser."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from analyzer.boundaries.metrics import score
from analyzer.boundaries.placement import MONOLITH, SHARED, Placement, units_of
from analyzer.boundaries.plan import assign, read_plan
from analyzer.boundaries.report import ReportModel, build_report, render_html, render_json, render_markdown
from analyzer.graph import CodeGraph
from analyzer.pipeline import AnalyzeOptions, analyze

from ..browser import CHROMIUM, CHROMIUM_ARGS, requires_chromium
from .snippets import graph_of

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "shop"
SECTIONS = ("overview", "service-map", "across", "places", "data", "modules", "diagnostics")



@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[CodeGraph, Placement]:
    graph = analyze(EXAMPLE, tmp_path_factory.mktemp("shop"), AnalyzeOptions(use_cache=False)).load_graph()
    plan = read_plan(EXAMPLE / "boundaries.yaml").plan  # the reviewed plan: stable across proposal changes
    return graph, assign(plan, units_of(graph))


@pytest.fixture(scope="module")
def model(shop: tuple[CodeGraph, Placement]) -> ReportModel:
    return build_report(*shop)


@pytest.fixture(scope="module")
def html(model: ReportModel) -> str:
    return render_html(model)


@pytest.fixture(scope="module")
def markdown(model: ReportModel) -> str:
    return render_markdown(model)


class _Page(HTMLParser):
    """Collects ids, external references and SVG boxes; fails on unbalanced tags."""

    VOID = frozenset({"meta", "br", "link", "img", "input", "hr", "source", "wbr", "col", "area", "base"})

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.references: list[str] = []
        self.boxes: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        self.references += [str(v) for k, v in attrs if k in ("src", "href", "xlink:href") and v]
        if tag == "g" and "box" in str(found.get("class", "")).split():
            self.boxes.append(str(found["data-place"]))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    assert page.open == [], f"unclosed tags: {page.open}"
    return page


def test_the_html_has_every_section_and_names_every_place(shop: tuple[CodeGraph, Placement], html: str) -> None:
    page = _parse(html)
    _, placement = shop
    places = [MONOLITH, *placement.services(), SHARED]
    assert set(SECTIONS) <= page.ids
    assert {f"place-{p}" for p in places} <= page.ids
    assert sorted(page.boxes) == sorted(places)
    assert "<title>mono2lambda boundary report: shop</title>" in html


def test_the_html_is_self_contained(html: str) -> None:
    page = _parse(html)
    assert all(ref.startswith("#") for ref in page.references), page.references
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"@import|url\((?!#)", html)
    assert "<script" not in html and "<link" not in html


def test_the_overview_has_the_figures(model: ReportModel) -> None:
    keys = [f.key for f in model.figures]
    assert keys == ["files", "modules", "functions", "tables", "services", "resolved_share", "modularity", "icp",
                    "ifn", "ned", "hazards", "transactions", "cycles"]
    figures = {f.key: f for f in model.figures}
    assert figures["files"].value == 66 and figures["services"].value == 12
    assert figures["transactions"].value == 3  # place_order, and shipping setting the order status twice


def test_the_cross_service_transaction_is_listed_with_its_location(model: ReportModel, html: str,
                                                                    markdown: str) -> None:
    (transaction,) = [t for t in model.transactions if t.function == "shop.orders.checkout.place_order"]
    assert re.fullmatch(r"shop/orders/checkout\.py:\d+", transaction.location)
    assert "table:payments (payments)" in transaction.tables
    for text in (html, markdown):
        assert "shop.orders.checkout.place_order" in text and transaction.location in text
    hazards = [h for p in model.places for h in p.hazards] + list(model.other_hazards)
    assert any(h.kind == "cross-service-transaction" and h.location == transaction.location for h in hazards)


def test_every_finding_appears_exactly_once(shop: tuple[CodeGraph, Placement], model: ReportModel) -> None:
    findings = score(*shop).findings
    listed = [h for p in model.places for h in p.hazards] + list(model.other_hazards)
    assert len(listed) == len(findings)
    assert next(f for f in model.figures if f.key == "hazards").value == len(findings)


def test_a_service_lists_its_modules_operations_data_and_hazards(model: ReportModel) -> None:
    places = {p.name: p for p in model.places}
    orders = places["orders"]
    assert "shop.orders.checkout" in [m.name for m in orders.modules]
    assert "table:orders" in orders.owns
    assert all(re.fullmatch(r"[\w/.]+\.py:\d+", op.location) for op in orders.operations)
    assert all(h.service == "orders" and h.location and h.hint for h in orders.hazards)
    assert places[SHARED].operations == ()


def test_the_matrix_marks_a_table_written_by_two_services(model: ReportModel, html: str) -> None:
    rows = {r.entity: r for r in model.data.rows}
    payments = rows["table:payments"]
    writers = [c.place for c in payments.cells if "W" in c.mark]
    assert payments.contested and len(writers) >= 2 and {"orders", "payments"} <= set(writers)
    assert {c.mark for r in model.data.rows for c in r.cells} <= {"", "R", "W", "RW"}
    assert model.data.places == tuple(p.name for p in model.places)
    assert re.search(r'<tr class="contested"><td><code>table:payments</code>', html)


def test_the_module_table_explains_every_module(shop: tuple[CodeGraph, Placement], model: ReportModel) -> None:
    graph, placement = shop
    assert [m.unit for m in model.modules] == graph.nodes("module")
    row = next(m for m in model.modules if m.unit == "shop.orders.checkout")
    assert row.place == placement.place_of("shop.orders.checkout") and row.size > 0
    assert row.why.startswith(  # the `orders` blueprint (shop.web.orders_api) is a declared domain
        "shop.orders.checkout is in orders (its domain: mirrors the domain 'orders' in its path):")


def test_the_service_map_draws_weighted_arrows_between_boxes(model: ReportModel) -> None:
    service_map = model.service_map
    assert [b.place for b in service_map.boxes] == [p.name for p in model.places]
    for a in service_map.boxes:  # no two boxes overlap
        for b in service_map.boxes:
            if a.place < b.place:
                assert a.x + a.width <= b.x or b.x + b.width <= a.x or a.y + a.height <= b.y or b.y + b.height <= a.y
    arrows = {(a.source, a.target): a for a in service_map.arrows}
    assert arrows[("monolith", "accounts")].calls > arrows[("monolith", "notifications")].calls
    assert arrows[("monolith", "accounts")].width > arrows[("monolith", "notifications")].width
    assert all(a.local == (a.target == SHARED) for a in service_map.arrows)
    assert all(b.x >= 0 and b.x + b.width <= service_map.width for b in service_map.boxes)


def test_rendering_is_deterministic(shop: tuple[CodeGraph, Placement], html: str, markdown: str) -> None:
    again = build_report(*shop)
    assert render_html(again) == html
    assert render_markdown(again) == markdown
    assert render_json(again) == render_json(build_report(*shop))


def test_the_json_round_trips(model: ReportModel) -> None:
    text = render_json(model)
    document = json.loads(text)
    assert document["format"] == "mono2lambda-report" and document["version"] == 1
    assert list(document) == sorted(document)
    assert ReportModel.from_json(document) == model
    assert render_json(ReportModel.from_json(document)) == text


def test_the_markdown_has_the_tables(model: ReportModel, markdown: str) -> None:
    for heading in ("## Overview", "## Service map", "## Across services", "## Services", "## Data ownership",
                    "## Modules", "## Diagnostics"):
        assert f"\n{heading}\n" in markdown
    assert "| Figure | Value | Note |" in markdown
    assert "| Module | Role | Place | Lines | Why it is there |" in markdown
    assert "| `table:payments` **(!)** | table |" in markdown
    for place in model.places:
        assert re.search(rf"^### {re.escape(place.name)}\b", markdown, re.MULTILINE)
    lines = markdown.splitlines()  # every table row has as many cells as its header
    header_rows = [i for i, line in enumerate(lines) if line.startswith("| ---")]
    for i in header_rows:
        width = _cells(lines[i - 1])
        j = i + 1
        while j < len(lines) and lines[j].startswith("|"):
            assert _cells(lines[j]) == width, lines[j]
            j += 1


def _cells(row: str) -> int:
    return len(re.split(r"(?<!\\)\|", row)) - 2


def test_diagnostics_and_awkward_text_are_shown_safely() -> None:
    graph = graph_of({"pkg/__init__.py": "", "pkg/a.py": "def f():\n    return 1\n"})
    graph.diagnostics = [{"file": "pkg/bad.py", "line": 3, "severity": "error", "code": "syntax-error",
                          "message": "invalid syntax near <script>alert(1)</script> | here"}]
    model = build_report(graph, Placement(dict.fromkeys(graph.nodes("module"), MONOLITH)), plan_name="b.yaml")
    html, markdown = render_html(model), render_markdown(model)
    assert model.diagnostics[0].location == "pkg/bad.py:3"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "pkg/bad.py:3" in markdown and r"</script> \| here" in markdown
    assert "Boundaries: b.yaml" in html and "Boundaries: b.yaml" in markdown
    _parse(html)
    assert [b.place for b in model.service_map.boxes] == [MONOLITH]
    assert next(f for f in model.figures if f.key == "services").value == 0


@requires_chromium
def test_the_html_works_in_a_real_browser(model: ReportModel, html: str, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text(html, encoding="utf-8")
    messages: list[tuple[str, str]] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: messages.append((m.type, m.text)))
            page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri())
            assert page.title() == "mono2lambda boundary report: shop"
            boxes = page.locator("svg.map g.box")
            assert boxes.count() == len(model.places)
            assert sorted(boxes.evaluate_all("gs => gs.map(g => g.dataset.place)")) == \
                sorted(p.name for p in model.places)
            assert page.locator("svg.map g.arrow").count() == len(model.service_map.arrows)
            size = page.locator("svg.map").bounding_box()
            assert size is not None and size["width"] > 400 and size["height"] > 300
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert [m for m in messages if m[0] in ("error", "pageerror")] == []
    assert all(url.startswith("file://") for url in requests), requests
    assert (tmp_path / "report.png").stat().st_size > 10_000
