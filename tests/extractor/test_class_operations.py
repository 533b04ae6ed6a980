"""Objects with behaviour across the wire (extractor/objects.py, m2l_runtime/instances.py).

The bundled asset tests/assets/relay_site is a small app with transport classes; its plan
names a class's staticmethod and classmethod, an instance method of a plain class, a
dataclass's method and a method that counts on its object (accepted with
`discard_instance_changes`). It is analyzed and extracted for real, then the app's own tests
run against the strangled monolith through both transports: `local` (a worker process per
service) and `serve` (the local Lambda endpoint, boto3 as the client), counting the calls
per operation. What cannot go (a constructor that takes a live connection, a method writing
`self.x`, a subclass in the monolith, a triggered method of a class that needs arguments) is
refused with the hazard and the conversion that would apply.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.boundaries.plan import PlanError, parse_plan
from analyzer.boundaries.plan.check import check_plan
from analyzer.graph import CodeGraph
from extractor.serve.plan import install_missing, plan_serve
from extractor.serve.server import LambdaServer
from mono2lambda.cli import cli

ASSET = Path(__file__).parents[1] / "assets" / "relay_site"
OPERATIONS = {
    "relay.transports.CountingTransport.send": 1,
    "relay.transports.Formatter.signed": 3,
    "relay.transports.Formatter.subject": 2,
    "relay.transports.SmsTransport.send": 4,
    "relay.transports.WebhookTransport.deliver": 1,
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def analyzed(tmp: Path, extra: dict[str, str] | None = None) -> Path:
    """The asset copied to `tmp/relay_site` (with `extra` files), and its graph in `tmp/analysis`."""
    root = tmp / "relay_site"
    shutil.copytree(ASSET, root, ignore=shutil.ignore_patterns("__pycache__"))
    for name, text in (extra or {}).items():
        (root / name).write_text(text, encoding="utf-8")
    assert run("analyze", str(root), "--out", str(tmp / "analysis"), "--no-cache")[0] == 0
    return root


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("relay")
    root = analyzed(tmp)
    out = tmp / "generated"
    code, text = run("extract", "--plan", str(root / "boundaries.yaml"), "--graph",
                     str(tmp / "analysis" / "graph.json"), "--out", str(out), "-v")
    assert code == 0, text
    assert "instance-rebuilt: 3 warnings" in text and "instance-method-across" not in text, text
    return out


def app_tests(monolith: Path, env: dict[str, str], log: Path) -> Counter[str]:
    """Runs the app's own tests on the strangled monolith; the calls per operation."""
    env = {**{k: v for k, v in env.items() if k != "PYTHONPATH" and not k.startswith("M2L_")},
           **{k: v for k, v in env.items() if k.startswith("M2L_")}, "M2L_CALL_LOG": str(log),
           "POWERTOOLS_LOG_LEVEL": "ERROR", "PYTHONPATH": "."}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=monolith,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    return Counter(line.split()[1] for line in log.read_text().splitlines())


def test_the_proxy_class_keeps_its_name_and_forwards_only_its_operations(generated: Path) -> None:
    proxy = (generated / "monolith" / "relay" / "transports.py").read_text()
    assert "@_m2l_client.record\nclass SmsTransport:" in proxy
    assert "@_m2l_client.record\n@dataclass(frozen=True)\nclass WebhookTransport:" in proxy
    assert "class Formatter:" in proxy and "@_m2l_client.record\nclass Formatter" not in proxy
    assert "Formatter.subject,\n" in proxy and "instance=self" in proxy
    assert 'return f"sms from {self.sender}"' in proxy, "a method the plan does not name stays as written"
    assert "self.connection.sendmail" in proxy, "a class the plan does not name stays as written"

    contracts = generated / "delivery" / "contracts"
    sms = json.loads((contracts / "relay.transports.SmsTransport.send.json").read_text())
    assert sorted(sms["request"]["properties"]) == ["text", "to"], "self is not a request field"
    assert sms["instance"]["title"] == "SmsTransport"
    assert sms["instance"]["properties"]["max_length"] == {"default": 160, "title": "Max Length", "type": "integer"}
    assert sms["instance"]["required"] == ["sender"]
    hook = json.loads((contracts / "relay.transports.WebhookTransport.deliver.json").read_text())
    assert sorted(hook["instance"]["properties"]) == ["retries", "url"], "a dataclass's fields"
    static = json.loads((contracts / "relay.transports.Formatter.subject.json").read_text())
    signed = json.loads((contracts / "relay.transports.Formatter.signed.json").read_text())
    assert "instance" not in static and "instance" not in signed
    assert sorted(signed["request"]["properties"]) == ["team", "text"], "cls is not a request field"

    event = json.loads((generated / "delivery" / "events" / "relay.transports.SmsTransport.send.json").read_text())
    assert event["instance"] == {"sender": "ACME"} and event["arguments"]["to"] == "+15550100", event
    assert '`"instance": {...}`' in (generated / "delivery" / "README.md").read_text()
    template = (generated / "delivery" / "template.yaml").read_text()
    assert template.count("Type: AWS::Serverless::Function") == 1, "one function routes every operation"


