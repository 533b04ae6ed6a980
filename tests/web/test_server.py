"""The HTTP adapter over a real socket (no browser): token, routes, JSON errors; and the click command."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from analyzer.boundaries.plan import read_plan
from mono2lambda import select_command
from mono2lambda.cli import cli
from mono2lambda.web.server import TOKEN_HEADER, SelectServer
from mono2lambda.web.session import Session
from tests.analyzer.snippets import graph_of
from tests.analyzer.test_plan import EXAMPLE, SHOP


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    graph = graph_of(SHOP)
    graph.meta["root"] = "shop"
    (tmp_path / "graph.json").write_text(graph.dumps(), encoding="utf-8")
    (tmp_path / "boundaries.yaml").write_text(EXAMPLE, encoding="utf-8")
    return tmp_path / "boundaries.yaml", tmp_path / "graph.json"


@pytest.fixture
def server(files: tuple[Path, Path]) -> Iterator[SelectServer]:
    running = SelectServer(Session.open(*files))
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


def call(server: SelectServer, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", data=data, method=method,
                                     headers={TOKEN_HEADER: server.token})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_page_is_served_with_the_token_only(server: SelectServer) -> None:
    with urllib.request.urlopen(server.url, timeout=5) as answer:
        page = answer.read().decode()
        assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
    external = page.replace("http://www.w3.org/2000/svg", "")  # the SVG namespace is a name, not a fetch
    assert "<script>" in page and "http://" not in external and "https://" not in external
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server.url.split("?")[0], timeout=5)
    assert refused.value.code == 403


def test_edit_undo_save_and_why_over_http(server: SelectServer, files: tuple[Path, Path]) -> None:
    move = {"op": "move", "args": {"unit": "shop.cart", "service": "basket", "new": True}}
    status, state = call(server, "POST", "/api/edit", move)
    assert status == 200 and state["change"] == "moved shop.cart from orders to basket"
    assert call(server, "POST", "/api/undo", {})[1]["can_undo"] is False
    call(server, "POST", "/api/edit", {"op": "keep", "args": {"unit": "shop.cart"}})
    status, state = call(server, "POST", "/api/save", {})
    assert status == 200 and state["dirty"] is False
    assert "shop.cart" in read_plan(files[0]).plan.monolith
    status, answer = call(server, "GET", "/api/why?unit=shop.cart")
    assert status == 200 and answer["place"] == "monolith"


@pytest.mark.parametrize(("method", "path", "body", "status", "error"), [
    ("POST", "/api/edit", {"op": "move", "args": {"unit": "nope", "service": "x"}}, 400, "nope is not a module"),
    ("POST", "/api/edit", b"{not json", 400, "not JSON"),
    ("POST", "/api/edit", [1, 2], 400, "must be a JSON object"),
    ("POST", "/api/undo", {}, 400, "nothing to undo"),
    ("GET", "/api/nothing", None, 404, "no such page"),
])
def test_errors_come_back_as_json(server: SelectServer, method: str, path: str, body: Any, status: int,
                                  error: str) -> None:
    code, answer = call(server, method, path, body)
    assert code == status and error in answer["error"] and "hint" in answer


def test_the_command_prints_the_url_and_opens_the_browser(files: tuple[Path, Path],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(select_command.webbrowser, "open", opened.append)
    monkeypatch.setattr(select_command, "serve", lambda server: server.server_close())
    result = CliRunner().invoke(cli, ["select", "--plan", str(files[0]), "--graph", str(files[1])])
    assert result.exit_code == 0, result.output
    assert opened and opened[0].startswith("http://127.0.0.1:") and "?token=" in opened[0]
    assert opened[0] in result.output and result.output.endswith("stopped\n")
    result = CliRunner().invoke(cli, ["select", "--no-browser", "--plan", str(files[0]), "--graph", "missing.json"])
    assert result.exit_code == 2 and "no graph file" in result.output
