"""The HTTP adapter of the selection page: the page and a small JSON API on 127.0.0.1.

Every request must carry the session's token (`?token=` in the page's URL, the
`X-Mono2Lambda-Token` header or `?token=` for API calls); without it the answer is 403
and nothing else, so another local user or a web page in the browser cannot read or
edit the plan. The handlers only translate: the session does the work, one request at
a time (a lock), and our errors come back as 400 `{"error": ..., "hint": ...}`.

    GET  /                   the page
    GET  /api/state          the plan, the places and their units, the scores and hazards
    POST /api/edit           {"op": "move"|"merge"|"split"|"rename"|"keep"|"share"|"pin"|"unpin", "args": {...}}
    POST /api/undo           revert the last edit
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qs, urlsplit

from analyzer.errors import InputError, Mono2LambdaError

from .session import Session

HOST = "127.0.0.1"
TOKEN_HEADER = "X-Mono2Lambda-Token"
MAX_BODY = 1_000_000  # bytes; an edit is a few hundred
PAGE_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
            "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
Json = dict[str, Any]
Route = Callable[[Session, Mapping[str, str], Json], Json]

ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/api/state"): lambda session, query, body: session.state(),
    ("POST", "/api/edit"): lambda session, query, body: session.edit(str(body.get("op", "")), body.get("args") or {}),
    ("POST", "/api/undo"): lambda session, query, body: session.undo(),
    ("POST", "/api/save"): lambda session, query, body: session.save(force=body.get("force") is True),
    ("GET", "/api/why"): lambda session, query, body: session.why(query.get("unit", "")),
}


class SelectServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer bound to 127.0.0.1 that owns the session, its lock and the token."""

    daemon_threads = True

    def __init__(self, session: Session, port: int = 0, token: str | None = None) -> None:
        try:
            super().__init__((HOST, port), Handler)
        except OSError as error:
            raise InputError(f"cannot listen on {HOST}:{port}: {error.strerror or error}",
                             hint="choose another --port, or --port 0 for any free port") from None
        self.session = session
        self.token = token or secrets.token_urlsafe(24)
        self.lock = threading.Lock()
        self.page = files(__package__).joinpath("page.html").read_bytes()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/?token={self.token}"


def serve(server: SelectServer) -> None:
    """Serve until Ctrl-C, then close the socket."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


class Handler(BaseHTTPRequestHandler):
    server: SelectServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows the URL once; request lines would repeat the token."""

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        if not self._authorised(query):
            self._discard_body()
            self._send_json(403, {"error": "forbidden", "hint": "open the URL `mono2lambda select` printed"})
        elif (method, url.path) == ("GET", "/"):
            self._send(200, self.server.page, "text/html; charset=utf-8", {"Content-Security-Policy": PAGE_CSP})
        elif (method, url.path) in ROUTES:
            self._answer(ROUTES[(method, url.path)], query, method)
        else:
            self._discard_body()
            self._send_json(404, {"error": f"no such page: {method} {url.path}",
                                  "hint": "the routes are listed in mono2lambda/web/server.py"})

    def _authorised(self, query: Mapping[str, str]) -> bool:
        given = self.headers.get(TOKEN_HEADER) or query.get("token") or ""
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
        length = int(self.headers.get("Content-Length") or 0)
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
        length = int(self.headers.get("Content-Length") or 0)
        if 0 < length <= MAX_BODY:
            self.rfile.read(length)
        elif length:
            self.close_connection = True

    def _send_json(self, status: int, document: Json) -> None:
        self._send(status, json.dumps(document, sort_keys=True).encode(), "application/json")

    def _send(self, status: int, payload: bytes, content_type: str, extra: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        headers = {"Content-Type": content_type, "Content-Length": str(len(payload)), "Cache-Control": "no-store",
                   "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", **(extra or {})}
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
