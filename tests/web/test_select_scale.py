"""`mono2lambda select` on a generated plan of 2,000 modules in 26 places, in Debian's Chromium:
cards closed with their counts, windowed lists, the filter box and the hazard-kind filter, a
move that redraws only its two cards, undo and redo, no zero deltas, hazards that select
their module, "Move to" only towards a stronger pull, and a map with every name whole."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect, sync_playwright

from analyzer.boundaries.plan import plan_from_placement, read_plan
from analyzer.graph import CodeGraph
from mono2lambda.web.server import SelectServer
from mono2lambda.web.session import Session

from ..analyzer.test_report_scale import generated_graph, generated_placement
from ..browser import CHROMIUM, CHROMIUM_ARGS, requires_chromium

pytestmark = requires_chromium

UNIT = "big.pkg03.module_with_a_rather_long_name_0029"  # in service pkg03 (77 modules, as every service)
MAX_NODES = 5_000  # elements on the page as opened, whatever the size of the plan


@pytest.fixture(scope="module")
def graph() -> CodeGraph:
    return generated_graph()


@pytest.fixture
def page(graph: CodeGraph, tmp_path: Path) -> Iterator[Any]:
    path = tmp_path / "boundaries.yaml"
    path.write_text(plan_from_placement(generated_placement(graph), "big", "module", None).dumps(), encoding="utf-8")
    server = SelectServer(Session(graph, read_plan(path), path))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        opened = browser.new_page(viewport={"width": 1440, "height": 900})
        opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        opened.on("pageerror", lambda error: errors.append(str(error)))
        opened.goto(server.url)
        expect(opened.locator("#metric-icp .value")).not_to_have_text("")
        yield opened
        browser.close()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    assert errors == []


def card(page: Any, place: str) -> Any:
    return page.locator(f'.card[data-place="{place}"]')


def reveal(page: Any, text: str) -> None:
    page.fill("#filter", text)
    expect(page.locator("#filter-count")).to_contain_text("match")


def test_a_big_plan_opens_with_its_cards_closed(page: Any) -> None:
    assert page.evaluate("document.getElementsByTagName('*').length") < MAX_NODES
    expect(page.locator(".card[data-place]")).to_have_count(26)
    expect(page.locator(".unit")).to_have_count(0)
    expect(card(page, "pkg03").locator(".meta")).to_contain_text("77 modules")
    expect(card(page, "pkg03").locator("button.toggle")).to_have_text("Show 77 modules")


def test_a_card_opens_on_a_window_of_its_rows_and_closes(page: Any) -> None:
    pkg03 = card(page, "pkg03")
    pkg03.locator("button.toggle").click()
    expect(pkg03.locator("button.toggle")).to_have_attribute("aria-expanded", "true")
    rows = pkg03.locator(".unit").count()
    assert 0 < rows < 77  # only the rows in view, and a few around them
    last = "big.pkg03.module_with_a_rather_long_name_1979"
    expect(pkg03.locator(f'.unit[data-unit="{last}"]')).to_have_count(0)
    pkg03.locator(".units").evaluate("list => { list.scrollTop = list.scrollHeight; }")
    expect(pkg03.locator(f'.unit[data-unit="{last}"]')).to_have_count(1)
    pkg03.locator("button.toggle").click()
    expect(pkg03.locator(".unit")).to_have_count(0)
    page.click("#expand-all")
    expect(page.locator('button.toggle[aria-expanded="false"]')).to_have_count(0)
    assert page.evaluate("document.getElementsByTagName('*').length") < 26 * 1_000
    page.click("#collapse-all")
    expect(page.locator(".unit")).to_have_count(0)


def test_the_filter_box_finds_modules_and_services(page: Any) -> None:
    reveal(page, "rather_long_name_0029")
    expect(page.locator("#filter-count")).to_have_text("1 module in 1 place match")
    expect(page.locator(".card[data-place]:visible")).to_have_count(1)
    expect(card(page, "pkg03").locator(".unit")).to_have_count(1)
    reveal(page, "PKG07")  # a service's name, any case: its card, open
    expect(page.locator(".card[data-place]:visible")).to_have_count(1)
    expect(card(page, "pkg07").locator("button.toggle")).to_have_text("Hide 77 of 77 modules match")
    page.fill("#filter", "")
    expect(page.locator(".card[data-place]:visible")).to_have_count(26)
    expect(page.locator(".unit")).to_have_count(0)  # closed again, as before the filter


def test_the_hazard_kind_filter_keeps_the_modules_with_one(page: Any) -> None:
    kinds = page.evaluate("state.hazard_kinds.map(group => [group.kind, group.units])")
    kind, units = next((kind, units) for kind, units in kinds if kind == "table-multiple-writers")
    page.select_option("#filter-kind", kind)
    expect(page.locator("#filter-count")).to_contain_text(f"{len(units)} modules in")
    shown = page.locator(".unit").evaluate_all("rows => rows.map(row => row.dataset.unit)")
    assert shown and set(shown) <= set(units)
    page.select_option("#filter-kind", "")
    expect(page.locator("#filter-count")).to_have_text("")


def test_a_move_redraws_its_two_cards_and_undo_and_redo_step_through_it(page: Any) -> None:
    reveal(page, "rather_long_name_0029")
    page.evaluate("document.querySelectorAll('.card[data-place]').forEach(node => { node.dataset.drawn = 'before'; })")
    page.select_option(f'select[aria-label="Place of {UNIT}"]', "pkg11")
    expect(card(page, "pkg11").locator(f'.unit[data-unit="{UNIT}"]')).to_have_count(1)
    redrawn = page.evaluate("[...document.querySelectorAll('.card[data-place]')]"
                            ".filter(node => node.dataset.drawn !== 'before').map(node => node.dataset.place)")
    assert sorted(redrawn) == ["pkg03", "pkg11"]
    deltas = page.locator(".metric .delta").all_inner_texts()
    assert deltas and all(re.search(r"[1-9]", text) for text in deltas), deltas  # never "▲ 0.000"
    expect(page.locator("#redo")).to_be_disabled()
    page.click("#undo")
    expect(card(page, "pkg03").locator(f'.unit[data-unit="{UNIT}"]')).to_have_count(1)
    expect(page.locator("#redo")).to_be_enabled()
    page.locator("body").press("Control+Shift+Z")
    expect(card(page, "pkg11").locator(f'.unit[data-unit="{UNIT}"]')).to_have_count(1)
    expect(page.locator("#status")).to_have_text(f"redid: moved {UNIT} from pkg03 to pkg11")
    expect(page.locator("#redo")).to_be_disabled()
    page.click("#undo")
    page.click("#redo")
    expect(card(page, "pkg11").locator(f'.unit[data-unit="{UNIT}"]')).to_have_count(1)


def test_move_to_is_offered_only_towards_a_stronger_pull(page: Any) -> None:
    reveal(page, "rather_long_name_0029")
    page.click(f'.unit[data-unit="{UNIT}"] .name')
    expect(page.locator("#why")).to_contain_text(f"{UNIT} is in pkg03")
    expect(page.locator("#why")).to_contain_text("Nothing pulls harder than pkg03")
    expect(page.locator("#why button")).to_have_count(0)
    page.select_option(f'select[aria-label="Place of {UNIT}"]', "pkg11")
    expect(page.locator("#why")).to_contain_text(f"{UNIT} is in pkg11")
    expect(page.locator("#why button")).to_have_text("Move to pkg03")
    page.click("#why button")
    expect(card(page, "pkg03").locator(f'.unit[data-unit="{UNIT}"]')).to_have_count(1)


def test_a_click_on_a_hazard_selects_its_module(page: Any) -> None:
    group = page.locator('#hazards details[data-kind="wire-unsafe-type"]')
    expect(group.locator("summary")).to_contain_text("316 in 292 modules")
    group.locator("summary").click()
    instance = group.locator("li button").first
    unit = instance.get_attribute("data-unit")
    instance.click()
    row = page.locator(f'.unit[data-unit="{unit}"]')
    expect(row).to_have_class(re.compile(r"\bselected\b"))
    expect(row).to_be_in_viewport()
    expect(page.locator("#why")).to_contain_text(f"{unit} is in")


def test_the_map_names_every_place_whole_at_a_legible_size(page: Any) -> None:
    names = page.locator("#map text.name").evaluate_all("texts => texts.map(text => text.textContent)")
    assert sorted(names) == sorted(page.evaluate("state.places.map(place => place.name)"))
    page.click('[data-zoom="1"]')
    sizes = page.locator("#map text").evaluate_all("texts => texts.map(t => t.getBoundingClientRect().height)")
    assert min(sizes) >= 12
    page.click('#map .box[data-place="pkg20"]')
    expect(card(page, "pkg20")).to_be_in_viewport()
