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
from analyzer.boundaries.report.markdown import code_span, markdown_text
from analyzer.boundaries.report.model import group_hazards
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
    assert "<link" not in html
    (script,) = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.DOTALL)  # one, inline
    assert script[0] == "" and not re.search(r"fetch|XMLHttpRequest|import\b|src\s*=|WebSocket|sendBeacon", script[1])


def test_the_overview_has_the_figures(model: ReportModel) -> None:
    keys = [f.key for f in model.figures]
    assert keys == ["files", "modules", "functions", "tables", "services", "resolved_share", "modularity", "icp",
                    "ifn", "ned", "hazards", "transactions", "cycles"]
    figures = {f.key: f for f in model.figures}
    assert figures["files"].value == 66 and figures["services"].value == 12
    # place_order, and shipping setting the order status twice; then two calls where refunds hand
    # reporting's audit record their uncommitted order changes
    assert figures["transactions"].value == 5


def test_the_cross_service_transaction_is_listed_with_its_location(model: ReportModel, html: str,
                                                                    markdown: str) -> None:
    (transaction,) = [t for t in model.transactions
                      if t.function == "shop.orders.checkout.place_order" and "through" not in t.tables]
    assert re.fullmatch(r"shop/orders/checkout\.py:\d+", transaction.location)
    assert "table:payments (payments)" in transaction.tables
    for text in (html, markdown):
        assert "shop.orders.checkout.place_order" in text and transaction.location in text
    hazards = [h for p in model.places for h in p.hazards] + list(model.other_hazards)
    assert any(h.kind == "cross-service-transaction" and h.location == transaction.location for h in hazards)
    (call,) = [t for t in model.transactions if t.function == "shop.orders.refunds.refund_order"]
    assert re.fullmatch(r"shop/orders/refunds\.py:\d+", call.location)
    assert call.tables.endswith("; then, through shop.common.audit.record: table:audit_log (reporting)")
    assert any(h.kind == "cross-service-transaction" and h.location == call.location for h in hazards)


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
    for heading in ("## Overview", "## Service map", "## Across services", "## Hazards", "## Services",
                    "## Data ownership",
                    "## Modules", "## Diagnostics"):
        assert f"\n{heading}\n" in markdown
    assert "| Figure | Value | Note |" in markdown
    assert "| Module | Role | Place | Lines | Why it is there |" in markdown
    assert "| `table:payments` **(!)** | table |" in markdown
    for place in model.places:
        assert re.search(rf"^### {re.escape(place.name)}\b", markdown, re.MULTILINE)
    assert _tables_keep_their_width(markdown) >= 8


def test_the_markdown_groups_hazards_by_kind(model: ReportModel, markdown: str) -> None:
    """As the HTML does: one section, a block per kind with its count and its fixes, each
    hazard listed once; a service lists only its kinds and counts."""
    section = markdown.split("\n## Hazards\n", 1)[1].split("\n## Services\n", 1)[0]
    blocks = re.findall(r"^\*\*([a-z-]+)\*\* \((error|warning), (\d+)\)", section, re.MULTILINE)
    groups = group_hazards(model.hazards)
    assert [(kind, severity, int(count)) for kind, severity, count in blocks] == [
        (g.kind, g.severity, len(g.hazards)) for g in groups]
    assert len({g.kind for g in groups}) == len(groups) > 3
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert len(rows) == len(model.hazards)
    assert section.count("\nFix") == sum(len(g.fixes) for g in groups)
    services = markdown.split("\n## Services\n", 1)[1].split("\n## Data ownership\n", 1)[0]
    assert "cannot cross a wire" not in services  # instances are listed once, under Hazards
    assert re.search(r"^- (error|warning): [a-z-]+ \u00d7 \d+ \(under Hazards\)$", services, re.MULTILINE)


def _tables_keep_their_width(markdown: str) -> int:
    """Every table row has as many cells as its header; returns the number of tables."""
    lines = markdown.splitlines()
    header_rows = [i for i, line in enumerate(lines) if line.startswith("| ---")]
    for i in header_rows:
        width = _cells(lines[i - 1])
        j = i + 1
        while j < len(lines) and lines[j].startswith("|"):
            assert _cells(lines[j]) == width, lines[j]
            j += 1
    return len(header_rows)


def _cells(row: str) -> int:
    """Cells of a GitHub table row: `|` splits unless backslash-escaped (`\\\\` escapes itself)."""
    bars, escaped = 0, False
    for char in row:
        bars += char == "|" and not escaped
        escaped = char == "\\" and not escaped
    return bars - 1


def test_diagnostics_and_awkward_text_are_shown_safely() -> None:
    graph = graph_of({"pkg/__init__.py": "", "pkg/a.py": "def f():\n    return 1\n"})
    graph.diagnostics = [{"file": "pkg/bad.py", "line": 3, "severity": "error", "code": "syntax-error",
                          "message": "invalid syntax near <script>alert(1)</script> | here"}]
    model = build_report(graph, Placement(dict.fromkeys(graph.nodes("module"), MONOLITH)), plan_name="b.yaml")
    html, markdown = render_html(model), render_markdown(model)
    assert model.diagnostics[0].location == "pkg/bad.py:3"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and html.count("<script>") == 1  # the report's own
    assert "pkg/bad.py:3" in markdown and r"&lt;/script&gt; \| here" in markdown and "<script>" not in markdown
    assert "Boundaries: b.yaml" in html and "Boundaries: b.yaml" in markdown
    _parse(html)
    assert [b.place for b in model.service_map.boxes] == [MONOLITH]
    assert next(f for f in model.figures if f.key == "services").value == 0


