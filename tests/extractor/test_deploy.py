"""`mono2lambda deploy` against moto's standalone server on 127.0.0.1 (one per module).

No mocks: the deployer installs real wheels from PyPI (cached for the session), builds
the zip, translates with SAM's translator and drives CloudFormation through boto3; the
tests look at the result through boto3 as a user would. moto runs no Lambda code and
knows no SAM resources, so what it does not model (a function's DeadLetterConfig, the
EventInvokeConfig) is checked on the translated template instead.

moto's state is global to the process: the module's emulator starts empty (local_emulator
resets it when it is the process's only one), and within the module every test that
deploys a package of its own gives it unique function and stack names.
"""

from __future__ import annotations

import ast
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from analyzer.errors import InputError
from extractor.deploy.cloudformation import ChangeSet, StackEvent, describe_failure, first_failure, is_no_change
from extractor.deploy.dependencies import install_requirements, lambda_platform, pip_command, platform_tags
from extractor.deploy.deployment import DeployRequest, default_cache_dir, deploy_package
from extractor.deploy.emulator import local_emulator
from extractor.deploy.errors import AwsError, AwsSetupError, DeployError, DeployFailed, LimitError
from extractor.deploy.limits import MB, check_limits, function_problems, package_problems
from extractor.deploy.package import FIXED_TIME, Artifact, build_zip
from extractor.deploy.plan import (
    CreateBucket,
    CreateChangeSet,
    DeleteChangeSet,
    DeleteStack,
    RemoteState,
    Target,
    UploadCode,
    WaitForStack,
    plan_deploy,
    plan_from_dict,
    plan_to_dict,
)
from extractor.deploy.progress import ChangesFound, DeployResult, Notice, Progress
from extractor.deploy.translate import load_template
from extractor.deploy.watch import Polling
from extractor.sam import Function, Template, Trigger, render_samconfig, render_template
from mono2lambda.deploy_command import deploy_command

REPO = Path(__file__).parents[2]
SERVICES = ("notifications", "rates", "tax")
FAST = Polling(interval=0.01, timeout=30)
MISSING_QUEUE = "arn:aws:sqs:us-east-1:123456789012:no-such-queue"
pytestmark = pytest.mark.filterwarnings("ignore:.*not supported by moto:UserWarning")


@pytest.fixture(scope="session")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """XDG_CACHE_HOME for the session: wheels are installed once, by the API and the command alike."""
    return tmp_path_factory.mktemp("cache-home")


@pytest.fixture(scope="module")
def endpoint(cache_home: Path) -> Iterator[str]:
    """moto on a free port, with fake credentials that could never reach AWS."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("XDG_CACHE_HOME", str(cache_home))
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env.delenv("AWS_PROFILE", raising=False)
        with local_emulator() as url:
            yield url


@pytest.fixture(scope="module")
def cache_dir(endpoint: str) -> Path:
    return default_cache_dir()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the committed packages: a deploy must never write into the repository."""
    root = tmp_path_factory.mktemp("generated")
    for service in SERVICES:
        shutil.copytree(REPO / "generated" / service, root / service)
    return root


@pytest.fixture(scope="module")
def deployed(endpoint: str, cache_dir: Path, generated: Path) -> dict[str, DeployResult]:
    return {service: deploy(endpoint, cache_dir, generated / service) for service in SERVICES}


def deploy(endpoint: str, cache_dir: Path, package: Path, progress: list[Progress] | None = None,
           **options: Any) -> DeployResult:
    request = DeployRequest(package=package, endpoint_url=endpoint, cache_dir=cache_dir, polling=FAST, **options)
    return deploy_package(request, (progress if progress is not None else []).append)


def client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")


def function(logical_id: str, name: str, **fields: Any) -> Function:
    defaults: dict[str, Any] = {
        "handler": "handler.handler", "description": f"test function {name}", "memory": 256, "timeout": 30,
        "asynchronous": False, "triggers": (), "invokes": (), "environment": (),
    }
    return Function(logical_id, name, **{**defaults, **fields})


