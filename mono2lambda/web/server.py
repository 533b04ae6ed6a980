"""The HTTP adapter of the selection page: the page and a small JSON API on 127.0.0.1.

Access: the URL `select` prints (and opens) is a one-time login, `/login?once=CODE`. Its
first use sets the session cookie (HttpOnly, SameSite=Strict) and redirects to `/`, so
the secret is in no URL a browser keeps, and the code on the browser's command line is
worthless once used. Every other request needs the cookie or the `X-Mono2Lambda-Token`
header (never a query parameter); without it the answer is 403 and nothing else, so
another local user or a web page in the browser cannot read or edit the plan. The
`Host` must be this server's (127.0.0.1:PORT or localhost:PORT: no DNS rebinding), and a
POST's `Origin`, when sent, must be too; a POST without one must carry the header. The
handlers only translate: the session does the work, one request at a time (a lock), and
our errors come back as 400 `{"error": ..., "hint": ...}`.

    GET  /login?once=CODE    set the cookie once, then 303 to /
    GET  /                   the page
    GET  /api/state          the plan, the places and their units, the scores and hazards
    POST /api/edit           {"op": "move"|"merge"|"split"|"rename"|"keep"|"share"|"pin"|"unpin", "args": {...}}
    POST /api/undo           revert the last edit
    POST /api/redo           make again the edit the last undo reverted
    POST /api/save           write the plan ({"force": true} overwrites a file changed on disk)
    GET  /api/why?unit=U     why U is where it is
"""

from __future__ import annotations

import json
import secrets
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from http.cookies import CookieError, SimpleCookie
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qs, urlsplit

from analyzer.errors import InputError, Mono2LambdaError
from extractor.serve.httpbase import FramingError, LocalHttpServer, OneWriteHandler, body_length

from .session import Session

HOST = "127.0.0.1"
TOKEN_HEADER = "X-Mono2Lambda-Token"
COOKIE = "m2l_select"
MAX_THREADS = 16
MAX_BODY = 1_000_000  # bytes; an edit is a few hundred
PAGE_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
            "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
Json = dict[str, Any]
Route = Callable[[Session, Mapping[str, str], Json], Json]

ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/api/state"): lambda session, query, body: session.state(),
    ("POST", "/api/edit"): lambda session, query, body: session.edit(str(body.get("op", "")), body.get("args") or {}),
    ("POST", "/api/undo"): lambda session, query, body: session.undo(),
    ("POST", "/api/redo"): lambda session, query, body: session.redo(),
    ("POST", "/api/save"): lambda session, query, body: session.save(force=body.get("force") is True),
    ("GET", "/api/why"): lambda session, query, body: session.why(query.get("unit", "")),
}


class SelectServer(LocalHttpServer):
    """A threaded HTTP server bound to 127.0.0.1 that owns the session, its lock, the token and the one-time code."""

    def __init__(self, session: Session, port: int = 0, token: str | None = None) -> None:
        try:
            super().__init__((HOST, port), Handler, MAX_THREADS)
        except OSError as error:
            raise InputError(f"cannot listen on {HOST}:{port}: {error.strerror or error}",
                             hint="choose another --port, or --port 0 for any free port") from None
        self.session = session
        self.token = token or secrets.token_urlsafe(24)
        self.login_code: str | None = secrets.token_urlsafe(24)
        self.lock = threading.Lock()
        self.page = files(__package__).joinpath("page.html").read_bytes()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        """The one-time login URL (it works once; print or open it, then it is spent)."""
        return f"http://{HOST}:{self.port}/login?once={self.login_code}"

    @property
    def hosts(self) -> tuple[str, ...]:
        return (f"{HOST}:{self.port}", f"localhost:{self.port}")

    def spend_login(self, code: str) -> bool:
        with self.lock:
            if self.login_code is None or not secrets.compare_digest(code.encode(), self.login_code.encode()):
                return False
            self.login_code = None
            return True


