"""Latency of one kept-alive boto3 call through `mono2lambda serve`, as a user runs it.

Starts `mono2lambda serve` (the command line, in a subprocess) on a copy of the committed
`generated/` tree (nothing is written into the repository), warms the `shop-tax` worker,
then times CALLS sequential `invoke`s of a trivial operation (`tax_for`) through one boto3
client, so every call after the first reuses the kept-alive connection. The baseline is
a minimal HTTP server in this process that answers every request with one write on a
socket with TCP_NODELAY: what the same boto3 client costs when the server does no work.
The two are timed in alternating rounds (the machine is noisy); p50 and p99 of each, and
the ratio of the p50s, are printed.

    .venv/bin/python benchmarks/serve_bench.py
    .venv/bin/python benchmarks/serve_bench.py --calls 500 --rounds 5
    .venv/bin/python benchmarks/serve_bench.py --checkout ../old-checkout   # serve of another checkout

Exit code 0 when serve's p50 meets the goal, 1 when it does not, 2 when serve did not start.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
GENERATED = REPO_ROOT / "generated"
GOAL_P50_MS = 2.0
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_REGION": "us-east-1"}
EVENT = {"operation": "shop.pricing.tax.tax_for", "arguments": {"amount": "100", "region": "CA"}}
START_TIMEOUT_S = 300  # the first start installs each package's requirements into the cache


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


@contextmanager
def serve(checkout: Path, cache: Path) -> Iterator[str]:
    """`mono2lambda serve` of `checkout` on a copy of generated/; yields its URL."""
    with tempfile.TemporaryDirectory(prefix="m2l-serve-bench-") as folder:
        tmp = Path(folder)
        shutil.copytree(GENERATED, tmp / "generated", ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        environ.update(CREDENTIALS, PYTHONPATH=str(checkout), SHOP_DATABASE_URL=f"sqlite+pysqlite:///{tmp / 'shop.db'}")
        command = [sys.executable, "-m", "mono2lambda", "serve", str(tmp / "generated"), "--port", "0",
                   "--cache", str(cache.resolve()), "--workers", "1"]
        process = subprocess.Popen(command, cwd=tmp, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)
        try:
            yield _url_of(process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _url_of(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_S
    seen = []
    for line in process.stdout:
        seen.append(line)
        found = re.search(r"Listening on (http://\S+)", line)
        if found:
            threading.Thread(target=lambda: [None for _ in process.stdout or ()], daemon=True).start()  # drain
            return found.group(1)
        if time.monotonic() > deadline:
            break
    raise RuntimeError("serve did not start:\n" + "".join(seen[-20:]))


class _Floor(BaseHTTPRequestHandler):
    """An Invoke answer with no work behind it: one write, TCP_NODELAY (set by the server)."""

    protocol_version = "HTTP/1.1"
    body = json.dumps({"statusCode": 200, "body": "13.00"}).encode()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Amz-Executed-Version: $LATEST\r\n"
                f"x-amzn-RequestId: 0\r\nContent-Length: {len(self.body)}\r\n\r\n").encode()
        self.wfile.write(head + self.body)

    def log_message(self, format: str, *args: object) -> None:
        return None


class _FloorServer(ThreadingHTTPServer):
    daemon_threads = True

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


@contextmanager
def floor_server() -> Iterator[str]:
    server = _FloorServer(("127.0.0.1", 0), _Floor)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def invoker(url: str) -> Callable[[], float]:
    """One boto3 client for `url`; each call of the result times one invoke, in ms."""
    import boto3
    from botocore.config import Config

    client = boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing", config=Config(retries={"total_max_attempts": 1}))
    payload = json.dumps(EVENT).encode()

    def call() -> float:
        started = time.perf_counter()
        response = client.invoke(FunctionName="shop-tax", Payload=payload)
        response["Payload"].read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.get("FunctionError"):
            raise RuntimeError(f"shop-tax failed: {response}")
        return elapsed

    return call


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per round and server")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--checkout", type=Path, default=REPO_ROOT, help="the checkout whose serve is run")
    parser.add_argument("--cache", type=Path, default=REPO_ROOT / ".mono2lambda" / "serve-cache",
                        help="serve's --cache (requirements installed once)")
    args = parser.parse_args(argv)

    try:
        with serve(args.checkout, args.cache) as url, floor_server() as floor_url:
            served, floor = invoker(url), invoker(floor_url)
            for _ in range(20):  # warm: the worker, the connections, boto3's caches
                served()
                floor()
            serve_ms: list[float] = []
            floor_ms: list[float] = []
            for _ in range(args.rounds):
                serve_ms += [served() for _ in range(args.calls)]
                floor_ms += [floor() for _ in range(args.calls)]
    except RuntimeError as error:
        print(error)
        return 2
    p50, floor_p50 = statistics.median(serve_ms), statistics.median(floor_ms)
    verdict = "PASS" if p50 < GOAL_P50_MS else "FAIL"
    print(f"boto3 invoke, kept alive, {len(serve_ms)} calls in {args.rounds} rounds:")
    print(f"  serve (shop-tax tax_for): p50 {p50:.2f} ms, p99 {percentile(serve_ms, 0.99):.2f} ms "
          f"(goal p50 < {GOAL_P50_MS:.0f} ms): {verdict}")
    print(f"  baseline (one-write server, no work): p50 {floor_p50:.2f} ms, p99 {percentile(floor_ms, 0.99):.2f} ms; "
          f"serve / baseline p50 {p50 / floor_p50:.1f}x")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
