"""Event-triggered operations, end to end, on the second example (examples/ingest).

`extract` is run through the CLI; then each package passes its own tests with only its
src/ on the path, and its entry points are driven directly in a child process (the
packages' module names would clash in this one): an SQS batch with a bad record in the
middle, an S3 upload, the nightly schedule. The runtime's rules for the other kinds
(Kinesis, DynamoDB, SNS, EventBridge, HTTP) are checked in this process on small
functions, and `trigger_findings` on hand-made contracts.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from analyzer.boundaries.hazards import ERROR, WARNING
from analyzer.boundaries.plan import Invocation
from extractor.events import sample_event
from extractor.model import OperationSpec
from extractor.triggers import HTTP_PATH_PARAMETER, TRIGGER_HANDLER_NAME, TRIGGER_SIGNATURE, trigger_findings
from mono2lambda.cli import cli

REPO = Path(__file__).parents[2]
EXAMPLE = REPO / "examples" / "ingest"
RUNTIME = REPO / "extractor" / "runtime"
sys.path.insert(0, str(RUNTIME))

from m2l_runtime.errors import ContractError  # noqa: E402
from m2l_runtime.triggers import serve  # noqa: E402

FROZEN = "2024-03-01T10:00:00+00:00"  # when the example's orders are imported


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ingest")
    runner = CliRunner()
    analyzed = runner.invoke(cli, ["analyze", str(EXAMPLE), "--out", str(root / "analysis"), "--no-cache"])
    assert analyzed.exit_code == 0, analyzed.output
    extracted = runner.invoke(cli, ["extract", "--plan", str(EXAMPLE / "boundaries.yaml"), "--graph",
                                    str(root / "analysis" / "graph.json"), "--out", str(root / "generated")])
    assert extracted.exit_code == 0, extracted.output
    return root / "generated"


def package_env(state: Path) -> dict[str, str]:
    """The environment a package runs in: no PYTHONPATH, the example's database and storage under `state`."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(INGEST_DATABASE=str(state / "ingest.sqlite3"), INGEST_STORAGE=str(state / "objects"),
               INGEST_FROZEN_TIME=FROZEN, POWERTOOLS_LOG_LEVEL="ERROR")
    return env


