"""`mono2lambda serve`: the local Lambda endpoint, driven by an unchanged boto3 client.

Everything is real: worker processes, HTTP on 127.0.0.1, pip installs (once per session,
into a shared cache), and boto3 as the client. The committed `generated/` tree is copied
to a temporary folder first, so nothing is written into the repository. Small throwaway
packages cover what the example cannot show: timeouts, crashes, missing modules.

The proof at the end: the example shop's own test suite passes against the strangled
monolith with `M2L_TRANSPORT=lambda` pointed at this endpoint, every service running in
its own worker processes with only its package on the path.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError
from click.testing import CliRunner

from extractor.serve.functions import functions_in_template, worker_environment
from extractor.serve.plan import install_missing, plan_serve
from extractor.serve.protocol import ApiError, parse_invoke, split_function_name
from extractor.serve.server import LambdaServer
from mono2lambda.serve_command import invoke_command

REPO = Path(__file__).parents[2]
GOLDEN = REPO / "generated"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
               "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}
SYNC_LIMIT, EVENT_LIMIT = 6 * 1024 * 1024, 1024 * 1024

TOY_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: "python3.12"
    Timeout: 5
    Environment:
      Variables:
        "TOY_GLOBAL": "from-globals"
Resources:
{resources}
"""
TOY_FUNCTIONS = {  # name: (handler, timeout)
    "toy-echo": ("app.echo", 5), "toy-slow": ("app.slow", 1), "toy-crash": ("app.crash", 5),
    "toy-import": ("app.load", 5), "toy-counter": ("app.counter", 5), "toy-unloadable": ("broken.handler", 5),
}
TOY_APP = '''\
import importlib, os, sys, time

STATE = []


def echo(event, context):
    print("hello from", context.function_name)
    time.sleep(event.get("sleep", 0))
    names = ("TOY_GLOBAL", "TOY_OWN", "TOY_OVERRIDDEN", "TOY_FROM_SERVER", "PYTHONPATH", "AWS_LAMBDA_FUNCTION_NAME",
             "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION")
    return {"pid": os.getpid(), "path": sys.path[:3], "site": "site" in sys.modules, "cwd": os.getcwd(),
            "env": {name: os.environ.get(name) for name in names},
            "context": {"function_name": context.function_name, "memory": context.memory_limit_in_mb,
                        "arn": context.invoked_function_arn, "request_id": context.aws_request_id,
                        "version": context.function_version, "log_group": context.log_group_name,
                        "log_stream": context.log_stream_name, "remaining": context.get_remaining_time_in_millis()}}


def slow(event, context):
    time.sleep(event["sleep"])
    return "done"


def crash(event, context):
    if "exit" in event:
        os._exit(event["exit"])
    return "alive"


def load(event, context):
    return importlib.import_module(event["module"]).__name__


def counter(event, context):
    if "add" in event:
        time.sleep(0.05)
        STATE.append(event["add"])
    return len(STATE)
'''


def toy_resource(name: str, handler: str, timeout: int) -> str:
    logical = "".join(part.title() for part in name.split("-")) + "Function"
    return textwrap.indent(textwrap.dedent(f"""\
        {logical}:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: src/
            Handler: "{handler}"
            FunctionName: "{name}"
            MemorySize: 256
            Timeout: {timeout}
            Environment:
              Variables:
                "TOY_OWN": "from-template"
                "TOY_OVERRIDDEN": "from-template"
        """), "  ")


def write_toys(root: Path) -> Path:
    package = root / "toys"
    (package / "src").mkdir(parents=True)
    resources = "".join(toy_resource(name, handler, timeout) for name, (handler, timeout) in TOY_FUNCTIONS.items())
    (package / "template.yaml").write_text(TOY_TEMPLATE.format(resources=resources))
    (package / "requirements.txt").write_text("")
    (package / "src" / "app.py").write_text(TOY_APP)
    (package / "src" / "broken.py").write_text("import helpers_not_packaged\n\ndef handler(event, context):\n"
                                               "    return 1\n")
    return root


def lambda_client(url: str) -> Any:
    return boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing",
                        config=Config(retries={"total_max_attempts": 1}, read_timeout=60))


