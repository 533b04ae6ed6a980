"""The boundary report at scale: a generated graph of 2,000 modules in 24 services, read in a
real (headless) browser, and the parts that make it readable there (the verdict, hazards by
kind, the call matrix, the thinned map, links to the source) on small cases."""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page, sync_playwright

from analyzer.boundaries.placement import MONOLITH, SHARED, Placement
from analyzer.boundaries.report import ReportModel, build_report, render_html, render_json, render_markdown
from analyzer.boundaries.report.layout import MAX_ARROWS
from analyzer.boundaries.report.model import group_hazards
from analyzer.graph import CodeGraph
from mono2lambda.cli import cli

from ..browser import CHROMIUM, CHROMIUM_ARGS, requires_chromium
from .snippets import graph_of

MODULES, PACKAGES = 2000, 26  # the first package stays in the monolith, the last is shared: 24 services
WIDE = {"width": 1440, "height": 900}
COLLAPSED_HEIGHT = 2_000  # px: every section closed, whatever the size of the codebase


def generated_graph(modules: int = MODULES, packages: int = PACKAGES, seed: int = 7) -> CodeGraph:
    """Packages of modules calling mostly among themselves, with tables, some iterator returns
    (a wire-unsafe-type hazard once called across a boundary) and one file that did not parse."""
    rng = random.Random(seed)
    graph = CodeGraph()
    names = [f"big.pkg{i % packages:02d}.module_with_a_rather_long_name_{i:04d}" for i in range(modules)]
    functions: dict[str, list[str]] = {}
    for module in names:
        path = module.replace(".", "/") + ".py"
        graph.add_symbol(module, "module", file=path, line=1, end_line=200, size=rng.randint(40, 300), module=module)
        functions[module] = []
        for f in range(4):
            fid = f"{module}.function_{f}"
            graph.add_symbol(fid, "function", file=path, line=10 + 20 * f, size=15, module=module,
                             params=[{"name": "x", "kind": "positional", "annotation": "int", "default": False}],
                             returns=rng.choice(["int", "int", "int", "Iterator[int]"]))
            functions[module].append(fid)
    by_package: dict[str, list[str]] = {}
    for module in names:
        by_package.setdefault(module.rsplit(".", 1)[0], []).append(module)
    packages_ = sorted(by_package)
    for package in packages_:
        graph.add_symbol(f"table:{package.rsplit('.', 1)[1]}_rows", "table", name=f"{package}_rows")
    for module in names:
        package = module.rsplit(".", 1)[0]
        for caller in functions[module]:
            for _ in range(2):
                home = package if rng.random() < 0.9 else rng.choice(packages_)
                callee = rng.choice(functions[rng.choice(by_package[home])])
                if callee != caller and not graph.has_dependency(caller, callee, "calls"):
                    graph.add_dependency(caller, callee, "calls", count=1, lines=[11])
            if rng.random() < 0.2:
                home = package if rng.random() < 0.95 else rng.choice(packages_)
                graph.add_dependency(caller, f"table:{home.rsplit('.', 1)[1]}_rows", rng.choice(["reads", "writes"]),
                                     lines=[12])
    graph.diagnostics = [{"file": "big/broken.py", "line": 1, "severity": "error", "code": "syntax-error",
                          "message": "invalid syntax"}]
    return graph


def generated_placement(graph: CodeGraph) -> Placement:
    packages = sorted({m.rsplit(".", 1)[0] for m in graph.nodes("module")})
    place = {p: p.rsplit(".", 1)[1] for p in packages}
    place[packages[0]], place[packages[-1]] = MONOLITH, SHARED
    return Placement({m: place[m.rsplit(".", 1)[0]] for m in graph.nodes("module")})


@pytest.fixture(scope="module")
def big() -> ReportModel:
    graph = generated_graph()
    return build_report(graph, generated_placement(graph), links="vscode://file/{path}:{line}")


@pytest.fixture(scope="module")
def big_html(big: ReportModel) -> str:
    return render_html(big)


def test_the_verdict_says_blocked_by_how_many_in_how_many_services(big: ReportModel) -> None:
    verdict = big.verdict
    errors = [h for h in big.hazards if h.severity == "error"]
    assert not verdict.extractable and verdict.blocking == len(errors) > 0
    assert verdict.services_blocked == len({h.service for h in errors if h.service not in (MONOLITH, SHARED)})
    assert verdict.headline.startswith(f"Blocked: {len(errors):,} blocking hazards in {verdict.services_blocked} of 24 "
                                       "services")
    assert verdict.files_skipped == 1 and verdict.detail.startswith("1 file skipped")


