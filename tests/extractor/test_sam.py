"""The SAM template and samconfig.toml, checked by the real validators: cfn-lint and SAM's own translator.

The translator runs offline: every managed policy our templates need is in the map
bundled with samtranslator, so the IAM lookup it falls back to must never happen.
"""

from __future__ import annotations

import dataclasses
import graphlib
import random
import re
from pathlib import Path
from typing import Any

import pytest

from analyzer.errors import InputError
from extractor.sam import Function, Template, Trigger, render_samconfig, render_template, trigger_order

from .validators import lint_problems, load_yaml, translate

REPO = Path(__file__).parents[2]
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:legacy-orders"


def trigger(kind: str, **settings: object) -> Trigger:
    return Trigger(kind, tuple(sorted(settings.items())))


def function(logical_id: str, name: str, **fields: Any) -> Function:
    defaults: dict[str, Any] = {
        "handler": "handler.handler", "description": f"The {name} service", "memory": 256, "timeout": 30,
        "asynchronous": False, "triggers": (), "invokes": (), "environment": (),
    }
    return Function(logical_id, name, **{**defaults, **fields})


def template(service: str, *functions: Function) -> Template:
    return Template(service, f"shop: the {service} service", "python3.12", "arm64", functions, f"shop-{service}")


ALL_TRIGGERS = (
    trigger("schedule", expression="cron(0 3 * * ? *)"),
    trigger("sqs", queue="order-events", batch_size=10),
    trigger("sqs", queue=QUEUE_ARN),
    trigger("sns", topic="price-changes"),
    trigger("eventbridge", pattern={"source": ["shop.orders"], "detail-type": ["OrderPlaced"]}, bus="shop"),
    trigger("s3", bucket="shop-invoice-uploads", prefix="incoming/"),
    trigger("dynamodb", table="carts", batch_size=100),
    trigger("kinesis", stream="clicks"),
    trigger("http", method="GET", path="/reports/{day}"),
)

VIEWS = {
    "invoker": template("checkout", function(
        "CheckoutFunction", "shop-checkout", invokes=("shop-tax", "shop-pricing"),
        environment=(("DATABASE_URL", "postgresql://db/shop"), ("FEATURE", "on")))),
    "async": template("mail", function(
        "MailFunction", "shop-mail", asynchronous=True, timeout=120, handler="handler.send_receipt")),
    "triggers": template("reports", *(
        function(f"Reports{index}Function", f"shop-reports-{index}", handler=f"handler.on_{t.kind}", triggers=(t,))
        for index, t in enumerate(ALL_TRIGGERS))),
}


