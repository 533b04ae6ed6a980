"""The shared HTTP base of `serve` and `select`: answers in one write, on sockets without Nagle."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest

from extractor.serve.httpbase import LocalHttpServer, OneWriteHandler


class _Echo(OneWriteHandler):
    protocol_version = "HTTP/1.1"
    writes: ClassVar[list[bytes]] = []
    nodelay: ClassVar[list[int]] = []

    def setup(self) -> None:
        super().setup()
        wfile = self.wfile

        class Recording:
            def write(self, data: bytes) -> int:
                _Echo.writes.append(bytes(data))
                return wfile.write(data)

            def flush(self) -> None:
                wfile.flush()

            def close(self) -> None:
                wfile.close()

            @property
            def closed(self) -> bool:
                return wfile.closed

        self.wfile = Recording()  # type: ignore[assignment]

    def do_GET(self) -> None:
        _Echo.nodelay.append(self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        self.send_whole(200, [("Content-Type", "text/plain")], b"hello " + self.path.encode())

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def server() -> Iterator[LocalHttpServer]:
    _Echo.writes.clear()
    _Echo.nodelay.clear()
    http_server = LocalHttpServer(("127.0.0.1", 0), _Echo, max_threads=2)
    threading.Thread(target=http_server.serve_forever, daemon=True).start()
    yield http_server
    http_server.shutdown()
    http_server.server_close()


def test_each_answer_is_one_write_on_a_socket_without_nagle(server: LocalHttpServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    for path in ("/a", "/bb"):  # two calls on one kept-alive connection
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 200 and response.read() == b"hello " + path.encode()
        assert response.getheader("Content-Length") == str(len(b"hello " + path.encode()))
    connection.close()
    assert len(_Echo.writes) == 2
    assert all(w.startswith(b"HTTP/1.1 200 ") and b"\r\n\r\nhello /" in w for w in _Echo.writes)
    assert _Echo.nodelay and all(_Echo.nodelay)