def write_package(root: Path, name: str, *functions: Function) -> Path:
    """A throwaway package as `mono2lambda extract` writes it: the template comes from extractor.sam."""
    template = Template(name, f"test: the {name} service", "python3.12", "x86_64", functions, f"test-{name}")
    (root / "src").mkdir(parents=True)
    (root / "src" / "handler.py").write_text(f'"""The {name} service."""\n\n\ndef handler(event, context):\n'
                                             "    return event\n", encoding="utf-8")
    (root / "template.yaml").write_text(render_template(template), encoding="utf-8")
    (root / "samconfig.toml").write_text(render_samconfig(template), encoding="utf-8")
    return root


def sam_function(package: Path, logical_id: str) -> dict[str, Any]:
    """A SAM function's properties with Globals applied: what the deployed function must have."""
    sam = load_template((package / "template.yaml").read_text(encoding="utf-8"))
    defaults = sam.get("Globals", {}).get("Function", {})
    properties = sam["Resources"][logical_id]["Properties"]
    variables = {**defaults.get("Environment", {}).get("Variables", {}),
                 **properties.get("Environment", {}).get("Variables", {})}
    return {**defaults, **properties, "Environment": {"Variables": variables}}


def translated(result: DeployResult) -> dict[str, Any]:
    step = next(step for step in result.plan.steps if isinstance(step, CreateChangeSet))
    return json.loads(step.template_body)  # type: ignore[no-any-return]


def stack_status(endpoint: str, stack: str) -> str | None:
    try:
        return str(client(endpoint, "cloudformation").describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"])
    except client(endpoint, "cloudformation").exceptions.ClientError:
        return None


def function_names(endpoint: str) -> set[str]:
    return {fn["FunctionName"] for fn in client(endpoint, "lambda").list_functions()["Functions"]}


def change_sets(endpoint: str, stack: str) -> list[dict[str, Any]]:
    """moto lists every change set of the region; keep the stack's."""
    summaries = client(endpoint, "cloudformation").list_change_sets(StackName=stack)["Summaries"]
    return [summary for summary in summaries if summary["StackName"] == stack]


# --- the committed example's services -------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_every_generated_service_deploys(endpoint: str, deployed: dict[str, DeployResult], generated: Path,
                                         service: str) -> None:
    result = deployed[service]
    assert result.outcome == "created"
    assert stack_status(endpoint, result.stack) == "CREATE_COMPLETE"
    template = translated(result)
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Lambda::Function":
            check_function(endpoint, result, generated / service, logical_id)


def check_function(endpoint: str, result: DeployResult, package: Path, logical_id: str) -> None:
    expected = sam_function(package, logical_id)
    config = client(endpoint, "lambda").get_function(FunctionName=expected["FunctionName"])["Configuration"]
    assert (config["Runtime"], config["Handler"]) == (expected["Runtime"], expected["Handler"])
    assert (config["MemorySize"], config["Timeout"]) == (expected["MemorySize"], expected["Timeout"])
    assert config["Environment"]["Variables"] == expected["Environment"]["Variables"]
    assert config["Architectures"] == expected["Architectures"]
    role = physical_id(endpoint, result.stack, f"{logical_id}Role")
    assert config["Role"] == client(endpoint, "iam").get_role(RoleName=role)["Role"]["Arn"]
    trust = client(endpoint, "iam").get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"]["Service"] == ["lambda.amazonaws.com"]
    code = translated(result)["Resources"][logical_id]["Properties"]["Code"]
    assert f"s3://{code['S3Bucket']}/{code['S3Key']}" == result.plan.code_uri


def physical_id(endpoint: str, stack: str, logical_id: str) -> str:
    resources = client(endpoint, "cloudformation").list_stack_resources(StackName=stack)["StackResourceSummaries"]
    return next(str(r["PhysicalResourceId"]) for r in resources if r["LogicalResourceId"] == logical_id)