@pytest.mark.parametrize("service", ["intake", "reporting"])
def test_each_package_passes_its_own_tests_with_only_its_src(generated: Path, service: str, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                          cwd=generated / service, env=package_env(tmp_path), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout


def test_the_example_suite_passes_with_its_triggered_services_behind_the_local_transport(
        generated: Path, tmp_path: Path) -> None:
    """The monolith's callers wait for triggered operations (only `async` is fire-and-forget)."""
    log = tmp_path / "calls.log"
    env = package_env(tmp_path)
    env.update(M2L_TRANSPORT="local", M2L_CALL_LOG=str(log))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=generated / "monolith", env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert {line.split()[0] for line in log.read_text().splitlines()} == {"intake", "reporting"}


def test_each_trigger_has_its_entry_point_and_its_kind_in_the_table(generated: Path) -> None:
    handler = (generated / "intake" / "src" / "handler.py").read_text(encoding="utf-8")
    assert '"ingest.orders.import_order": Operation("ingest.orders", "import_order", "sqs")' in handler
    assert '"ingest.orders.get_order": Operation("ingest.orders", "get_order", "sync")' in handler
    assert 'def ingest_file(event, context):\n    """ingest.uploads.ingest_file on s3 events."""\n    return ' \
           'service.trigger("ingest.uploads.ingest_file", event, context)' in handler
    template = (generated / "reporting" / "template.yaml").read_text(encoding="utf-8")
    assert 'Handler: "handler.nightly_summary"' in template


# Driving the generated entry points in a child process. Each script prints one JSON object.
PRELUDE = textwrap.dedent("""
    import functools, importlib, json, sys
    sys.path.insert(0, "src")
    import handler

    CALLS = []

    def record(module_name, function_name):
        module = importlib.import_module(module_name)
        original = getattr(module, function_name)

        @functools.wraps(original)
        def recorded(*args, **kwargs):
            CALLS.append(kwargs)
            return original(*args, **kwargs)
        setattr(module, function_name, recorded)

    def sample(operation):
        with open(f"events/{operation}.json", encoding="utf-8") as stream:
            return json.load(stream)
""")

INTAKE = PRELUDE + textwrap.dedent("""
    from ingest import storage
    record("ingest.orders", "import_order")
    record("ingest.uploads", "ingest_file")
    out = {}

    batch = sample("ingest.orders.import_order")
    good = batch["Records"][0]
    bodies = [{"order_id": "A-1", "sku": "WIDGET", "quantity": 2},
              {"order_id": "A-2", "sku": "WIDGET", "quantity": "many"},
              {"order_id": "A-3", "sku": "GADGET", "quantity": 5}]
    batch["Records"] = [{**good, "messageId": f"m-{i}", "body": json.dumps(body)} for i, body in enumerate(bodies, 1)]
    out["sqs"] = handler.import_order(batch, None)
    out["sqs_calls"] = list(CALLS)
    out["stored"] = {}
    for order_id in ("A-1", "A-2", "A-3"):
        answer = handler.handler({"operation": "ingest.orders.get_order", "arguments": {"order_id": order_id}}, None)
        out["stored"][order_id] = "result" in answer

    CALLS.clear()
    domain = {**batch, "Records": [{**good, "messageId": "m-bad-quantity",
                                     "body": json.dumps({"order_id": "A-4", "sku": "WIDGET", "quantity": 0})},
                                    batch["Records"][0]]}
    out["sqs_domain"] = handler.import_order(domain, None)
    out["sqs_domain_calls"] = len(CALLS)

    CALLS.clear()
    upload = sample("ingest.uploads.ingest_file")
    size = storage.write_object("ingest-partner-uploads", "incoming/day 1.csv",
                                b"order_id,sku,quantity\\nF-1,WIDGET,1\\nF-2,GADGET,3\\n")
    stored = upload["Records"][0]["s3"]["object"]
    stored.update(key="incoming/day+1.csv", size=size)
    out["s3"] = handler.ingest_file(upload, None)
    out["s3_calls"] = list(CALLS)
    print(json.dumps(out))
""")

REPORTING = PRELUDE + textwrap.dedent("""
    record("ingest.reports", "nightly_summary")
    event = {**sample("ingest.reports.nightly_summary"), "time": "2024-03-02T02:00:00Z"}
    out = {"schedule": handler.nightly_summary(event, None), "now": CALLS[0]["now"].isoformat()}
    print(json.dumps(out))
""")


def drive(package: Path, script: str, state: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", script], cwd=package, env=package_env(state),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def driven(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Both packages driven over one database: intake imports orders, reporting summarises them."""
    state = tmp_path_factory.mktemp("state")
    return {**drive(generated / "intake", INTAKE, state), **drive(generated / "reporting", REPORTING, state)}


def test_an_sqs_batch_reports_only_its_bad_record_and_the_others_run(driven: dict[str, Any]) -> None:
    assert driven["sqs"] == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}
    assert driven["sqs_calls"] == [{"order_id": "A-1", "sku": "WIDGET", "quantity": 2},
                                   {"order_id": "A-3", "sku": "GADGET", "quantity": 5}]
    assert driven["stored"] == {"A-1": True, "A-2": False, "A-3": True}  # the bad record never reached the code


def test_a_record_whose_code_raises_is_reported_too(driven: dict[str, Any]) -> None:
    assert driven["sqs_domain"] == {"batchItemFailures": [{"itemIdentifier": "m-bad-quantity"}]}
    assert driven["sqs_domain_calls"] == 2


def test_an_s3_upload_calls_the_function_with_bucket_key_and_size(driven: dict[str, Any]) -> None:
    assert driven["s3"] == {"results": [2]}
    size = len(b"order_id,sku,quantity\nF-1,WIDGET,1\nF-2,GADGET,3\n")
    assert driven["s3_calls"] == [{"bucket": "ingest-partner-uploads", "key": "incoming/day 1.csv", "size": size}]


def test_the_schedule_passes_the_events_time(driven: dict[str, Any]) -> None:
    assert driven["now"] == "2024-03-02T02:00:00+00:00"
    assert driven["schedule"] == {"result": 4}  # A-1, A-3 from the feed and F-1, F-2 from the upload, on 2024-03-01


# The runtime's rules, in this process.

CALLS: list[dict[str, Any]] = []


def take_order(order_id: str, quantity: int = 1) -> str:
    if quantity > 100:
        raise ValueError(f"{quantity} is too many")
    if quantity == 99:
        raise RuntimeError("the database is down")
    CALLS.append({"order_id": order_id, "quantity": quantity})
    return f"{order_id}x{quantity}"


def on_change(event_name: str, keys: dict[str, Any], new_image: dict[str, Any] | None = None) -> None:
    CALLS.append({"event_name": event_name, "keys": keys, "new_image": new_image})


def every_night(now: datetime, dry_run: bool = False) -> int:
    return 0


@pytest.fixture(autouse=True)
def clear_calls() -> None:
    CALLS.clear()


def event_for(kind: str, function: Any, **settings: Any) -> dict[str, Any]:
    from m2l_runtime.contract import contract_of

    contract = {"operation": f"{__name__}.{function.__name__}", "service": "demo",
                "invocation": {"kind": kind, "settings": settings},
                "request": contract_of(function).request_schema()}
    return sample_event(contract)


def test_kinesis_records_are_base64_json_and_failures_are_per_record() -> None:
    event = event_for("kinesis", take_order, stream="orders")
    first, second = event["Records"]
    third = {**first, "kinesis": {**first["kinesis"], "sequenceNumber": "3",
                                  "data": base64.b64encode(b'{"order_id": "K", "quantity": 500}').decode()}}
    answer = serve("kinesis", take_order, {"Records": [first, second, third]})
    assert answer == {"batchItemFailures": [{"itemIdentifier": second["kinesis"]["sequenceNumber"]},
                                            {"itemIdentifier": "3"}]}
    assert CALLS == [{"order_id": "text", "quantity": 1}]


def test_dynamodb_records_fill_parameters_by_name_with_plain_json_images() -> None:
    event = event_for("dynamodb", on_change, table="orders")
    change = event["Records"][0]["dynamodb"]
    change["NewImage"] = {"id": {"S": "1"}, "total": {"N": "12.5"}, "count": {"N": "3"}, "tags": {"SS": ["b", "a"]}}
    assert serve("dynamodb", on_change, event) == {"batchItemFailures": []}
    assert CALLS == [{"event_name": "INSERT", "keys": {"id": "1"},
                      "new_image": {"id": "1", "total": 12.5, "count": 3, "tags": ["a", "b"]}}]
    assert not isinstance(CALLS[0]["new_image"]["count"], Decimal)


def test_sns_and_eventbridge_carry_the_arguments_as_json() -> None:
    assert serve("sns", take_order, event_for("sns", take_order, topic="orders")) == {"results": ["textx1"]}
    bridge = event_for("eventbridge", take_order, pattern={"source": ["shop"], "detail-type": ["OrderPlaced"]})
    assert bridge["source"] == "shop" and bridge["detail-type"] == "OrderPlaced"
    assert serve("eventbridge", take_order, bridge) == {"result": "textx1"}
    with pytest.raises(ContractError, match="quantity"):
        serve("eventbridge", take_order, {**bridge, "detail": {"order_id": "x", "quantity": "lots"}})
    assert len(CALLS) == 2  # the malformed detail never reached the code


def test_a_schedule_refuses_a_function_with_two_parameters() -> None:
    with pytest.raises(ContractError, match="no parameter or one"):
        serve("schedule", every_night, event_for("schedule", every_night, expression="rate(1 day)"))


def http_answer(event: dict[str, Any], **body: Any) -> tuple[int, Any]:
    answer = serve("http", take_order, {**event, "body": json.dumps(body)} if body else event)
    assert answer["headers"] == {"content-type": "application/json"}
    return answer["statusCode"], json.loads(answer["body"])


def test_http_answers_200_400_422_and_500() -> None:
    post = event_for("http", take_order, method="POST", path="/orders")
    assert http_answer(post) == (200, "textx1")
    status, body = http_answer(post, order_id="x", quantity="lots")
    assert status == 400 and body["error"]["errorType"].endswith("ContractError")
    status, body = http_answer(post, order_id="x", quantity=500)
    assert status == 422 and body["error"]["errorMessage"] == "500 is too many"
    status, body = http_answer(post, order_id="x", quantity=99)
    assert status == 500 and body["error"] == {"errorType": "builtins.RuntimeError",
                                               "errorMessage": "internal error (see the logs)"}
    assert CALLS == [{"order_id": "text", "quantity": 1}]


def test_an_http_request_without_a_body_takes_the_query_string_and_path() -> None:
    get = event_for("http", take_order, method="GET", path="/orders/{order_id}")
    assert get["pathParameters"] == {"order_id": "text"} and get["rawPath"] == "/orders/text"
    assert http_answer(get) == (200, "textx1")
    assert http_answer({**get, "rawQueryString": "quantity=4", "queryStringParameters": {"quantity": "4"}}) == \
        (200, "textx4")
    encoded = {**event_for("http", take_order, method="POST", path="/orders"), "isBase64Encoded": True,
               "body": base64.b64encode(b'{"order_id": "b", "quantity": 2}').decode()}
    assert http_answer(encoded) == (200, "bx2")


# trigger_findings


def operation(kind: str, function: str = "work", **settings: Any) -> OperationSpec:
    return OperationSpec(f"app.jobs.{function}", "app.jobs", function, "app/jobs.py:7",
                         Invocation(kind, tuple(sorted(settings.items()))), "(...)")


def contract(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"service": "jobs", "request": {"type": "object", "additionalProperties": False, "properties": properties,
                                           "required": list(properties) if required is None else required}}


TEXT, NUMBER, WHEN = {"type": "string"}, {"type": "integer"}, {"type": "string", "format": "date-time"}


def kinds_of(op: OperationSpec, document: dict[str, Any]) -> list[tuple[str, str]]:
    found = trigger_findings(op, document)
    assert all(f.location == "app/jobs.py:7" and f.service == "jobs" and f.hint for f in found)
    return [(f.kind, f.severity) for f in found]


@pytest.mark.parametrize(("op", "document"), [
    (operation("s3", bucket="b"), contract({"bucket": TEXT, "key": TEXT, "size": NUMBER})),
    (operation("s3"), contract({"key": TEXT, "note": TEXT}, required=["key"])),  # a default fills `note`
    (operation("s3"), contract({"size": {"anyOf": [NUMBER, {"type": "null"}]}})),
    (operation("dynamodb"), {"service": "jobs", "request": {**contract({"new_image": {"$ref": "#/$defs/Row"}})[
        "request"], "$defs": {"Row": {"type": "object", "properties": {"id": TEXT}}}}}),
    (operation("schedule", expression="rate(1 day)"), contract({})),
    (operation("schedule", expression="rate(1 day)"), contract({"now": WHEN})),
    (operation("sqs"), contract({"anything": {"type": "array"}})),
    (operation("http", method="GET", path="/orders/{order_id}"), contract({"order_id": TEXT, "limit": NUMBER})),
    (operation("sync", function="handler"), contract({})),  # direct operations get no entry point of their own
])
def test_signatures_the_runtime_can_serve_have_no_findings(op: OperationSpec, document: dict[str, Any]) -> None:
    assert kinds_of(op, document) == []


@pytest.mark.parametrize(("op", "document", "expected"), [
    (operation("s3"), contract({"bucket": TEXT, "path": TEXT}), [(TRIGGER_SIGNATURE, ERROR)]),
    (operation("s3"), contract({"size": TEXT}), [(TRIGGER_SIGNATURE, ERROR)]),
    (operation("dynamodb"), contract({"record": {"type": "object"}}), [(TRIGGER_SIGNATURE, ERROR)]),
    (operation("schedule"), contract({"now": WHEN, "today": TEXT}), [(TRIGGER_SIGNATURE, ERROR)]),
    (operation("schedule"), contract({"day": {"type": "string", "format": "date"}}), [(TRIGGER_SIGNATURE, ERROR)]),
    (operation("http", method="GET", path="/o/{id}"), contract({"order_id": TEXT}), [(TRIGGER_SIGNATURE, ERROR)]),
    (operation("http", method="GET", path="/o"), contract({"lines": {"type": "array"}}), [(TRIGGER_SIGNATURE, ERROR)]),
    (operation("http", method="PUT", path="/o/{id}"), contract({"id": TEXT}), [(HTTP_PATH_PARAMETER, WARNING)]),
    (operation("sqs", function="service"), contract({}), [(TRIGGER_HANDLER_NAME, ERROR)]),
])
def test_signatures_the_runtime_cannot_serve_are_findings(op: OperationSpec, document: dict[str, Any],
                                                          expected: list[tuple[str, str]]) -> None:
    assert kinds_of(op, document) == expected


def test_the_example_extracts_without_trigger_findings(generated: Path) -> None:
    manifest = json.loads((generated / "manifest.json").read_text(encoding="utf-8"))
    for service in ("intake", "reporting"):
        for path in sorted((generated / service / "contracts").glob("ingest.*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            op = operation(document["invocation"]["kind"], path.stem.rsplit(".", 1)[-1],
                           **document["invocation"]["settings"])
            assert trigger_findings(op, document) == [], path.name
    assert manifest["accepted_hazards"] == []