def invoke(client: Any, function: str, event: object, **options: Any) -> tuple[dict[str, Any], Any]:
    response = client.invoke(FunctionName=function, Payload=json.dumps(event).encode(), **options)
    body = response["Payload"].read()
    return response, json.loads(body) if body else None


def server_environment(tmp: Path) -> dict[str, str]:
    environ = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    environ.update(CREDENTIALS, SHOP_DATABASE_URL=f"sqlite+pysqlite:///{tmp / 'shop.db'}",
                   SHOP_CLOCK_FILE=str(tmp / "shop.clock"),  # the tests' clock reaches the services
                   POWERTOOLS_LOG_LEVEL="ERROR", TOY_FROM_SERVER="from-server", TOY_OVERRIDDEN="from-server",
                   PYTHONPATH=str(tmp / "never-on-a-worker-path"))
    return environ


class Served:
    def __init__(self, server: LambdaServer, root: Path, environ: dict[str, str], lines: list[str]) -> None:
        self.server, self.root, self.environ, self.lines = server, root, environ, lines
        self.url = server.url
        self.client = lambda_client(server.url)


def start(root: Path, cache: Path, tmp: Path) -> Iterator[Served]:
    plan = plan_serve(root, cache)
    install_missing(plan, lambda install: None)
    lines: list[str] = []
    environ = server_environment(tmp)
    with LambdaServer(plan, port=0, environ=environ, on_line=lines.append) as server:
        yield Served(server, root, environ, lines)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, pip_cache: Path) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("serve-shop")
    shutil.copytree(GOLDEN, tmp / "generated", ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    yield from start(tmp / "generated", pip_cache, tmp)


@pytest.fixture(scope="module")
def toys(tmp_path_factory: pytest.TempPathFactory, pip_cache: Path) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("serve-toys")
    yield from start(write_toys(tmp / "generated"), pip_cache, tmp)


# -- the pure parts -------------------------------------------------------------------------------------------------

def test_a_function_can_be_named_by_name_qualified_name_or_arn() -> None:
    assert split_function_name("shop-tax") == ("shop-tax", None)
    assert split_function_name("shop-tax:live") == ("shop-tax", "live")
    assert split_function_name("arn:aws:lambda:eu-west-1:123456789012:function:shop-tax") == ("shop-tax", None)
    assert split_function_name("arn:aws:lambda:eu-west-1:123456789012:function:shop-tax:7") == ("shop-tax", "7")


@pytest.mark.parametrize(("method", "target", "headers", "body", "status", "error"), [
    ("GET", "/2015-03-31/functions/f/invocations", {}, b"", 404, "UnknownOperationException"),
    ("POST", "/2015-03-31/functions/f/configuration", {}, b"", 404, "UnknownOperationException"),
    ("POST", "/2015-03-31/functions/f/invocations", {"X-Amz-Invocation-Type": "Later"}, b"", 400,
     "InvalidParameterValueException"),
    ("POST", "/2015-03-31/functions/f/invocations", {}, b"{not json", 400, "InvalidRequestContentException"),
    ("POST", "/2015-03-31/functions/f/invocations", {}, b" " * (SYNC_LIMIT + 1), 413, "RequestTooLargeException"),
    ("POST", "/2015-03-31/functions/f/invocations", {"x-amz-invocation-type": "Event"}, b" " * (EVENT_LIMIT + 1),
     413, "RequestTooLargeException"),
])
def test_requests_lambda_would_refuse_are_refused_the_same_way(method: str, target: str, headers: dict[str, str],
                                                               body: bytes, status: int, error: str) -> None:
    with pytest.raises(ApiError) as refused:
        parse_invoke(method, target, headers, body)
    assert (refused.value.status, refused.value.error_type) == (status, error)


def test_an_invoke_request_is_parsed_with_its_qualifier_and_an_empty_body_as_an_empty_event() -> None:
    request = parse_invoke("POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af"
                           "/invocations?Qualifier=%24LATEST", {"X-Amz-Invocation-Type": "DryRun"}, b"")
    assert (request.function, request.qualifier, request.invocation, request.event) == ("f", "$LATEST", "DryRun", {})


def test_templates_apply_globals_like_sam_and_the_environment_follows_its_rule(tmp_path: Path) -> None:
    template = {"Globals": {"Function": {"Timeout": 9, "Runtime": "python3.12",
                                         "Environment": {"Variables": {"A": "global", "B": "global"}}}},
                "Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {
                    "Handler": "handler.handler", "CodeUri": "src/", "FunctionName": "f",
                    "Environment": {"Variables": {"B": "own", "C": True, "QUEUE": {"Ref": "Queue"}}}}},
                    "Queue": {"Type": "AWS::SQS::Queue"}}}
    (spec,) = functions_in_template(template, tmp_path / "pkg")
    assert (spec.name, spec.timeout, spec.memory, spec.code) == ("f", 9, 128, (tmp_path / "pkg" / "src").resolve())
    assert dict(spec.environment) == {"A": "global", "B": "own", "C": "true"} and spec.unresolved == ("QUEUE",)
    environment = worker_environment(spec, {"A": "shell", "PYTHONPATH": "x", "AWS_LAMBDA_FUNCTION_NAME": "other",
                                            "APP_SETTING": "kept"})
    assert environment["A"] == "shell" and environment["B"] == "own" and environment["APP_SETTING"] == "kept"
    assert "PYTHONPATH" not in environment and environment["AWS_LAMBDA_FUNCTION_NAME"] == "f"