def test_an_asynchronous_service_gets_its_dead_letter_queue(endpoint: str, deployed: dict[str, DeployResult]) -> None:
    result = deployed["notifications"]
    queue_url = client(endpoint, "sqs").get_queue_url(QueueName="shop-notifications-dlq")["QueueUrl"]
    assert queue_url.endswith("/shop-notifications-dlq")
    assert physical_id(endpoint, result.stack, "NotificationsFunctionDeadLetterQueue").endswith(
        "/shop-notifications-dlq")
    # moto ignores DeadLetterConfig and EventInvokeConfig; the template CloudFormation got has both
    resources = translated(result)["Resources"]
    target = resources["NotificationsFunction"]["Properties"]["DeadLetterConfig"]["TargetArn"]
    assert target == {"Fn::GetAtt": ["NotificationsFunctionDeadLetterQueue", "Arn"]}
    assert resources["NotificationsFunctionEventInvokeConfig"]["Properties"]["MaximumRetryAttempts"] == 2


def test_an_unchanged_package_changes_nothing(endpoint: str, cache_dir: Path, deployed: dict[str, DeployResult],
                                              generated: Path) -> None:
    stack = deployed["rates"].stack
    cloudformation = client(endpoint, "cloudformation")
    events = len(cloudformation.describe_stack_events(StackName=stack)["StackEvents"])
    executed = [cs for cs in change_sets(endpoint, stack) if cs["ExecutionStatus"] == "EXECUTE_COMPLETE"]
    code = client(endpoint, "lambda").get_function(FunctionName="shop-rates")["Configuration"]["CodeSha256"]
    result = deploy(endpoint, cache_dir, generated / "rates")
    assert result.outcome == "no changes"
    assert result.plan.code_sha256 == deployed["rates"].plan.code_sha256  # same code, same zip
    assert not any(isinstance(step, UploadCode) for step in result.plan.steps)  # the bucket has it already
    assert len(cloudformation.describe_stack_events(StackName=stack)["StackEvents"]) == events
    assert change_sets(endpoint, stack) == executed  # the empty change set was deleted, none executed
    assert client(endpoint, "lambda").get_function(FunctionName="shop-rates")["Configuration"]["CodeSha256"] == code


def test_the_command_says_no_changes(endpoint: str, deployed: dict[str, DeployResult], generated: Path) -> None:
    outcome = CliRunner().invoke(deploy_command, [str(generated / "tax"), "--endpoint-url", endpoint])
    assert outcome.exit_code == 0, outcome.output
    assert "No changes: stack shop-tax" in outcome.output


# --- triggers, updates, failures and dry runs, on packages of the tests' own ---------------------------