def serve(server: SelectServer) -> None:
    """Serve until Ctrl-C, then close the socket."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


class Handler(OneWriteHandler):
    server: SelectServer
    protocol_version = "HTTP/1.1"
    _length = 0  # the request body's, once framing is checked

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows the URL once; request lines would repeat the token."""

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        try:
            self._length = body_length(method, dict(self.headers.items()), MAX_BODY)
        except FramingError as error:
            self.close_connection = True
            self._send_json(error.status, {"error": error.message, "hint": "send a JSON body with a Content-Length"})
            return
        if self.headers.get("Host", "") not in self.server.hosts:
            self._discard_body()
            self._send_json(403, {"error": "forbidden: unknown Host", "hint": f"use http://{HOST}:{self.server.port}/"})
        elif (method, url.path) == ("GET", "/login"):
            self._login(query.get("once", ""))
        elif not self._authorised(method):
            self._discard_body()
            self._send_json(403, {"error": "forbidden", "hint": "open the URL `mono2lambda select` printed (it works "
                                  "once; restart `mono2lambda select` for a new one)"})
        elif (method, url.path) == ("GET", "/"):
            self._send(200, self.server.page, "text/html; charset=utf-8", {"Content-Security-Policy": PAGE_CSP})
        elif (method, url.path) in ROUTES:
            self._answer(ROUTES[(method, url.path)], query, method)
        else:
            self._discard_body()
            self._send_json(404, {"error": f"no such page: {method} {url.path}",
                                  "hint": "the routes are listed in mono2lambda/web/server.py"})

    def _login(self, code: str) -> None:
        if not self.server.spend_login(code):
            self._send_json(403, {"error": "forbidden: this login URL is not valid or was used already",
                                  "hint": "restart `mono2lambda select` for a new URL"})
            return
        cookie = f"{COOKIE}={self.server.token}; HttpOnly; SameSite=Strict; Path=/"
        self._send(303, b"", "text/plain", {"Location": "/", "Set-Cookie": cookie})

    def _authorised(self, method: str) -> bool:
        """The header, or the cookie (for a POST only with this server's Origin): never the query."""
        header = self.headers.get(TOKEN_HEADER)
        origin = self.headers.get("Origin")
        if method == "POST" and origin is not None and origin not in {f"http://{host}" for host in self.server.hosts}:
            return False
        if header is not None:
            return self._matches(header)
        if method == "POST" and origin is None:
            return False
        return self._matches(self._cookie())

    def _cookie(self) -> str:
        try:
            jar = SimpleCookie(self.headers.get("Cookie", ""))
        except CookieError:
            return ""
        morsel = jar.get(COOKIE)
        return morsel.value if morsel is not None else ""

    def _matches(self, given: str) -> bool:
        return secrets.compare_digest(given.encode(), self.server.token.encode())

    def _answer(self, route: Route, query: Mapping[str, str], method: str) -> None:
        try:
            body = self._body() if method == "POST" else {}
            with self.server.lock:
                result = route(self.server.session, query, body)
        except Mono2LambdaError as error:
            self._send_json(400, {"error": error.message, "hint": error.hint or "", "kind": type(error).__name__})
            return
        except Exception as error:  # a bug of ours: answer, and leave the traceback in the terminal
            traceback.print_exc(file=sys.stderr)
            self._send_json(500, {"error": f"internal error: {type(error).__name__}: {error}",
                                  "hint": "the terminal running `mono2lambda select` shows the traceback; "
                                  "please report it"})
            return
        self._send_json(200, result)

    def _body(self) -> Json:
        length = self._length
        if length > MAX_BODY:
            self.close_connection = True  # the unread body would be taken for the next request
            raise InputError(f"request body too large ({length} bytes)", hint=f"send at most {MAX_BODY} bytes")
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InputError(f"the request body is not JSON: {error}", hint='send {"op": ..., "args": {...}}') from None
        if not isinstance(body, dict):
            raise InputError("the request body must be a JSON object", hint='send {"op": ..., "args": {...}}')
        return body

    def _discard_body(self) -> None:
        length = self._length
        if 0 < length <= MAX_BODY:
            self.rfile.read(length)
        elif length:
            self.close_connection = True

    def _send_json(self, status: int, document: Json) -> None:
        self._send(status, json.dumps(document, sort_keys=True).encode(), "application/json")

    def _send(self, status: int, payload: bytes, content_type: str, extra: Mapping[str, str] | None = None) -> None:
        headers = {"Content-Type": content_type, "Cache-Control": "no-store",
                   "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", **(extra or {})}
        self.send_whole(status, headers.items(), payload)
