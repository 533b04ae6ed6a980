"""Load on `mono2lambda serve`: the example shop's services under 200 concurrent clients.

Serves a copy of the committed `generated/` tree (nothing is written into the repository)
and sends CALLS invocations at CONCURRENCY concurrent clients, twice: through raw HTTP
(keep-alive `http.client` connections, one per client) and through boto3 (one shared
client, as an application would). The mix: 50% `tax_for` and 30% `cheapest_rate`
(RequestResponse) and 20% `notify_async` (Event). Reported per client: throughput,
p50/p99 latency, errors (HTTP errors and function errors) and resets (connections
refused, reset or closed without an answer).

Every Event call must run exactly once: the notifications workers log each invocation
with its request id (Powertools at DEBUG), and after the load (and the drain) each
request id answered with 202 must appear in exactly one "invoked" line.

    .venv/bin/python benchmarks/serve_load.py
    .venv/bin/python benchmarks/serve_load.py --calls 500 --concurrency 50

Exit code 0 when there were no errors, no resets and every Event call ran exactly once.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from extractor.serve.deps import DEFAULT_CACHE
from extractor.serve.plan import install_missing, plan_serve
from extractor.serve.server import LambdaServer

GENERATED = REPO_ROOT / "generated"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
               "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}
RESETS = (ConnectionResetError, ConnectionRefusedError, BrokenPipeError, http.client.RemoteDisconnected,
          ConnectionAbortedError)


@dataclass(frozen=True)
class Call:
    function: str
    event: dict[str, Any]
    invocation: str = "RequestResponse"


def mix(n: int) -> Call:
    """The n-th call of the load: 5 in 10 tax, 3 in 10 shipping rates, 2 in 10 Event notifications."""
    kind = n % 10
    if kind < 5:
        return Call("shop-tax", {"operation": "shop.pricing.tax.tax_for",
                                 "arguments": {"amount": str(10 + n % 90), "region": ("CA", "NY", "TX")[n % 3]}})
    if kind < 8:
        return Call("shop-rates", {"operation": "shop.shipping.rates.cheapest_rate",
                                   "arguments": {"region": "domestic", "weight_grams": 100 + n % 900}})
    context = {"reference": f"R{n}", "name": "Ada", "total": "10.00"}
    return Call("shop-notifications", {"operation": "shop.notifications.dispatch.notify_async",
                                       "arguments": {"channel": "email", "recipient": f"bench-{n}@example.com",
                                                     "template": "order_confirmation", "context": context}},
                "Event")


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    resets: int = 0
    events: list[str] = field(default_factory=list)  # request ids of accepted Event calls
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, seconds: float, event_id: str | None = None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if event_id is not None:
                self.events.append(event_id)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] += 1

    def reset(self) -> None:
        with self.lock:
            self.resets += 1


def raw_client(url: str) -> Callable[[Call, Results], None]:
    host, port = url.removeprefix("http://").split(":")
    local = threading.local()

    def send(call: Call, results: Results) -> None:
        body = json.dumps(call.event).encode()
        started = time.perf_counter()
        try:
            if getattr(local, "connection", None) is None:
                local.connection = http.client.HTTPConnection(host, int(port), timeout=120)
            local.connection.request("POST", f"/2015-03-31/functions/{call.function}/invocations", body,
                                     {"X-Amz-Invocation-Type": call.invocation, "Content-Type": "application/json"})
            answer = local.connection.getresponse()
            payload = answer.read()
        except RESETS:
            local.connection = None
            results.reset()
            return
        elapsed = time.perf_counter() - started
        if answer.status not in (200, 202):
            results.error(f"HTTP {answer.status}")
        elif answer.getheader("X-Amz-Function-Error"):
            results.error(f"function error: {payload[:80]!r}")
        else:
            results.ok(elapsed, answer.getheader("x-amzn-RequestId") if answer.status == 202 else None)

    return send


def boto3_client(url: str, concurrency: int) -> Callable[[Call, Results], None]:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

    client = boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing",
                          config=Config(retries={"total_max_attempts": 1}, read_timeout=120,
                                        max_pool_connections=concurrency))

    def send(call: Call, results: Results) -> None:
        started = time.perf_counter()
        try:
            response = client.invoke(FunctionName=call.function, InvocationType=call.invocation,
                                     Payload=json.dumps(call.event).encode())
            payload = response["Payload"].read()
        except (ConnectionClosedError, EndpointConnectionError) + RESETS:
            results.reset()
            return
        except ClientError as error:
            results.error(f"API {error.response['Error']['Code']}")
            return
        elapsed = time.perf_counter() - started
        if response.get("FunctionError"):
            results.error(f"function error: {payload[:80]!r}")
        else:
            request_id = response["ResponseMetadata"]["RequestId"] if call.invocation == "Event" else None
            results.ok(elapsed, request_id)

    return send


def run(name: str, send: Callable[[Call, Results], None], calls: int, concurrency: int) -> Results:
    results = Results()
    per_client = [list(range(client, calls, concurrency)) for client in range(concurrency)]

    def client(numbers: list[int]) -> None:
        for n in numbers:
            try:
                send(mix(n), results)
            except Exception as error:  # counted: the load goes on
                results.error(f"{type(error).__name__}: {str(error)[:80]}")

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(client, per_client))
    wall = time.perf_counter() - started
    report(name, results, calls, wall)
    return results


def report(name: str, results: Results, calls: int, wall: float) -> None:
    latencies = sorted(results.latencies)
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else float("nan")
    print(f"{name:>4}: {calls} calls in {wall:.2f} s = {calls / wall:,.0f} calls/s; p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms; ok {len(latencies)}, errors {sum(results.errors.values())}, resets {results.resets}")
    for kind, count in results.errors.most_common(5):
        print(f"      {count} x {kind}")


def invoked_ids(lines: list[str]) -> Counter[str]:
    """Request ids of the notifications workers' "invoked" log lines (Powertools JSON)."""
    seen: Counter[str] = Counter()
    for line in lines:
        if not line.startswith("[shop-notifications] {"):
            continue
        try:
            record = json.loads(line.split("] ", 1)[1])
        except ValueError:
            continue
        if record.get("message") == "invoked" and record.get("request_id"):
            seen[record["request_id"]] += 1
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4, help="serve's --workers (per function)")
    parser.add_argument("--cache", type=Path, default=REPO_ROOT / DEFAULT_CACHE, help="serve's pip cache")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="m2l-serve-load-") as folder:
        tmp = Path(folder)
        generated = tmp / "generated"
        shutil.copytree(GENERATED, generated, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        plan = plan_serve(generated, options.cache)
        install_missing(plan, lambda install: print(f"installing {install.target.name} ...", flush=True))
        environ = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH",)}
        environ.update(CREDENTIALS, SHOP_DATABASE_URL=f"sqlite+pysqlite:///{tmp / 'shop.db'}",
                       POWERTOOLS_LOG_LEVEL="DEBUG")
        lines: list[str] = []
        lines_lock = threading.Lock()

        def keep(line: str) -> None:
            with lines_lock:
                lines.append(line)

        server = LambdaServer(plan, port=0, environ=environ, on_line=keep, max_workers=options.workers)
        url = server.start()
        print(f"serve at {url}: {len(plan.functions)} functions, {options.workers} workers each; "
              f"{options.calls} calls per client kind at {options.concurrency} concurrent clients")
        try:
            runs = [run("raw", raw_client(url), options.calls, options.concurrency),
                    run("boto3", boto3_client(url, options.concurrency), options.calls, options.concurrency)]
        finally:
            dropped = server.stop(drain=120.0)  # every accepted Event call runs before the workers stop
        accepted = [request_id for results in runs for request_id in results.events]
        with lines_lock:
            seen = invoked_ids(lines)
        never = [request_id for request_id in accepted if seen[request_id] == 0]
        twice = [request_id for request_id in accepted if seen[request_id] > 1]
        print(f"Event calls: {len(accepted)} accepted, {len(accepted) - len(never) - len(twice)} ran exactly once, "
              f"{len(never)} never ran, {len(twice)} ran more than once, {dropped} dropped at stop")
        clean = all(not results.errors and not results.resets for results in runs)
        return 0 if clean and not never and not twice and not dropped else 1


if __name__ == "__main__":
    sys.exit(main())