def test_sqs_and_schedule_triggers_deploy(endpoint: str, cache_dir: Path, tmp_path: Path) -> None:
    worker = function("WorkerFunction", "trig-worker", environment=(("MODE", "batch"),),
                      triggers=(Trigger("sqs", (("batch_size", 5), ("queue", "trig-orders"))),))
    nightly = function("NightlyFunction", "trig-nightly", asynchronous=True, memory=1024, timeout=900,
                       triggers=(Trigger("schedule", (("expression", "rate(1 day)"),)),))
    package = write_package(tmp_path / "triggers", "triggers", worker, nightly)
    result = deploy(endpoint, cache_dir, package)
    assert stack_status(endpoint, "test-triggers") == "CREATE_COMPLETE"
    for logical_id in ("WorkerFunction", "NightlyFunction"):
        check_function(endpoint, result, package, logical_id)
    lambda_ = client(endpoint, "lambda")
    [mapping] = lambda_.list_event_source_mappings(FunctionName="trig-worker")["EventSourceMappings"]
    queue_url = client(endpoint, "sqs").get_queue_url(QueueName="trig-orders")["QueueUrl"]
    queue_arn = client(endpoint, "sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    assert mapping["EventSourceArn"] == queue_arn["Attributes"]["QueueArn"]
    assert (mapping["BatchSize"], mapping["FunctionResponseTypes"]) == (5, ["ReportBatchItemFailures"])
    rule = physical_id(endpoint, "test-triggers", "NightlyFunctionSchedule")
    events = client(endpoint, "events")
    assert events.describe_rule(Name=rule)["ScheduleExpression"] == "rate(1 day)"
    [target] = events.list_targets_by_rule(Rule=rule)["Targets"]
    assert target["Arn"] == lambda_.get_function(FunctionName="trig-nightly")["Configuration"]["FunctionArn"]
    assert client(endpoint, "sqs").get_queue_url(QueueName="trig-nightly-dlq")["QueueUrl"]


def test_changed_code_updates_the_function(endpoint: str, cache_dir: Path, tmp_path: Path) -> None:
    package = write_package(tmp_path / "update", "update", function("UpdateFunction", "upd-fn"))
    first = deploy(endpoint, cache_dir, package)
    before = client(endpoint, "lambda").get_function(FunctionName="upd-fn")["Configuration"]["CodeSha256"]
    handler = package / "src" / "handler.py"
    handler.write_text(handler.read_text().replace("return event", "return {'echo': event}"))
    progress: list[Progress] = []
    second = deploy(endpoint, cache_dir, package, progress)
    assert (first.outcome, second.outcome) == ("created", "updated")
    assert second.plan.code_sha256 != first.plan.code_sha256
    assert [(c.action, c.logical_id) for c in second.changes] == [("Modify", "UpdateFunction")]
    after = client(endpoint, "lambda").get_function(FunctionName="upd-fn")["Configuration"]["CodeSha256"]
    assert after != before
    assert any(isinstance(item, StackEvent) and item.status == "UPDATE_COMPLETE" for item in progress)


def test_a_failed_first_deploy_leaves_nothing_behind(endpoint: str, cache_dir: Path, tmp_path: Path) -> None:
    broken = function("BrokenFunction", "broken-fn", asynchronous=True,
                      triggers=(Trigger("sqs", (("queue", MISSING_QUEUE),)),))
    package = write_package(tmp_path / "broken", "broken", broken)
    outcome = CliRunner().invoke(deploy_command, [str(package), "--endpoint-url", endpoint])
    assert outcome.exit_code == 1
    [line] = [line for line in outcome.output.splitlines() if line.startswith("error:")]
    assert "creating stack test-broken failed" in line and "Invalid EventSourceArn" in line
    assert "nothing is left behind" in line
    assert stack_status(endpoint, "test-broken") is None
    assert "broken-fn" not in function_names(endpoint)
    assert not [role for role in client(endpoint, "iam").list_roles()["Roles"] if "test-broken" in role["RoleName"]]
    assert "broken-fn-dlq" not in str(client(endpoint, "sqs").list_queues().get("QueueUrls", []))


def test_a_failed_update_is_reported_and_keeps_the_function(endpoint: str, cache_dir: Path, tmp_path: Path) -> None:
    package = write_package(tmp_path / "fragile", "fragile", function("FragileFunction", "fragile-fn"))
    deploy(endpoint, cache_dir, package)
    broken = function("FragileFunction", "fragile-fn", triggers=(Trigger("sqs", (("queue", MISSING_QUEUE),)),))
    template = Template("fragile", "test: the fragile service", "python3.12", "x86_64", (broken,), "test-fragile")
    (package / "template.yaml").write_text(render_template(template), encoding="utf-8")
    with pytest.raises(DeployFailed) as failed:
        deploy(endpoint, cache_dir, package)
    message = str(failed.value)
    assert "updating stack test-fragile failed" in message and "Invalid EventSourceArn" in message
    assert "\n" not in message
    assert "fragile-fn" in function_names(endpoint)
    assert all(cs["ExecutionStatus"] != "AVAILABLE" for cs in change_sets(endpoint, "test-fragile"))


def test_a_dry_run_of_a_first_deploy_creates_nothing(endpoint: str, cache_dir: Path, tmp_path: Path) -> None:
    package = write_package(tmp_path / "preview", "preview", function("PreviewFunction", "preview-fn"))
    progress: list[Progress] = []
    result = deploy(endpoint, cache_dir, package, progress, dry_run=True)
    assert result.outcome == "dry run"
    assert ("Add", "PreviewFunction") in [(c.action, c.logical_id) for c in result.changes]
    assert any(isinstance(item, ChangesFound) for item in progress)
    assert stack_status(endpoint, "test-preview") is None  # nor the REVIEW_IN_PROGRESS one
    assert "preview-fn" not in function_names(endpoint)
    key = result.plan.code_uri.rsplit("/", 1)[1]
    listed = client(endpoint, "s3").list_objects_v2(Bucket=result.plan.code_uri.split("/")[2])
    assert key not in [item["Key"] for item in listed.get("Contents", [])]


def test_a_dry_run_of_an_update_changes_nothing(endpoint: str, cache_dir: Path, tmp_path: Path) -> None:
    package = write_package(tmp_path / "steady", "steady", function("SteadyFunction", "steady-fn"))
    deploy(endpoint, cache_dir, package)
    before = client(endpoint, "lambda").get_function(FunctionName="steady-fn")["Configuration"]
    (package / "src" / "handler.py").write_text("def handler(event, context):\n    return None\n")
    outcome = CliRunner().invoke(deploy_command, [str(package), "--endpoint-url", endpoint, "--dry-run"])
    assert outcome.exit_code == 0, outcome.output
    assert "Change set" in outcome.output and "Modify" in outcome.output and "SteadyFunction" in outcome.output
    assert "would upload the code package" in outcome.output and "Dry run: stack test-steady" in outcome.output
    after = client(endpoint, "lambda").get_function(FunctionName="steady-fn")["Configuration"]
    assert after["CodeSha256"] == before["CodeSha256"]
    assert stack_status(endpoint, "test-steady") == "CREATE_COMPLETE"
    assert all(cs["ExecutionStatus"] != "AVAILABLE" for cs in change_sets(endpoint, "test-steady"))


def test_a_leftover_empty_stack_is_replaced(endpoint: str, cache_dir: Path, tmp_path: Path) -> None:
    """An interrupted first deploy leaves a REVIEW_IN_PROGRESS stack; the next deploy starts afresh."""
    package = write_package(tmp_path / "retry", "retry", function("RetryFunction", "retry-fn"))
    client(endpoint, "cloudformation").create_change_set(
        StackName="test-retry", ChangeSetName="interrupted", ChangeSetType="CREATE",
        TemplateBody=json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}))
    preview = deploy(endpoint, cache_dir, package, dry_run=True)
    assert [type(step).__name__ for step in preview.plan.steps][:2] == ["DeleteStack", "WaitForStack"]
    assert stack_status(endpoint, "test-retry") == "REVIEW_IN_PROGRESS"  # a dry run leaves it be
    assert deploy(endpoint, cache_dir, package).outcome == "created"
    assert stack_status(endpoint, "test-retry") == "CREATE_COMPLETE"
    assert "retry-fn" in function_names(endpoint)


