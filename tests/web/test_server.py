"""The HTTP adapter over a real socket (no browser): login, cookie, token, Host and Origin, framing, routes,
JSON errors; and the click command."""

from __future__ import annotations

import http.client
import http.cookiejar
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
from mono2lambda.web.server import COOKIE, TOKEN_HEADER, SelectServer
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


def browser_like() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def raw(server: SelectServer, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.putrequest(method, path, skip_host="Host" in headers, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders(body or None)
    answer = connection.getresponse()
    status, data = answer.status, answer.read()
    connection.close()
    return status, data


def test_the_login_url_works_once(server: SelectServer) -> None:
    login = server.url.split(str(server.port))[1]
    assert raw(server, "GET", login, {})[0] == 303
    assert raw(server, "GET", login, {})[0] == 403
    assert raw(server, "GET", "/login?once=guess", {})[0] == 403


def test_the_page_is_served_after_the_login_only(server: SelectServer) -> None:
    opener, jar = browser_like()
    with opener.open(server.url, timeout=5) as answer:
        page = answer.read().decode()
        assert answer.url == f"http://127.0.0.1:{server.port}/"  # no secret left in the address bar
        assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
    cookie = next(iter(jar))
    assert cookie.name == COOKIE and cookie.value == server.token and cookie.has_nonstandard_attr("HttpOnly")
    external = page.replace("http://www.w3.org/2000/svg", "")  # the SVG namespace is a name, not a fetch
    assert "<script>" in page and "http://" not in external and "https://" not in external
    with opener.open(f"http://127.0.0.1:{server.port}/api/state", timeout=5) as answer:
        assert answer.status == 200
    with pytest.raises(urllib.error.HTTPError) as refused:  # the login URL works once
        browser_like()[0].open(server.url, timeout=5)
    assert refused.value.code == 403


def test_the_set_cookie_header_is_httponly_and_samesite_strict(server: SelectServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", "/login?once=" + server.url.split("once=")[1])
    answer = connection.getresponse()
    assert answer.status == 303 and answer.headers["Location"] == "/"
    flags = {part.strip() for part in answer.headers["Set-Cookie"].split(";")}
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= flags


def test_the_token_is_never_accepted_in_the_query(server: SelectServer) -> None:
    for method, path in (("GET", f"/api/state?token={server.token}"), ("GET", f"/?token={server.token}"),
                         ("POST", f"/api/undo?token={server.token}")):
        status, body = raw(server, method, path, {"Content-Length": "2"} if method == "POST" else {},
                           b"{}" if method == "POST" else b"")
        assert status == 403 and b"shop" not in body


@pytest.mark.parametrize("host", ["evil.example:80", "127.0.0.1:1", "", "localhost"])
def test_a_foreign_host_is_refused_even_with_the_token(server: SelectServer, host: str) -> None:
    status, _ = raw(server, "GET", "/api/state", {"Host": host, TOKEN_HEADER: server.token})
    assert status == 403
    assert raw(server, "GET", "/api/state", {"Host": f"localhost:{server.port}", TOKEN_HEADER: server.token})[0] == 200


def test_a_post_needs_this_servers_origin_with_the_cookie(server: SelectServer) -> None:
    cookie = {"Cookie": f"{COOKIE}={server.token}", "Content-Type": "application/json", "Content-Length": "2"}
    here = f"http://127.0.0.1:{server.port}"
    assert raw(server, "POST", "/api/undo", {**cookie, "Origin": "http://evil.example"}, b"{}")[0] == 403
    assert raw(server, "POST", "/api/undo", cookie, b"{}")[0] == 403  # a cookie alone, no Origin: refused
    assert raw(server, "POST", "/api/undo", {**cookie, "Origin": here}, b"{}")[0] == 400  # allowed: nothing to undo
    header = {TOKEN_HEADER: server.token, "Content-Length": "2"}
    assert raw(server, "POST", "/api/undo", {**header, "Origin": "http://evil.example"}, b"{}")[0] == 403
    assert raw(server, "GET", "/api/state", {"Cookie": f"{COOKIE}=wrong"})[0] == 403


@pytest.mark.parametrize(("headers", "status"), [
    ({"Transfer-Encoding": "chunked"}, 411),
    ({}, 411),
    ({"Content-Length": "-1"}, 400),
    ({"Content-Length": "1e3"}, 400),
])
def test_a_post_body_must_have_a_plain_content_length(server: SelectServer, headers: dict[str, str],
                                                       status: int) -> None:
    body = b"2\r\n{}\r\n0\r\n\r\n" if "Transfer-Encoding" in headers else b""
    code, answer = raw(server, "POST", "/api/undo", {TOKEN_HEADER: server.token, **headers}, body)
    assert code == status and b"Content-Length" in answer


def test_the_listen_backlog_is_at_least_128(server: SelectServer) -> None:
    assert server.request_queue_size >= 128


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
    assert opened and opened[0].startswith("http://127.0.0.1:") and "/login?once=" in opened[0]
    assert opened[0] in result.output and result.output.endswith("stopped\n")
    result = CliRunner().invoke(cli, ["select", "--no-browser", "--plan", str(files[0]), "--graph", "missing.json"])
    assert result.exit_code == 2 and "no graph file" in result.output