def test_a_clean_plan_is_extractable() -> None:
    graph = graph_of({"a.py": "def f() -> int:\n    return 1\n"})
    model = build_report(graph, Placement({"a": "alpha"}))
    assert model.verdict.extractable and model.verdict.headline == "Extractable: no blocking hazard in 1 service"
    assert model.verdict.detail == "Every file was parsed."
    assert 'class="verdict ok"' in render_html(model)


def test_hazards_are_grouped_by_kind_with_one_fix_text(big: ReportModel, big_html: str) -> None:
    groups = group_hazards(big.hazards)
    assert len({g.kind for g in groups}) == len(groups)
    assert sum(len(g.hazards) for g in groups) == len(big.hazards) > 100
    assert [g.severity for g in groups] == sorted((g.severity for g in groups), key=["error", "warning"].index)
    for group in groups:
        assert group.fixes[0][0] == group.hint and sum(len(found) for _, found in group.fixes) == len(group.hazards)
    section = big_html[big_html.index('<section id="hazards">'):big_html.index('<section id="across">')]
    assert section.count('<details class="group') == len(groups)
    assert section.count("<tr><td>") == len(big.hazards)  # each instance once, inside its group


def test_the_call_matrix_counts_calls_between_places() -> None:
    graph = graph_of({
        "a.py": "import b\nimport c\ndef f():\n    b.g()\n    b.g()\n    c.h()\n",
        "b.py": "import c\ndef g():\n    c.h()\n",
        "c.py": "def h():\n    return 1\n",
    })
    model = build_report(graph, Placement({"a": "alpha", "b": "beta", "c": "gamma"}))
    calls = dict(zip(model.calls.places, model.calls.counts, strict=True))
    assert model.calls.places == ("alpha", "beta", "gamma")
    assert calls["alpha"] == (0, 2, 1) and calls["beta"] == (0, 0, 1) and calls["gamma"] == (0, 0, 0)
    html = render_html(model)
    assert re.search(r'<tr data-place="alpha"><th scope="row">1 alpha</th><td class="self"></td>'
                     r'<td class="calls" title="alpha -> beta: 2 call sites">2</td>'
                     r'<td class="calls" title="alpha -> gamma: 1 call site">1</td></tr>', html)
    assert ReportModel.from_json(json.loads(render_json(model))) == model
    markdown = render_markdown(model)
    assert "| alpha | beta | 2 |  |\n| alpha | gamma | 1 |  |\n| beta | gamma | 1 |  |\n" in markdown


def test_the_markdown_lists_every_call_and_the_verdict(big: ReportModel) -> None:
    markdown = render_markdown(big)
    between = sum(1 for row in big.calls.counts for count in row if count)
    assert between > len(big.service_map.arrows)  # the map is thinned, the table is not
    service_map = markdown[markdown.index("## Service map"):markdown.index("## Across services")]
    assert service_map.count("\n| ") == between + 2  # and the header, and its rule
    assert f"**{big.verdict.headline}.** 1 file skipped" in markdown


def test_the_map_draws_only_the_strongest_calls(big: ReportModel) -> None:
    service_map = big.service_map
    between = sum(1 for row in big.calls.counts for count in row if count)
    assert len(service_map.arrows) == min(MAX_ARROWS, between) and service_map.hidden == between - MAX_ARROWS > 0
    weakest_drawn = min(a.calls for a in service_map.arrows)
    drawn = {(a.source, a.target) for a in service_map.arrows}
    index = {p: i for i, p in enumerate(big.calls.places)}
    assert all(big.calls.counts[index[a]][index[b]] <= weakest_drawn
               for a in big.calls.places for b in big.calls.places if a != b and (a, b) not in drawn)