@pytest.fixture(scope="module", params=sorted(VIEWS))
def rendered(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param, render_template(VIEWS[request.param])


@pytest.fixture(scope="module")
def translated() -> dict[str, dict[str, Any]]:
    return {name: translate(render_template(view)) for name, view in VIEWS.items()}


def resources_of(cfn: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in cfn["Resources"].items() if value["Type"] == type_}


def references(value: Any) -> set[str]:
    """Logical ids a resource's properties point at (Ref, Fn::GetAtt, ${...} in Fn::Sub)."""
    if isinstance(value, list):
        return set().union(*map(references, value))
    if not isinstance(value, dict):
        return set(re.findall(r"\$\{([A-Za-z0-9]+)[.}]", value)) if isinstance(value, str) else set()
    found = set().union(*map(references, value.values()))
    if "Ref" in value:
        found.add(value["Ref"])
    if "Fn::GetAtt" in value:
        found.add(value["Fn::GetAtt"][0])
    return found


def test_cfn_lint_finds_nothing(rendered: tuple[str, str]) -> None:
    name, text = rendered
    problems = lint_problems(text)
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_the_template_is_plain_yaml_with_the_required_frame(rendered: tuple[str, str]) -> None:
    name, text = rendered
    data = load_yaml(text)
    assert "!" not in text, "short-form intrinsic tags need a CloudFormation-aware loader"
    assert data["AWSTemplateFormatVersion"] == "2010-09-09"
    assert data["Transform"] == "AWS::Serverless-2016-10-31"
    globals_ = data["Globals"]["Function"]
    assert globals_["Runtime"] == "python3.12" and globals_["Architectures"] == ["arm64"]
    assert globals_["Environment"]["Variables"] == {"POWERTOOLS_SERVICE_NAME": VIEWS[name].service,
                                                    "POWERTOOLS_LOG_LEVEL": "INFO"}
    for fn in VIEWS[name].functions:
        properties = data["Resources"][fn.logical_id]["Properties"]
        assert properties["CodeUri"] == "src/" and properties["Handler"] == fn.handler
        assert {f"{fn.logical_id}Arn", f"{fn.logical_id}Name"} <= set(data["Outputs"])


def test_rendering_is_deterministic(rendered: tuple[str, str]) -> None:
    name, text = rendered
    assert render_template(VIEWS[name]) == text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_the_translated_stacks_have_no_dependency_cycle(translated: dict[str, dict[str, Any]]) -> None:
    """CloudFormation refuses a cycle at deploy time and cfn-lint does not see it: an S3-triggered
    function's read policy must name its bucket literally, not `Ref` it."""
    for cfn in translated.values():
        resources = cfn["Resources"]
        graph = {key: (references(value.get("Properties", {})) | set(value.get("DependsOn", ()))) & set(resources)
                 for key, value in resources.items()}
        graphlib.TopologicalSorter(graph).prepare()  # raises CycleError


def test_invokes_only_the_listed_functions(translated: dict[str, dict[str, Any]]) -> None:
    cfn = translated["invoker"]
    (role,) = resources_of(cfn, "AWS::IAM::Role").values()
    statements = [s for policy in role["Properties"].get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]
    assert all(s["Action"] == ["lambda:InvokeFunction"] for s in statements)
    arns = {r["Fn::Sub"] for s in statements for r in s["Resource"]}
    assert {arn.rsplit(":", 1)[-1] for arn in arns} == {"shop-tax", "shop-pricing"}  # exact names, no wildcard
    variables = cfn["Resources"]["CheckoutFunction"]["Properties"]["Environment"]["Variables"]
    assert variables == {"DATABASE_URL": "postgresql://db/shop", "FEATURE": "on",
                         "POWERTOOLS_SERVICE_NAME": "checkout", "POWERTOOLS_LOG_LEVEL": "INFO"}


def test_an_asynchronous_function_gets_a_dead_letter_queue_and_retry_limits(translated: dict[str, Any]) -> None:
    cfn = translated["async"]
    (config,) = resources_of(cfn, "AWS::Lambda::EventInvokeConfig").values()
    assert config["Properties"]["MaximumRetryAttempts"] == 2
    assert config["Properties"]["MaximumEventAgeInSeconds"] == 3600
    dead_letter = cfn["Resources"]["MailFunction"]["Properties"]["DeadLetterConfig"]
    assert dead_letter == {"TargetArn": {"Fn::GetAtt": ["MailFunctionDeadLetterQueue", "Arn"]}}
    queue = cfn["Resources"]["MailFunctionDeadLetterQueue"]
    assert queue["Type"] == "AWS::SQS::Queue" and queue["Properties"]["QueueName"] == "shop-mail-dlq"
    assert {"MailFunctionDeadLetterQueueUrl", "MailFunctionDeadLetterQueueArn"} <= set(cfn["Outputs"])


def test_every_trigger_kind_becomes_its_event_source(translated: dict[str, Any]) -> None:
    cfn = translated["triggers"]
    mappings = resources_of(cfn, "AWS::Lambda::EventSourceMapping").values()
    assert len(mappings) == 4  # sqs by name, sqs by ARN, dynamodb, kinesis
    assert all(m["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for m in mappings)
    sources = {str(m["Properties"]["EventSourceArn"]) for m in mappings}
    assert QUEUE_ARN in sources
    rules = resources_of(cfn, "AWS::Events::Rule").values()
    assert {r["Properties"].get("ScheduleExpression") for r in rules} >= {"cron(0 3 * * ? *)"}
    assert any(r["Properties"].get("EventBusName") == "shop" for r in rules)
    assert len(resources_of(cfn, "AWS::SNS::Subscription")) == 1
    assert len(resources_of(cfn, "AWS::ApiGatewayV2::Api")) == 1


def test_created_sources_have_stable_names_and_outputs(translated: dict[str, Any]) -> None:
    cfn = translated["triggers"]
    created = {key: cfn["Resources"][key]["Type"] for key in
               ("OrderEventsQueue", "PriceChangesTopic", "ShopInvoiceUploadsBucket", "CartsTable", "ClicksStream")}
    assert created == {"OrderEventsQueue": "AWS::SQS::Queue", "PriceChangesTopic": "AWS::SNS::Topic",
                       "ShopInvoiceUploadsBucket": "AWS::S3::Bucket", "CartsTable": "AWS::DynamoDB::Table",
                       "ClicksStream": "AWS::Kinesis::Stream"}
    assert cfn["Resources"]["CartsTable"]["Properties"]["StreamSpecification"]
    assert {"OrderEventsQueueUrl", "PriceChangesTopicArn", "ShopInvoiceUploadsBucketName", "HttpApiUrl"} <= set(
        cfn["Outputs"])
    notification = cfn["Resources"]["ShopInvoiceUploadsBucket"]["Properties"]["NotificationConfiguration"]
    (config,) = notification["LambdaConfigurations"]
    assert config["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "incoming/"}]


def test_the_s3_triggered_function_may_read_its_bucket(translated: dict[str, Any]) -> None:
    cfn = translated["triggers"]
    role = cfn["Resources"]["Reports5FunctionRole"]["Properties"]
    statements = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    assert "s3:GetObject" in statements[0]["Action"]
    assert "shop-invoice-uploads" in str(statements)


def test_the_callers_sorted_order_decides_the_output() -> None:
    shuffled = list(ALL_TRIGGERS)
    random.Random(7).shuffle(shuffled)
    views = [template("mixed", function("MixedFunction", "shop-mixed", triggers=tuple(sorted(ts, key=trigger_order))))
             for ts in (ALL_TRIGGERS, shuffled)]
    assert render_template(views[0]) == render_template(views[1])


def test_names_that_camel_case_alike_get_distinct_ids() -> None:
    view = template("twins", function("TwinsFunction", "shop-twins", triggers=(
        trigger("sqs", queue="order-events"), trigger("sqs", queue="order_events"), trigger("sns", topic="twins"))))
    text = render_template(view)
    queues = [key for key, value in load_yaml(text)["Resources"].items() if value["Type"] == "AWS::SQS::Queue"]
    assert len(queues) == 2 and all(key.startswith("OrderEventsH") and key.endswith("Queue") for key in queues)
    assert not lint_problems(text)


def test_a_created_resource_never_takes_a_function_id() -> None:
    view = template("clash", function("OrdersQueue", "shop-clash", triggers=(trigger("sqs", queue="orders"),)))
    resources = load_yaml(render_template(view))["Resources"]
    (queue,) = (key for key, value in resources.items() if value["Type"] == "AWS::SQS::Queue")
    assert queue.startswith("OrdersH") and queue.endswith("Queue")
    assert resources["OrdersQueue"]["Type"] == "AWS::Serverless::Function"


def test_awkward_text_survives_the_quoting() -> None:
    awkward = 'He said: "yes" # not a comment\n\t{[*&!]} \u2028 \u0085 \x7f caf\u00e9 \U0001f600 on'
    view = template("quoting", function("QuotingFunction", "shop-quoting", description=awkward,
                                        environment=(("GREETING", awkward), ("NO", "no"))))
    data = load_yaml(render_template(view))
    properties = data["Resources"]["QuotingFunction"]["Properties"]
    assert properties["Description"] == awkward
    assert properties["Environment"]["Variables"] == {"GREETING": awkward, "NO": "no"}


def test_a_source_the_plan_does_not_name_is_named_after_the_function() -> None:
    view = template("unnamed", function("UnnamedFunction", "shop_Unnamed", triggers=(
        trigger("s3"), trigger("sqs", batch_size=5), trigger("sns"))))
    text = render_template(view)
    resources = load_yaml(text)["Resources"]
    assert resources["ShopUnnamedBucket"]["Properties"]["BucketName"] == "shop-unnamed"
    assert resources["ShopUnnamedQueue"]["Properties"]["QueueName"] == "shop_Unnamed"
    assert resources["ShopUnnamedTopic"]["Properties"]["TopicName"] == "shop_Unnamed"
    assert not lint_problems(text)


def test_a_large_sqs_batch_gets_the_batching_window_aws_requires() -> None:
    view = template("batch", function("BatchFunction", "shop-batch", triggers=(trigger("sqs", batch_size=500),)))
    properties = load_yaml(render_template(view))["Resources"]["BatchFunction"]["Properties"]["Events"]["Sqs"]
    assert properties["Properties"]["MaximumBatchingWindowInSeconds"] == 1


def test_samconfig_deploys_the_stack() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads(render_samconfig(VIEWS["invoker"]))
    assert config["version"] == 0.1
    assert config["default"]["global"]["parameters"] == {"stack_name": "shop-checkout"}
    assert config["default"]["deploy"]["parameters"] == {
        "stack_name": "shop-checkout", "capabilities": "CAPABILITY_IAM", "resolve_s3": True, "confirm_changeset": True,
    }  # no region of its own: `sam deploy` takes the profile's, or AWS_REGION
    placed = tomllib.loads(render_samconfig(dataclasses.replace(VIEWS["invoker"], region="eu-central-1")))
    assert placed["default"]["deploy"]["parameters"]["region"] == "eu-central-1"


def test_no_template_or_committed_package_names_a_region() -> None:
    """The region comes from the project's settings or AWS's own places, never from a template."""
    region = re.compile(r"\b(?:us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d\b")
    files = [*(REPO / "extractor" / "templates").glob("*.j2"), *(REPO / "generated").glob("*/samconfig.toml"),
             *(REPO / "generated").glob("*/template.yaml")]
    assert len(files) > 7
    assert [path.name for path in files if region.search(path.read_text(encoding="utf-8"))] == []


@pytest.mark.parametrize(("bad", "message"), [
    (trigger("carrier-pigeon", loft="roof"), "unknown trigger kind"),
    (trigger("dynamodb", table="arn:aws:dynamodb:us-east-1:123456789012:table/carts"), "not a stream ARN"),
    (trigger("s3", bucket="arn:aws:s3:::uploads"), "creates"),
    (trigger("eventbridge", bus="shop"), "no 'pattern' setting"),
])
def test_a_trigger_the_stack_cannot_wire_is_an_input_error(bad: Trigger, message: str) -> None:
    with pytest.raises(InputError, match=message):
        render_template(template("bad", function("BadFunction", "shop-bad", triggers=(bad,))))