def test_the_package_tests_run_every_class_operation_through_its_handler(generated: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                          cwd=generated / "delivery", capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "passed" in done.stdout and "failed" not in done.stdout, done.stdout


def test_the_apps_tests_pass_through_the_local_transport(generated: Path, tmp_path: Path) -> None:
    calls = app_tests(generated / "monolith", {**os.environ, "M2L_TRANSPORT": "local"}, tmp_path / "calls.log")
    assert calls == OPERATIONS


@pytest.fixture(scope="module")
def served(generated: Path, pip_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdaServer]:
    plan = plan_serve(generated, pip_cache)
    install_missing(plan, lambda install: None)
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    with LambdaServer(plan, port=0, environ=environ, on_line=lambda line: None) as server:
        yield server


def test_the_apps_tests_pass_behind_serve(served: LambdaServer, generated: Path, tmp_path: Path) -> None:
    env = {**os.environ, "M2L_TRANSPORT": "lambda", "AWS_ENDPOINT_URL_LAMBDA": served.url,
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    calls = app_tests(generated / "monolith", env, tmp_path / "calls.log")
    assert calls == OPERATIONS
    assert served.counts["relay_site-delivery"] == sum(OPERATIONS.values())


BAD_PLAN = """\
version: 1
source: relay_site
services:
  delivery:
    modules: [relay.transports, relay.batched]
    operations:
      relay.transports.Formatter.subject:
        invocation: sync
      relay.batched.Batched.flush:
        invocation: sync
      relay.transports.SmtpTransport.send:
        invocation: sync
      relay.transports.CountingTransport.send:
        invocation: sync
      relay.transports.SmsTransport.describe:
        invocation: schedule
        expression: rate(1 hour)
shared: [relay]
"""
SUBCLASS = """\
from relay.transports import Formatter, SmsTransport


class LoudSms(SmsTransport):
    pass


class LoudFormatter(Formatter):
    pass
"""
THROUGH_A_HELPER = """\
class Base:
    def __init__(self, name: str) -> None:
        self.name = name

    def _note(self, text: str) -> None:
        self.log.append(text)


class Batched(Base):
    def flush(self, text: str) -> int:
        self._note(text)
        return len(text)
"""


def test_what_cannot_be_rebuilt_is_refused_with_the_conversion_that_would_apply(tmp_path: Path) -> None:
    root = analyzed(tmp_path, {"bad.yaml": BAD_PLAN, "relay/loud.py": SUBCLASS, "relay/batched.py": THROUGH_A_HELPER})
    code, text = run("extract", "--plan", str(root / "bad.yaml"), "--graph", str(tmp_path / "analysis" / "graph.json"),
                     "--out", str(tmp_path / "generated"), "-v")
    assert code == 1, text
    flat = " ".join(text.split())
    assert ("relay/transports.py:81: error: relay.transports.SmtpTransport.send is an instance method, and the "
            "service cannot rebuild a relay.transports.SmtpTransport to run it on: its __init__ parameter "
            "'connection' is a SMTP, which cannot cross a wire") in flat, flat
    assert "give __init__ parameters with wire-safe type hints" in flat and "make it a staticmethod" in flat
    assert ("relay/transports.py:71: error: relay.transports.CountingTransport.send changes self.sent: the service "
            "runs it on a rebuilt CountingTransport") in flat, flat
    assert ("relay/batched.py:6: error: relay.batched.Batched.flush changes self.log (in relay.batched.Base._note, "
            "which it calls)") in flat, flat
    assert "discard_instance_changes: true" in flat
    assert "LoudFormatter" not in flat, "a staticmethod does not depend on its class"
    assert ("relay/loud.py:4: error: relay.loud.LoudSms subclasses relay.transports.SmsTransport, whose methods are "
            "operations of delivery") in flat, flat
    assert ("relay.transports.SmsTransport.describe is an instance method triggered by schedule events, which carry "
            "no constructor arguments, and a relay.transports.SmsTransport needs sender") in flat, flat
    assert not (tmp_path / "generated").exists()


def test_a_plan_names_functions_methods_and_classes_but_not_properties_or_private_methods(tmp_path: Path) -> None:
    analyzed(tmp_path)
    graph = CodeGraph.load(tmp_path / "analysis" / "graph.json")
    text = """\
version: 1
source: relay_site
services:
  delivery:
    modules: [relay.transports]
    operations:
      relay.transports.Formatter: {invocation: sync}
      relay.transports.SmsTransport.send: {invocation: sync}
      relay.transports.SmsTransport.__init__: {invocation: sync}
      relay.transports.SmsTransport.nothing: {invocation: sync}
"""
    doc = parse_plan(text, "plan.yaml")
    problems = [(p.line, p.message) for p in check_plan(doc, graph)]
    assert problems == [
        (9, "operation relay.transports.SmsTransport.__init__ is a private or special method"),
        (10, "operation relay.transports.SmsTransport.nothing is not a function, class or method of the graph"),
    ], problems
    assert [op.discard_instance_changes for op in doc.plan.services[0].operations or ()] == [False] * 4
    with pytest.raises(PlanError, match="`discard_instance_changes` must be true or false, not 'maybe'"):
        parse_plan(text.replace("SmsTransport.send: {invocation: sync}",
                                "SmsTransport.send: {invocation: sync, discard_instance_changes: maybe}"), "plan.yaml")
