"""`mono2lambda select` end to end: the real server, the page in Debian's Chromium, the file on disk.

Playwright's Python package drives /usr/bin/chromium (.ci/install-chromium); it never
downloads a browser. The test is skipped when either is missing.
"""

from __future__ import annotations

import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from analyzer.boundaries.plan import read_plan
from analyzer.pipeline import analyze
from mono2lambda.web.server import COOKIE, TOKEN_HEADER, SelectServer
from mono2lambda.web.session import Session

from ..browser import CHROMIUM, CHROMIUM_ARGS, requires_chromium

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"
MOVED, TARGET = "shop.payments.gateways", "orders"  # a move that changes ICP
DRAGGED, DROP_ON = "shop.pricing.tax", "orders"
HEADER_COMMENT = "# Reviewed plan for the example shop"

pytestmark = requires_chromium



@pytest.fixture
def server(tmp_path: Path) -> Iterator[SelectServer]:
    analyze(SHOP, tmp_path / "out")
    shutil.copy(SHOP / "boundaries.yaml", tmp_path / "boundaries.yaml")
    running = SelectServer(Session.open(tmp_path / "boundaries.yaml", tmp_path / "out" / "graph.json"))
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()
    thread.join(timeout=5)


@pytest.fixture
def page(server: SelectServer) -> Iterator[tuple[Any, list[str]]]:
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        opened = browser.new_page(viewport={"width": 1440, "height": 2400})
        opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        opened.on("pageerror", lambda error: errors.append(str(error)))
        opened.goto(server.url)
        yield opened, errors
        browser.close()


def test_a_request_without_the_token_is_refused(server: SelectServer) -> None:
    base = f"http://127.0.0.1:{server.port}"
    for path in ("/", "/api/state", "/?token=wrong"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + path, timeout=5)
        assert refused.value.code == 403
        assert b"shop" not in refused.value.read()
    with pytest.raises(urllib.error.HTTPError) as refused:  # never the token in a query
        urllib.request.urlopen(f"{base}/api/state?token={server.token}", timeout=5)
    assert refused.value.code == 403
    request = urllib.request.Request(f"{base}/api/state", headers={TOKEN_HEADER: server.token})
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200 and b"shop.orders" in answer.read()


def test_the_browser_logs_in_once_and_keeps_no_secret_in_its_address(server: SelectServer,
                                                                      page: tuple[Any, list[str]]) -> None:
    from playwright.sync_api import expect

    opened, errors = page
    assert opened.url == f"http://127.0.0.1:{server.port}/"
    expect(opened.locator("#metric-icp .value")).not_to_have_text("")  # the API answered the cookie
    cookies = opened.context.cookies()
    assert [(c["name"], c["httpOnly"], c["sameSite"]) for c in cookies] == [(COOKIE, True, "Strict")]
    assert opened.evaluate("document.cookie") == ""  # HttpOnly: the page's scripts cannot read it
    assert not errors


def test_move_undo_drag_and_save_in_the_browser(server: SelectServer, page: tuple[Any, list[str]],
                                                tmp_path: Path) -> None:
    from playwright.sync_api import expect

    browser_page, errors = page
    icp = browser_page.locator("#metric-icp .value")
    expect(icp).not_to_have_text("")
    before = icp.inner_text()

    browser_page.select_option(f'select[aria-label="Place of {MOVED}"]', TARGET)
    expect(icp).not_to_have_text(before)
    expect(browser_page.locator(f'.card[data-place="{TARGET}"] .unit[data-unit="{MOVED}"]')).to_have_count(1)
    expect(browser_page.locator("#dirty")).to_be_visible()

    browser_page.click("#undo")
    expect(icp).to_have_text(before)
    expect(browser_page.locator(f'.card[data-place="payments"] .unit[data-unit="{MOVED}"]')).to_have_count(1)

    # tall viewport: both ends are on screen, so no scroll moves the page between mouse down and drop
    browser_page.drag_and_drop(f'.unit[data-unit="{DRAGGED}"] .grip', f'.card[data-place="{DROP_ON}"] h3')
    expect(browser_page.locator(f'.card[data-place="{DROP_ON}"] .unit[data-unit="{DRAGGED}"]')).to_have_count(1)
    browser_page.select_option(f'select[aria-label="Place of {MOVED}"]', TARGET)
    expect(browser_page.locator(f'.card[data-place="{TARGET}"] .unit[data-unit="{MOVED}"]')).to_have_count(1)
    assert icp.inner_text() != before

    browser_page.click(f'.unit[data-unit="{MOVED}"] .name')
    expect(browser_page.locator("#why")).to_contain_text(f"{MOVED} is in {TARGET}")

    browser_page.click("#save")
    expect(browser_page.locator("#saved")).to_contain_text("Saved")
    expect(browser_page.locator("#dirty")).to_be_hidden()
    browser_page.screenshot(path=str(tmp_path / "select.png"), full_page=True)

    saved = read_plan(tmp_path / "boundaries.yaml")
    orders = saved.plan.service(TARGET)
    assert orders is not None and MOVED in orders.modules and DRAGGED in orders.modules
    assert HEADER_COMMENT in saved.text and "# fire-and-forget: callers ignore the result" in saved.text
    assert errors == []