# -- the example's services through boto3 ---------------------------------------------------------------------------

def test_boto3_invokes_an_operation_and_gets_the_contract_answer(shop: Served) -> None:
    response, payload = invoke(shop.client, "shop-tax", {"operation": "shop.pricing.tax.tax_for",
                                                         "arguments": {"amount": "10.00", "region": "CA"}})
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert payload == {"result": "0.73"}
    assert response["ExecutedVersion"] == "$LATEST"


def test_an_unknown_operation_is_a_function_error_with_lambdas_error_payload(shop: Served) -> None:
    response, payload = invoke(shop.client, "shop-tax", {"operation": "shop.pricing.tax.nope", "arguments": {}})
    assert response["StatusCode"] == 200 and response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "ContractError" and "unknown operation" in payload["errorMessage"]
    assert isinstance(payload["stackTrace"], list) and payload["stackTrace"]


def test_event_is_accepted_with_202_and_dry_run_answers_204(shop: Served) -> None:
    response, _ = invoke(shop.client, "shop-rates", {"operation": "shop.shipping.rates.quote_all", "arguments": {}},
                         InvocationType="Event")
    assert response["StatusCode"] == 202
    response, _ = invoke(shop.client, "shop-rates", {}, InvocationType="DryRun")
    assert response["StatusCode"] == 204


def test_an_unknown_function_is_resource_not_found_as_on_aws(shop: Served) -> None:
    with pytest.raises(shop.client.exceptions.ResourceNotFoundException, match="Function not found"):
        invoke(shop.client, "shop-nothing", {})


@pytest.mark.parametrize(("invocation", "limit"), [("RequestResponse", SYNC_LIMIT), ("Event", EVENT_LIMIT)])
def test_a_payload_over_lambdas_limit_is_refused(shop: Served, invocation: str, limit: int) -> None:
    with pytest.raises(shop.client.exceptions.RequestTooLargeException):
        invoke(shop.client, "shop-tax", {"operation": "x", "arguments": {"pad": "x" * limit}},
               InvocationType=invocation)


def test_concurrent_invocations_all_succeed(shop: Served) -> None:
    def one(cents: int) -> Any:
        amount = f"{cents}.00"
        return invoke(shop.client, "shop-tax", {"operation": "shop.pricing.tax.tax_for",
                                                "arguments": {"amount": amount, "region": "OR"}})[1]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(one, range(1, 9)))
    assert answers == [{"result": "0.00"}] * 8


def test_the_invoke_command_calls_a_service_by_name(shop: Served) -> None:
    def run(*args: str) -> Any:
        return CliRunner().invoke(invoke_command, [*args, "--endpoint", shop.url, "--generated", str(shop.root)],
                                  env=CREDENTIALS)

    done = run("tax", "shop.pricing.tax.rate_for", "--payload", '{"region": "NY"}')
    assert done.exit_code == 0, done.output
    assert json.loads(done.output) == {"result": "8.875"}
    failed = run("tax", "shop.pricing.tax.nope")
    assert failed.exit_code == 1 and "ContractError" in failed.output
    assert run("tax", "x", "--payload", "[1]").exit_code == 2
    assert run("nope", "x").exit_code == 2