def test_limits_are_enforced_before_anything_is_uploaded(endpoint: str, cache_dir: Path, tmp_path: Path) -> None:
    package = write_package(tmp_path / "tiny", "tiny", function("TinyFunction", "tiny-fn", memory=64, timeout=901))
    with pytest.raises(LimitError) as refused:
        deploy(endpoint, cache_dir, package)
    assert "TinyFunction: MemorySize 64 MB is outside Lambda's 128..10240 MB" in str(refused.value)
    assert "TinyFunction: Timeout 901 s is outside Lambda's 1..900 s" in str(refused.value)
    assert stack_status(endpoint, "test-tiny") is None


def test_aws_errors_are_one_line_with_the_resource(endpoint: str, cache_dir: Path, tmp_path: Path) -> None:
    package = write_package(tmp_path / "named", "named", function("NamedFunction", "named-fn"))
    with pytest.raises(DeployError, match="S3 bucket not-there-bucket does not exist"):
        deploy(endpoint, cache_dir, package, bucket="not-there-bucket")
    with pytest.raises(AwsError) as refused:
        deploy(endpoint, cache_dir, package, bucket="ab", create_bucket=True)  # names have 3 to 63 characters
    assert str(refused.value).startswith("CreateBucket on S3 bucket ab failed: InvalidBucketName")
    with pytest.raises(AwsSetupError, match="cannot reach"):
        deploy("http://127.0.0.1:9", cache_dir, package)