def test_locations_link_through_the_template_only_when_one_is_set(big_html: str) -> None:
    assert re.search(r'<a class="source" href="vscode://file/big/pkg\d\d/module_with_a_rather_long_name_\d{4}\.py:\d+">'
                     r"<code>big/pkg", big_html)
    assert 'href="vscode://file/big/broken.py:1"' in big_html  # a diagnostic
    graph = graph_of({"a.py": "def f():\n    return 1\n"})
    graph.diagnostics = [{"file": "a.py", "line": 3, "severity": "warning", "code": "x", "message": "y"}]
    assert 'class="source"' not in render_html(build_report(graph, Placement({"a": "alpha"})))


@pytest.fixture(scope="module")
def browser(big_html: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Browser, Path]]:
    report = tmp_path_factory.mktemp("big") / "report.html"
    report.write_text(big_html, encoding="utf-8")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium, report
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def browser_page(browser: tuple[Browser, Path]) -> tuple[Page, list[str], float]:
    chromium, report = browser
    errors: list[str] = []
    page = chromium.new_page(viewport=WIDE)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith("file://") else errors.append(f"request {r.url}"))
    started = time.perf_counter()
    page.goto(report.as_uri(), wait_until="load")
    return page, errors, time.perf_counter() - started


def _size(page: Page) -> tuple[int, int]:
    width, height = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    return int(width), int(height)


@requires_chromium
def test_the_big_report_fits_the_window_and_loads_quickly(browser_page: tuple[Page, list[str], float],
                                                          big_html: str) -> None:
    page, errors, load = browser_page
    page.click("#expand-all")
    width, expanded = _size(page)
    assert width <= WIDE["width"]  # long identifiers wrap or scroll inside their card
    page.click("#collapse-all")
    width, collapsed = _size(page)
    assert width <= WIDE["width"] and collapsed <= COLLAPSED_HEIGHT < expanded
    print(f"\n2,000 modules: {len(big_html.encode()):,} bytes, loaded in {load:.2f} s, "
          f"{collapsed:,} px collapsed, {expanded:,} px expanded")
    assert load < 10
    assert errors == []


@requires_chromium
def test_sections_collapse_and_expand(browser_page: tuple[Page, list[str], float]) -> None:
    page, errors, _ = browser_page
    page.click("#collapse-all")
    modules = page.locator("#modules > details")
    assert not modules.evaluate("d => d.open") and not page.locator("#modules tbody tr").first.is_visible()
    page.click("#modules > details > summary")
    assert modules.evaluate("d => d.open") and page.locator("#modules tbody tr").first.is_visible()
    place = page.locator("#place-pkg05")
    assert not place.evaluate("d => d.open")  # more than 8 places: each starts closed
    page.click("#places > details > summary")
    page.click("#place-pkg05 > summary")
    assert place.evaluate("d => d.open") and place.locator("ul.modules li").first.is_visible()
    page.click("#collapse-all")
    assert errors == []


@requires_chromium
def test_the_filter_box_hides_rows_that_do_not_match(browser_page: tuple[Page, list[str], float]) -> None:
    page, errors, _ = browser_page
    page.click("#collapse-all")
    page.fill("#filter", "module_with_a_rather_long_name_0042")
    page.press("#filter", "Enter")
    module_rows = page.locator("#modules tbody tr")
    visible = module_rows.evaluate_all("rows => rows.filter(r => !r.hidden).map(r => r.cells[0].textContent)")
    assert visible == ["big.pkg16.module_with_a_rather_long_name_0042"]
    assert page.locator("#modules tbody tr:not([hidden])").first.is_visible()  # its section opened
    assert re.fullmatch(r"\d+ matching rows?", page.inner_text("#filter-count"))
    page.fill("#filter", "pkg07")  # a service: its place whole, and the rows that name it elsewhere
    page.press("#filter", "Enter")
    assert page.locator("#place-pkg07 ul.modules li[hidden]").count() == 0
    assert page.locator("#place-pkg07 ul.modules li").first.is_visible()
    shown = page.locator("#modules tbody tr:not([hidden])").evaluate_all("rows => rows.map(r => r.textContent)")
    assert all("pkg07" in text for text in shown) and 0 < len(shown) < MODULES
    assert page.locator("#modules tbody tr:not([hidden]) td:nth-child(3)", has_text="pkg07").count() == \
        MODULES // PACKAGES + (MODULES % PACKAGES > 7)  # every module of pkg07
    page.fill("#filter", "wire-unsafe-type")  # a hazard kind
    page.press("#filter", "Enter")
    kinds = page.locator("#hazards details.group:not([hidden])").evaluate_all("ds => ds.map(d => d.dataset.k)")
    assert kinds == ["wire-unsafe-type error"]
    page.fill("#filter", "")
    page.press("#filter", "Enter")
    assert page.locator("#modules tbody tr[hidden]").count() == 0
    assert page.inner_text("#filter-count") == ""
    assert errors == []


