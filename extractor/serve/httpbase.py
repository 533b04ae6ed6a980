"""What both local HTTP servers (`serve` and `select`) share: a listen backlog for bursts,
a bound on the threads that answer, and strict request framing.

Framing: a body is read only by its `Content-Length`. A `Transfer-Encoding` (chunked) body
is refused with 411 and a POST without a valid length with 411 or 400, and the connection
is closed, because an unread or mis-measured body would be taken for the next request.
Threads: at most `max_threads` requests are answered at once; the next connection waits
in the backlog (`request_queue_size`) until a thread is free, never refused.
Latency: an answer goes out in one write (status line, headers and body in one buffer) on
a socket with TCP_NODELAY. Written in two small pieces, the body waits behind Nagle's
algorithm for the client's delayed ACK of the headers: about 40 ms per kept-alive call.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BACKLOG = 128
DEFAULT_MAX_THREADS = 64
_SLOT_POLL = 0.5  # seconds between checks for shutdown while every thread is busy


class FramingError(Exception):
    """A request whose body cannot be measured safely: answer `status` and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def body_length(method: str, headers: Mapping[str, str], limit: int) -> int:
    """The length of the request's body by its Content-Length; raises FramingError when it cannot be trusted.

    `limit` is not checked here (the caller answers a too-large body in its own words)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    if "transfer-encoding" in lowered:
        raise FramingError(411, "Transfer-Encoding bodies (chunked) are not accepted; send the body with a "
                           "Content-Length")
    raw = lowered.get("content-length")
    if raw is None:
        if method == "POST":
            raise FramingError(411, "a POST needs a Content-Length header")
        return 0
    text = raw.strip()
    if not text.isdigit() or not text.isascii() or len(text) > len(str(limit)) + 2:
        raise FramingError(400, f"Content-Length {raw[:20]!r} is not a whole number of bytes")
    return int(text)


class OneWriteHandler(BaseHTTPRequestHandler):
    """A request handler whose answers go out in a single write."""

    def send_whole(self, status: int, headers: Iterable[tuple[str, str]], body: bytes) -> None:
        """Status line, `headers`, Content-Length and `body`, written at once (no flush in between)."""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        # send_response and send_header collect the head in `_headers_buffer` (http.server, since 3.3);
        # end_headers would write it alone, so it is joined with the body here instead.
        buffer: list[bytes] = getattr(self, "_headers_buffer", [])
        head = b"".join(buffer)
        buffer.clear()
        self.wfile.write(head + b"\r\n" + body)


class LocalHttpServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer with a backlog of BACKLOG and at most `max_threads` requests answered at once."""

    daemon_threads = True
    request_queue_size = BACKLOG

    def __init__(self, address: tuple[str, int], handler: Any, max_threads: int = DEFAULT_MAX_THREADS) -> None:
        self._slots = threading.BoundedSemaphore(max_threads)
        self._closing = threading.Event()
        super().__init__(address, handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        with contextlib.suppress(OSError):  # not a TCP socket: nothing to turn off
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

    def process_request(self, request: Any, client_address: Any) -> None:
        while not self._slots.acquire(timeout=_SLOT_POLL):
            if self._closing.is_set():
                self.shutdown_request(request)
                return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def shutdown(self) -> None:
        self._closing.set()
        super().shutdown()