def test_without_credentials_it_deploys_to_an_emulator_of_its_own(endpoint: str, cache_dir: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    package = write_package(tmp_path / "offline", "offline", function("OfflineFunction", "offline-fn"))
    progress: list[Progress] = []
    result = deploy_package(DeployRequest(package=package, cache_dir=cache_dir, polling=FAST), progress.append)
    assert result.outcome == "created" and result.plan.endpoint.startswith("http://127.0.0.1:")
    assert any(isinstance(item, Notice) and "no AWS credentials found" in item.text for item in progress)


# --- the code package ---------------------------------------------------------------------------------


def test_the_zip_is_reproducible(tmp_path: Path) -> None:
    for copy in ("a", "b"):
        shutil.copytree(REPO / "generated" / "tax" / "src", tmp_path / copy)
    (tmp_path / "b" / "handler.py").touch()  # a newer time stamp must not matter
    (tmp_path / "b" / "__pycache__").mkdir()
    (tmp_path / "b" / "__pycache__" / "handler.cpython-312.pyc").write_bytes(b"byte code")
    (tmp_path / "b" / "stale.pyc").write_bytes(b"byte code")
    first = build_zip([tmp_path / "a"], tmp_path / "out-a")
    second = build_zip([tmp_path / "b"], tmp_path / "out-b")
    assert Path(first.path).read_bytes() == Path(second.path).read_bytes()
    assert first.sha256 == second.sha256 and Path(first.path).name == first.key
    with zipfile.ZipFile(first.path) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names) and "handler.py" in names and not [n for n in names if "pycache" in n]
    assert {info.date_time for info in infos} == {FIXED_TIME}
    assert {info.external_attr >> 16 for info in infos if not info.is_dir()} == {0o100644}
    assert {info.external_attr >> 16 for info in infos if info.is_dir()} == {0o40755}