@requires_chromium
def test_the_map_and_matrix_stay_legible(browser_page: tuple[Page, list[str], float], big: ReportModel) -> None:
    page, errors, _ = browser_page
    page.click("#collapse-all")
    page.click("#service-map > details > summary")
    sizes = page.locator("svg.map text").evaluate_all(
        "ts => ts.map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)")
    assert len(sizes) >= len(big.places) and min(sizes) >= 11.99  # px on screen, at 1:1
    assert page.locator("svg.map g.arrow").count() == MAX_ARROWS
    assert page.locator("table.dsm tbody tr").count() == len(big.places) == 26
    zoomed = page.locator("svg.map")
    before = float(zoomed.get_attribute("width") or 0)
    page.click("[data-zoom='1.25']")
    assert float(zoomed.get_attribute("width") or 0) > before
    page.click("[data-zoom='fit']")
    frame = page.locator(".map-frame").evaluate("f => [f.clientWidth, f.scrollWidth]")
    assert float(zoomed.get_attribute("width") or 0) < before and frame[1] <= frame[0]  # whole, no scrolling
    page.click("[data-zoom='0']")
    assert float(zoomed.get_attribute("width") or 0) == pytest.approx(before, abs=1)
    assert page.locator("table.dsm td.calls").evaluate_all(  # counts on one line
        "cells => cells.every(c => c.getClientRects().length === 1 && c.offsetHeight < 30)")
    assert _size(page)[0] <= WIDE["width"]
    assert errors == []


@requires_chromium
def test_a_narrow_window_gets_one_column(browser: tuple[Browser, Path]) -> None:
    chromium, report = browser
    page = chromium.new_page(viewport={"width": 390, "height": 800})
    try:
        page.goto(report.as_uri())
        page.click("#expand-all")
        assert _size(page)[0] <= 390
        for grid in (".map-and-matrix", "#place-pkg03 .columns"):
            assert len(page.locator(grid).evaluate("e => getComputedStyle(e).gridTemplateColumns").split()) == 1
    finally:
        page.close()


def test_the_report_command_links_through_the_configured_template(tmp_path: Path) -> None:
    graph = graph_of({"a.py": "import b\ndef f():\n    b.g()\n", "b.py": "def g():\n    return 1\n"})
    graph.diagnostics = [{"file": "c.py", "line": 4, "severity": "error", "code": "syntax-error", "message": "bad"}]
    graph_path = tmp_path / "graph.json"
    graph_path.write_text(json.dumps(graph.to_json()), encoding="utf-8")
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.mono2lambda]\nreport_links = "https://example.invalid/blob/main/{path}#L{line}"\n',
                      encoding="utf-8")
    for args, linked in ((["--config", str(config)], True), ([], False)):
        output = tmp_path / "report.html"
        result = CliRunner().invoke(cli, [*args, "report", "--graph", str(graph_path), "--plan",
                                          str(tmp_path / "none.yaml"), "-o", str(output)])
        assert result.exit_code == 0, result.output
        html = output.read_text(encoding="utf-8")
        assert ('<a class="source" href="https://example.invalid/blob/main/c.py#L4"><code>c.py:4</code></a>' in html) \
            == linked
        assert ('class="source"' in html) == linked


@requires_chromium
@pytest.mark.parametrize("width", [1440, 1000])
def test_section_headers_stick_below_the_toolbar(browser: tuple[Browser, Path], width: int) -> None:
    chromium, report = browser
    page = chromium.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(report.as_uri())
        page.evaluate("document.querySelector('#modules > details').open = true;"
                      "document.querySelector('#modules').scrollIntoView(); window.scrollBy(0, 400)")
        toolbar = page.locator(".toolbar").bounding_box()
        header = page.locator("#modules > details > summary").bounding_box()
        assert toolbar is not None and header is not None
        assert toolbar["y"] == 0 and header["y"] == pytest.approx(toolbar["height"], abs=1)
    finally:
        page.close()