# -- the worker's world: context, environment, path, timeouts, crashes ------------------------------------------------

def test_the_handler_gets_a_lambda_context_and_the_environment_rule(toys: Served) -> None:
    response, answer = invoke(toys.client, "toy-echo", {})
    context, env = answer["context"], answer["env"]
    assert context["function_name"] == "toy-echo" and context["memory"] == "256" and context["version"] == "$LATEST"
    assert context["arn"] == "arn:aws:lambda:us-east-1:000000000000:function:toy-echo"
    assert context["request_id"] == response["ResponseMetadata"]["RequestId"]
    assert context["log_group"] == "/aws/lambda/toy-echo" and "[$LATEST]" in context["log_stream"]
    assert 0 < context["remaining"] <= 5000
    assert env == {"TOY_GLOBAL": "from-globals", "TOY_OWN": "from-template", "TOY_OVERRIDDEN": "from-server",
                   "TOY_FROM_SERVER": "from-server", "PYTHONPATH": None, "AWS_LAMBDA_FUNCTION_NAME": "toy-echo",
                   "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "AWS_REGION": "us-east-1"}


def test_the_worker_path_is_its_package_and_its_installs_only(toys: Served) -> None:
    _, answer = invoke(toys.client, "toy-echo", {})
    src = (toys.root / "toys" / "src").resolve()
    assert answer["path"][0] == str(src) and answer["cwd"] == str(src) and answer["site"] is False
    assert all(str(REPO) not in entry and "site-packages" not in entry for entry in answer["path"])
    assert not list(src.rglob("__pycache__")), "a worker must not write bytecode into the package"


def test_the_handlers_output_streams_to_the_console_under_the_function_name(toys: Served) -> None:
    invoke(toys.client, "toy-echo", {})
    deadline = time.monotonic() + 5
    while "[toy-echo] hello from toy-echo" not in toys.lines and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "[toy-echo] hello from toy-echo" in toys.lines


@pytest.mark.parametrize(("module", "found"), [("json", True), ("boto3", True), ("helpers_not_packaged", False),
                                               ("click", False)])
def test_a_module_missing_from_the_package_fails_as_on_aws(toys: Served, module: str, found: bool) -> None:
    """click is installed where the server runs, but not in the package: the worker must not see it.
    boto3 is not in the package either, but the Lambda runtime provides it."""
    response, answer = invoke(toys.client, "toy-import", {"module": module})
    if found:
        assert answer == module
    else:
        assert response["FunctionError"] == "Unhandled"
        assert answer["errorType"] == "ModuleNotFoundError" and f"No module named '{module}'" in answer["errorMessage"]


def test_a_handler_module_that_cannot_be_imported_is_lambdas_import_error(toys: Served) -> None:
    response, answer = invoke(toys.client, "toy-unloadable", {})
    assert response["FunctionError"] == "Unhandled" and answer["errorType"] == "Runtime.ImportModuleError"
    assert answer["errorMessage"] == "Unable to import module 'broken': No module named 'helpers_not_packaged'"


def test_a_handler_over_its_timeout_is_killed_reported_and_replaced(toys: Served) -> None:
    started = time.monotonic()
    response, answer = invoke(toys.client, "toy-slow", {"sleep": 30})
    assert time.monotonic() - started < 10
    assert response["FunctionError"] == "Unhandled" and answer["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in answer["errorMessage"]
    assert invoke(toys.client, "toy-slow", {"sleep": 0})[1] == "done"


def test_a_worker_that_dies_fails_its_invocation_and_the_next_one_works(toys: Served) -> None:
    response, answer = invoke(toys.client, "toy-crash", {"exit": 3})
    assert response["FunctionError"] == "Unhandled" and answer["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in answer["errorMessage"]
    assert invoke(toys.client, "toy-crash", {})[1] == "alive"


def test_concurrent_calls_get_a_pool_of_at_most_four_workers(toys: Served) -> None:
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: invoke(toys.client, "toy-echo", {"sleep": 0.5})[1], range(8)))
    assert 2 <= len({answer["pid"] for answer in answers}) <= 4


def test_event_calls_run_in_order_before_later_calls_to_the_same_function(toys: Served) -> None:
    before = invoke(toys.client, "toy-counter", {})[1]
    for _ in range(5):
        assert invoke(toys.client, "toy-counter", {"add": 1}, InvocationType="Event")[0]["StatusCode"] == 202
    assert invoke(toys.client, "toy-counter", {})[1] == before + 5


# -- the serve command, and the proof ---------------------------------------------------------------------------------

SERVE = "from mono2lambda.cli import main; main()"  # `mono2lambda ...`, with this interpreter


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_serve_command_serves_until_stopped(toys: Served, pip_cache: Path) -> None:
    port = free_port()
    command = [sys.executable, "-c", SERVE, "serve", str(toys.root), "--port", str(port), "--cache", str(pip_cache)]
    process = subprocess.Popen(command, env=toys.environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert call_when_listening(f"http://127.0.0.1:{port}", "toy-counter") == 0
    finally:
        process.send_signal(signal.SIGTERM)  # SIGINT may be ignored when CI starts the tests in the background
        output = process.communicate(timeout=30)[0]
    assert process.returncode == 0, output
    assert "toy-counter" in output and f"Listening on http://127.0.0.1:{port}" in output and "stopping" in output
    assert any(line.startswith("toy-counter ") and line.rstrip().endswith(" ok") for line in output.splitlines())


def call_when_listening(url: str, function: str, patience: float = 30) -> Any:
    deadline = time.monotonic() + patience
    while True:
        try:
            return invoke(lambda_client(url), function, {})[1]
        except EndpointConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_the_example_suite_passes_with_every_service_behind_the_endpoint(shop: Served) -> None:
    before = dict(shop.server.counts)
    env = {**shop.environ, "M2L_TRANSPORT": "lambda", "AWS_ENDPOINT_URL_LAMBDA": shop.url}
    env.pop("PYTHONPATH")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=shop.root / "monolith", env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    ran = {name: count - before.get(name, 0) for name, count in shop.server.counts.items()}
    assert set(ran) == {f"shop-{name}" for name in ("accounts", "cart", "catalog", "inventory", "notifications",
                                                    "payments", "pricing", "rates", "tax")}, ran
    assert min(ran.values()) >= 3, ran


PER_OPERATION_CODE = '''
from __future__ import annotations


def rate_for(region: str) -> int:
    return 7 if region == "CA" else 5


def tax_for(amount: int, region: str) -> int:
    return amount * rate_for(region) // 100
'''

PER_OPERATION_TEST = '''
from mini import calc


def test_through_each_operations_own_function():
    assert calc.tax_for(200, "CA") == 14
    assert calc.rate_for("NY") == 5
'''


def test_a_service_with_one_function_per_operation_is_called_through_each(tmp_path: Path, pip_cache: Path) -> None:
    from click.testing import CliRunner

    from mono2lambda.cli import cli

    root = tmp_path / "mini"
    (root / "mini").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "mini" / "__init__.py").write_text("")
    (root / "mini" / "calc.py").write_text(PER_OPERATION_CODE)
    (root / "tests" / "test_calc.py").write_text(PER_OPERATION_TEST)
    (root / "boundaries.yaml").write_text("version: 1\nsource: mini\nservices:\n  tax:\n    functions: per-operation\n"
                                          "    modules: [mini.calc]\nshared: [mini]\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["analyze", str(root), "--out", str(tmp_path / "analysis")]).exit_code == 0
    extracted = runner.invoke(cli, ["extract", "--plan", str(root / "boundaries.yaml"), "--graph",
                                    str(tmp_path / "analysis" / "graph.json"), "--out", str(tmp_path / "out")])
    assert extracted.exit_code == 0, extracted.output
    served = start(tmp_path / "out", pip_cache, tmp_path)
    shop = next(served)
    try:
        env = {**shop.environ, "M2L_TRANSPORT": "lambda", "AWS_ENDPOINT_URL_LAMBDA": shop.url, "PYTHONPATH": "."}
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                              cwd=tmp_path / "out" / "monolith", env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
        assert dict(shop.server.counts) == {"mini-tax-tax-for": 1, "mini-tax-rate-for": 1}
    finally:
        served.close()