def test_requirements_are_installed_for_lambda_and_cached(cache_dir: Path, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# what the service imports\npydantic==2.13.5\nboto3==1.40.0\n", encoding="utf-8")
    platform = lambda_platform([("python3.12", "x86_64")])
    installed = install_requirements(requirements, platform, cache_dir)
    assert installed is not None
    names = {path.name for path in installed.iterdir()}
    assert "pydantic" in names and not names & {"boto3", "botocore", "bin"}
    [binary] = installed.glob("pydantic_core/*.so")  # built for Lambda's Linux and Python, not this machine's
    assert binary.name.startswith("_pydantic_core.cpython-312") and binary.name.endswith("x86_64-linux-gnu.so")
    assert install_requirements(requirements, platform, cache_dir) == installed  # from the cache
    requirements.write_text("boto3\n", encoding="utf-8")
    assert install_requirements(requirements, platform, cache_dir) is None


def test_a_package_needs_one_python_runtime() -> None:
    assert lambda_platform([("python3.12", "arm64")]).tags == tuple(platform_tags("python3.12", "arm64"))
    with pytest.raises(InputError, match="one Python runtime"):
        lambda_platform([("python3.12", "x86_64"), ("python3.11", "x86_64")])
    with pytest.raises(InputError, match="one Python runtime"):
        lambda_platform([("nodejs20.x", "x86_64")])


@pytest.mark.parametrize(("runtime", "architecture", "newest", "count"), [
    ("python3.13", "x86_64", "manylinux_2_34_x86_64", 19),  # Amazon Linux 2023: glibc 2.34 down to 2.17, + 2014
    ("python3.12", "x86_64", "manylinux_2_34_x86_64", 19),
    ("python3.12", "arm64", "manylinux_2_34_aarch64", 19),
    ("python3.11", "x86_64", "manylinux_2_26_x86_64", 11),  # Amazon Linux 2: glibc 2.26
    ("python3.10", "arm64", "manylinux_2_26_aarch64", 11),
])
def test_platform_tags_are_every_manylinux_the_runtimes_glibc_runs(runtime: str, architecture: str, newest: str,
                                                                   count: int) -> None:
    tags = platform_tags(runtime, architecture)
    machine = {"x86_64": "x86_64", "arm64": "aarch64"}[architecture]
    assert tags[0] == newest and len(tags) == count == len(set(tags))
    assert tags[-2:] == [f"manylinux_2_17_{machine}", f"manylinux2014_{machine}"]
    assert all(tag.endswith(machine) for tag in tags)
    if newest.startswith("manylinux_2_34"):  # a dependency with only manylinux_2_28 wheels deploys to python3.12
        assert f"manylinux_2_28_{machine}" in tags


def test_platform_tags_refuse_what_lambda_does_not_run() -> None:
    with pytest.raises(InputError, match="unknown architecture"):
        platform_tags("python3.12", "ppc64le")
    with pytest.raises(InputError, match="not a Python runtime"):
        platform_tags("python3.7", "x86_64")
    with pytest.raises(InputError, match="not a Python runtime"):
        platform_tags("python2.7", "x86_64")


def test_pip_is_asked_for_every_tag_of_the_platform(tmp_path: Path) -> None:
    platform = lambda_platform([("python3.12", "arm64")])
    command = pip_command(tmp_path / "requirements.txt", tmp_path / "site", platform)
    given = [command[i + 1] for i, arg in enumerate(command) if arg == "--platform"]
    assert given == platform_tags("python3.12", "arm64")
    assert "manylinux_2_28_aarch64" in given and "--only-binary=:all:" in command
    assert command[command.index("--python-version") + 1] == "3.12"
    assert command[command.index("--implementation") + 1] == "cp"


# --- pure parts: limits, the plan, CloudFormation's statuses ---------------------------------------------


def test_lambda_limits() -> None:
    assert package_problems(50 * MB, 250 * MB) == []
    assert package_problems(50 * MB + 1, 250 * MB + 1) == [
        "the code package is 50.0 MB zipped, over Lambda's 50.0 MB for a direct upload",
        "the code package is 250.0 MB unzipped, over Lambda's 250.0 MB"]
    assert function_problems("F", {"MemorySize": 128, "Timeout": 900}) == []
    assert function_problems("F", {}) == []  # Lambda's defaults: 128 MB, 3 s
    assert function_problems("F", {"MemorySize": 10_241, "Timeout": 0}) == [
        "F: MemorySize 10241 MB is outside Lambda's 128..10240 MB", "F: Timeout 0 s is outside Lambda's 1..900 s"]
    assert function_problems("F", {"MemorySize": {"Ref": "Memory"}}) == []  # CloudFormation's to resolve


def test_check_limits_names_every_problem_and_the_fix() -> None:
    template = {"Resources": {"F": {"Type": "AWS::Lambda::Function", "Properties": {"MemorySize": 64}}}}
    with pytest.raises(LimitError) as refused:
        check_limits(60 * MB, 10 * MB, template, "x" * 60_000)
    message = str(refused.value)
    assert "60.0 MB zipped" in message and "60000 bytes" in message and "MemorySize 64" in message
    assert refused.value.hint and "requirements.txt" in refused.value.hint and "boundaries.yaml" in refused.value.hint
    assert refused.value.exit_code == 2


ARTIFACT = Artifact(path="build/abc.zip", sha256="abc", size=1000, unzipped_size=3000)
TEMPLATE = {"Resources": {"F": {"Type": "AWS::Lambda::Function", "Properties": {"MemorySize": 256}}}}
TARGET = Target(stack="shop-tax", region="eu-west-1", bucket="artifacts", create_bucket=True, endpoint="AWS")


def plan(remote: RemoteState, target: Target = TARGET) -> Any:
    return plan_deploy(target, ARTIFACT, TEMPLATE, remote, "mono2lambda-1")


def test_a_first_deploy_plan() -> None:
    first = plan(RemoteState(bucket_exists=False, code_exists=False, stack_status=None))
    assert [type(step).__name__ for step in first.steps] == [
        "CreateBucket", "UploadCode", "CreateChangeSet", "ExecuteChangeSet", "WaitForStack", "ReadOutputs"]
    assert first.steps[0] == CreateBucket("artifacts", "eu-west-1")
    assert first.change_set_type == "CREATE" and first.code_uri == "s3://artifacts/shop-tax/abc.zip"
    assert first.steps[1] == UploadCode("artifacts", "shop-tax/abc.zip", "build/abc.zip", 1000)
    assert first.discard == (DeleteStack("shop-tax"), WaitForStack("shop-tax", "DELETE"))


def test_an_update_plan_skips_what_is_there() -> None:
    update = plan(RemoteState(bucket_exists=True, code_exists=True, stack_status="UPDATE_ROLLBACK_COMPLETE"))
    assert [type(step).__name__ for step in update.steps] == [
        "CreateChangeSet", "ExecuteChangeSet", "WaitForStack", "ReadOutputs"]
    assert update.change_set_type == "UPDATE"
    assert update.discard == (DeleteChangeSet("shop-tax", "mono2lambda-1"),)


def test_a_leftover_empty_stack_is_deleted_first() -> None:
    leftover = plan(RemoteState(bucket_exists=True, code_exists=True, stack_status="ROLLBACK_COMPLETE"))
    assert leftover.steps[:2] == (DeleteStack("shop-tax"), WaitForStack("shop-tax", "DELETE"))
    assert leftover.change_set_type == "CREATE"


def test_plans_that_cannot_be_made() -> None:
    with pytest.raises(DeployError, match="busy"):
        plan(RemoteState(bucket_exists=True, code_exists=True, stack_status="UPDATE_IN_PROGRESS"))
    with pytest.raises(DeployError, match="continue the rollback"):
        plan(RemoteState(bucket_exists=True, code_exists=True, stack_status="UPDATE_ROLLBACK_FAILED"))
    fixed_bucket = Target("shop-tax", "eu-west-1", "theirs", create_bucket=False, endpoint="AWS")
    with pytest.raises(DeployError, match="--create-bucket"):
        plan(RemoteState(bucket_exists=False, code_exists=False, stack_status=None), fixed_bucket)


def test_the_plan_round_trips_through_json() -> None:
    original = plan(RemoteState(bucket_exists=False, code_exists=False, stack_status="REVIEW_IN_PROGRESS"))
    data = json.loads(json.dumps(plan_to_dict(original)))
    assert data["version"] == 1 and data["steps"][0] == {"kind": "delete_stack", "stack": "shop-tax"}
    assert plan_from_dict(data) == original
    with pytest.raises(DeployError, match="version"):
        plan_from_dict({**data, "version": 99})


def test_no_change_is_recognised_from_aws_and_moto() -> None:
    def failed(reason: str) -> ChangeSet:
        return ChangeSet("cs", "stack", "FAILED", "UNAVAILABLE", reason, ())

    assert is_no_change(failed("The submitted information didn't contain changes. Submit different information "
                               "to create a change set."))
    assert is_no_change(failed("No updates are to be performed."))
    assert not is_no_change(failed("Template format error: Unresolved resource dependencies [Nope]"))


def test_the_failure_reported_is_the_first_real_one() -> None:
    def event(at: str, logical_id: str, status: str, reason: str = "") -> StackEvent:
        return StackEvent(at, f"2026-01-01T00:00:{at}", logical_id, "AWS::Lambda::Function", status, reason)

    events = [event("03", "Stack", "ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [Fn]"),
              event("02", "Other", "CREATE_FAILED", "Resource creation cancelled"),
              event("01", "Fn", "CREATE_FAILED", "Role is not valid")]
    assert first_failure(events) == events[2]
    assert describe_failure(None, events) == "Fn (AWS::Lambda::Function) CREATE_FAILED: Role is not valid"


def test_only_the_adapter_imports_boto3() -> None:
    """The convention: one AWS adapter module, for the deployer, invoke and the command line."""
    importers = set()
    runtime = REPO / "extractor" / "runtime"  # the generated packages' own code: it never imports mono2lambda
    sources = [p for p in (REPO / "extractor").rglob("*.py") if not p.is_relative_to(runtime)]
    for path in [*sources, *(REPO / "mono2lambda").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(name.split(".")[0] in ("boto3", "botocore") for name in names):
                importers.add(path.relative_to(REPO).as_posix())
    assert importers == {"extractor/aws.py"}