HOSTILE_MODULE = "check|out*em*_x_`tick`<script>alert(1)</script>[a](b)\nnext"
HOSTILE_SERVICE = "svc|<script>alert(2)</script> **b** ``x``"
HOSTILE_TABLE = "pay|ments<img src=x onerror=alert(3)>_t_"
HOSTILE_SHOP = {
    "models.py": """
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
        class Base(DeclarativeBase):
            pass
        class Order(Base):
            __tablename__ = "orders"
            id: Mapped[int] = mapped_column(primary_key=True)
        class Charge(Base):
            __tablename__ = "TABLE"
            id: Mapped[int] = mapped_column(primary_key=True)
    """,
    "checkout.py": """
        from sqlalchemy.orm import Session
        import billing
        from models import Charge, Order
        def place(session: Session) -> None:
            session.add(Order())
            session.add(Charge())
            billing.charge(session)
    """,
    "billing.py": """
        from sqlalchemy.orm import Session
        from models import Charge
        def charge(session: Session) -> None:
            session.add(Charge())
    """,
}


def _hostile_report() -> str:
    """The Markdown report of a graph whose module, service, table, file, domain, framework
    and diagnostic names hold Markdown and HTML (renamed in graph.json, as if analysed)."""
    text = json.dumps(graph_of(HOSTILE_SHOP).to_json())
    for plain, hostile in (("checkout", HOSTILE_MODULE), ("TABLE", HOSTILE_TABLE)):
        text = text.replace(plain, json.dumps(hostile)[1:-1])
    graph = CodeGraph.from_json(json.loads(text))
    assert HOSTILE_MODULE in graph.nodes("module") and f"table:{HOSTILE_TABLE}" in graph.nodes("table")
    graph.meta["domains"] = [{"name": HOSTILE_SERVICE, "kind": "blueprint", "package": HOSTILE_MODULE,
                              "file": "a|b`.py", "line": 1, "declared": "instance"}]
    graph.meta["frameworks"] = {HOSTILE_SERVICE: {"roles": {"vi|ew": 1}}}
    graph.diagnostics = [{"file": HOSTILE_MODULE, "line": 2, "severity": "error", "code": "x|y",
                          "message": HOSTILE_TABLE}]
    placement = Placement({HOSTILE_MODULE: HOSTILE_SERVICE, "billing": "billing", "models": SHARED})
    return render_markdown(build_report(graph, placement, plan_name="plan|<b>.yaml"))


def _outside_code_spans(markdown: str) -> str:
    return re.sub(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", "", markdown)


def test_hostile_names_keep_the_markdown_tables_whole_and_free_of_html() -> None:
    markdown = _hostile_report()
    assert _tables_keep_their_width(markdown) >= 8
    outside = _outside_code_spans(markdown)
    assert "<script>" not in outside and "<img" not in outside and "<b>" not in outside
    assert "**b**" not in outside and "[a](b)" not in outside and " _t_" not in outside
    rows = [line for line in markdown.splitlines() if line.startswith("|")]
    assert not [bar for bar in ("check|out", "svc|", "pay|ments", "vi|ew", "x|y") if any(bar in r for r in rows)]
    assert "plan|" not in outside
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in markdown  # the service, as text


def test_hostile_names_render_as_written_in_a_commonmark_parser() -> None:
    """Parsed as GitHub-flavoured tables: every row as wide as its header, no HTML at all,
    and each hostile name shown exactly as written (its line break as a space)."""
    markdown_it = pytest.importorskip("markdown_it")
    tokens = markdown_it.MarkdownIt("commonmark").enable("table").parse(_hostile_report())
    inline = [child for token in tokens for child in token.children or ()]
    assert not [t for t in tokens + inline if t.type.startswith("html")]
    widths: list[int] = []
    for token in tokens:
        if token.type == "tr_open":
            widths.append(0)
        elif token.type in ("th_open", "td_open"):
            widths[-1] += 1
        elif token.type == "thead_open":
            widths = []
        elif token.type == "table_close":
            assert len(set(widths)) == 1, widths
    shown = {t.content for t in inline if t.type in ("code_inline", "text")}
    assert HOSTILE_MODULE.replace("\n", " ") in shown  # a code span
    assert any(HOSTILE_SERVICE in "".join(t.content for t in token.children or ()) for token in tokens
               if token.type == "inline")  # text: escaped, yet shown as written


def test_the_markdown_filters_on_edge_cases() -> None:
    assert markdown_text("a|b\n<i>*c*_d_ snake_case") == "a\\|b &lt;i&gt;\\*c\\*\\_d\\_ snake_case"
    assert markdown_text("back\\slash [x]") == "back\\\\slash \\[x\\]"
    assert code_span("a``b") == "```a``b```" and code_span("`a") == "`` `a ``"
    assert code_span("a|b") == "`a\\|b`" and code_span("a|b", table=False) == "`a|b`"
    assert code_span("a\\|b") == "a\\\\\\|b"  # a code span cannot hold an escaped bar: text instead
    assert code_span("") == "" and code_span("x\r\ny") == "`x y`"


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
