"""`mono2lambda destroy` against moto's standalone server on 127.0.0.1, as deploy is tested:
packages are deployed for real, destroyed through the command, and the account is looked
at through boto3 afterwards. Each test deploys packages of its own, with unique names."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from extractor.deploy.deployment import DeployRequest, deploy_package
from extractor.deploy.destroy import DestroyRequest, plan_destroy
from extractor.deploy.emulator import local_emulator
from extractor.deploy.errors import DeployError
from extractor.deploy.plan import DeleteObjects, DeleteStack, WaitForStack
from extractor.deploy.progress import DeployResult
from extractor.deploy.teardown import Found, plan_teardown, service_packages
from mono2lambda import destroy_command as command_module
from mono2lambda.cli import cli
from tests.extractor.test_deploy import FAST, client, function, function_names, stack_status, write_package

pytestmark = pytest.mark.filterwarnings("ignore:.*not supported by moto:UserWarning")
SHA = "ab" * 32


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-home")))
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        for name in ("AWS_PROFILE", "AWS_REGION"):
            env.delenv(name, raising=False)
        with local_emulator() as url:
            yield url


def deployed(endpoint: str, root: Path, name: str) -> tuple[Path, DeployResult]:
    package = write_package(root / name, name, function(f"{name.title()}Function", f"{name}-fn"))
    return package, deploy_package(DeployRequest(package=package, endpoint_url=endpoint, polling=FAST))


def destroy(endpoint: str, *arguments: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["destroy", *arguments, "--endpoint-url", endpoint], input=input)


def keys(endpoint: str, bucket: str, prefix: str) -> list[str]:
    listed = client(endpoint, "s3").list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for item in listed.get("Contents", [])]


def bucket_of(result: DeployResult) -> str:
    return result.plan.code_uri.split("/")[2]


def test_destroy_deletes_the_stack_its_resources_and_its_code(endpoint: str, tmp_path: Path) -> None:
    package, result = deployed(endpoint, tmp_path, "gone")
    (package / "src" / "handler.py").write_text("def handler(event, context):\n    return 2\n", encoding="utf-8")
    deploy_package(DeployRequest(package=package, endpoint_url=endpoint, polling=FAST))  # a second code package
    bucket = bucket_of(result)
    client(endpoint, "s3").put_object(Bucket=bucket, Key="test-gone/notes.txt", Body=b"a person's file")
    assert len(keys(endpoint, bucket, "test-gone/")) == 3
    outcome = destroy(endpoint, str(package), "--yes")
    assert outcome.exit_code == 0, outcome.output
    assert "AWS::Lambda::Function GoneFunction" in outcome.output  # what goes is listed first
    assert f"Destroyed stack test-gone in us-east-1 and deleted 2 code package(s) from s3://{bucket}/test-gone/" \
        in outcome.output
    assert "keeps 1 object(s)" in outcome.output
    assert stack_status(endpoint, "test-gone") is None
    assert "gone-fn" not in function_names(endpoint)
    assert not [role for role in client(endpoint, "iam").list_roles()["Roles"] if "test-gone" in role["RoleName"]]
    assert keys(endpoint, bucket, "test-gone/") == ["test-gone/notes.txt"]  # only what deploy wrote went
    client(endpoint, "s3").head_bucket(Bucket=bucket)  # the bucket stays: other stacks' code is in it


def test_a_dry_run_lists_and_deletes_nothing(endpoint: str, tmp_path: Path) -> None:
    package, result = deployed(endpoint, tmp_path, "listed")
    outcome = destroy(endpoint, str(package), "--dry-run")
    assert outcome.exit_code == 0, outcome.output
    assert "stack test-listed in us-east-1" in outcome.output and "CREATE_COMPLETE" in outcome.output
    assert "would delete stack test-listed" in outcome.output
    assert f"would delete 1 code package under s3://{bucket_of(result)}/test-listed/" in outcome.output
    assert "Dry run: nothing was deleted." in outcome.output
    assert stack_status(endpoint, "test-listed") == "CREATE_COMPLETE"
    assert len(keys(endpoint, bucket_of(result), "test-listed/")) == 1


def test_without_a_terminal_it_needs_yes(endpoint: str, tmp_path: Path) -> None:
    package, _ = deployed(endpoint, tmp_path, "kept")
    outcome = destroy(endpoint, str(package))
    assert outcome.exit_code == 2
    assert "no terminal to ask for confirmation" in outcome.output and "--yes" in outcome.output
    assert stack_status(endpoint, "test-kept") == "CREATE_COMPLETE"


def test_the_prompt_deletes_only_on_yes(endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command_module, "_interactive", lambda: True)
    package, _ = deployed(endpoint, tmp_path, "asked")
    declined = destroy(endpoint, str(package), input="n\n")
    assert declined.exit_code == 1
    assert "Delete 1 stack(s) and 1 code package(s)? [y/N]" in declined.output
    assert "Nothing was deleted." in declined.output
    assert stack_status(endpoint, "test-asked") == "CREATE_COMPLETE"
    accepted = destroy(endpoint, str(package), input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert stack_status(endpoint, "test-asked") is None


def test_a_missing_stack_is_nothing_to_destroy(endpoint: str, tmp_path: Path) -> None:
    package = write_package(tmp_path / "never", "never", function("NeverFunction", "never-fn"))
    outcome = destroy(endpoint, str(package), "--yes")
    assert outcome.exit_code == 0, outcome.output
    assert "stack test-never in us-east-1" in outcome.output and "does not exist" in outcome.output
    assert "Nothing to destroy." in outcome.output


def test_code_left_by_a_stack_that_is_gone_is_deleted(endpoint: str, tmp_path: Path) -> None:
    package, result = deployed(endpoint, tmp_path, "orphan")
    client(endpoint, "cloudformation").delete_stack(StackName="test-orphan")  # deleted by hand, code left
    outcome = destroy(endpoint, str(package), "--yes")
    assert outcome.exit_code == 0, outcome.output
    assert "Deleted 1 code package(s)" in outcome.output and "was already gone" in outcome.output
    assert keys(endpoint, bucket_of(result), "test-orphan/") == []


def test_a_partial_stack_is_deleted(endpoint: str, tmp_path: Path) -> None:
    """An interrupted first deploy leaves a REVIEW_IN_PROGRESS stack that holds nothing."""
    package = write_package(tmp_path / "partial", "partial", function("PartialFunction", "partial-fn"))
    client(endpoint, "cloudformation").create_change_set(
        StackName="test-partial", ChangeSetName="interrupted", ChangeSetType="CREATE",
        TemplateBody='{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}')
    assert stack_status(endpoint, "test-partial") == "REVIEW_IN_PROGRESS"
    outcome = destroy(endpoint, str(package), "--yes")
    assert outcome.exit_code == 0, outcome.output
    assert "REVIEW_IN_PROGRESS" in outcome.output and "Destroyed stack test-partial" in outcome.output
    assert stack_status(endpoint, "test-partial") is None


def test_a_failed_deletion_exits_1_and_every_package_is_tried(endpoint: str, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The emulator goes away between the listing and the answer: each package says why it failed."""
    with ExitStack() as running:
        url = running.enter_context(local_emulator())
        for name in ("first", "second"):
            deployed(url, tmp_path / "all", name)

        def confirm_then_lose_the_network(plans: list[object]) -> bool:
            running.close()
            return True

        monkeypatch.setattr(command_module, "_confirmed", confirm_then_lose_the_network)
        outcome = destroy(url, str(tmp_path / "all"))  # a folder of packages: every one in it
    assert outcome.exit_code == 1
    errors = [line for line in outcome.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and all("cannot reach" in line for line in errors)
    assert "test-first" in errors[0] and "test-second" in errors[1]


def test_the_bucket_and_stack_name_follow_deploys_options(endpoint: str, tmp_path: Path) -> None:
    package = write_package(tmp_path / "named", "named", function("NamedFunction", "named-fn"))
    deploy_package(DeployRequest(package=package, endpoint_url=endpoint, polling=FAST, stack_name="other-name",
                                 bucket="team-artifacts", create_bucket=True))
    [plan] = plan_destroy(DestroyRequest(packages=(package,), endpoint_url=endpoint, stack_name="other-name",
                                         bucket="team-artifacts"))
    assert (plan.stack, plan.bucket, plan.stack_status) == ("other-name", "team-artifacts", "CREATE_COMPLETE")
    assert [key.split("/")[0] for key in plan.objects] == ["other-name"]
    other = write_package(tmp_path / "other", "other", function("OtherFunction", "other-fn"))
    refused = destroy(endpoint, str(package), str(other), "--stack-name", "x", "--yes")
    assert refused.exit_code == 2 and "--stack-name names one stack" in refused.output


def test_no_package_is_bad_input(endpoint: str, tmp_path: Path) -> None:
    outcome = destroy(endpoint, str(tmp_path), "--yes")
    assert outcome.exit_code == 2
    assert "neither a service package nor a folder of them" in outcome.output


# --- the plan, pure ---------------------------------------------------------------------------------


def found(status: str | None, *keys: str) -> Found:
    return Found(stack_id="arn:stack" if status else None, stack_status=status, resources=(), keys=keys)


def teardown(status: str | None, *keys: str) -> list[object]:
    return list(plan_teardown("svc", "shop-svc", "eu-west-1", "AWS", "code", found(status, *keys)).steps)


def test_the_plan_deletes_the_stack_then_what_deploy_uploaded() -> None:
    steps = teardown("UPDATE_ROLLBACK_COMPLETE", f"shop-svc/{SHA}.zip", "shop-svc/readme.txt")
    assert steps == [DeleteStack("shop-svc"), WaitForStack("shop-svc", "DELETE"),
                     DeleteObjects("code", (f"shop-svc/{SHA}.zip",))]
    plan = plan_teardown("svc", "shop-svc", "eu-west-1", "AWS", "code", found(None, "shop-svc/readme.txt"))
    assert plan.empty and plan.kept == ("shop-svc/readme.txt",)


def test_the_plan_waits_for_a_deletion_under_way_and_refuses_a_busy_stack() -> None:
    assert teardown("DELETE_IN_PROGRESS") == [WaitForStack("shop-svc", "DELETE")]
    assert teardown("DELETE_FAILED")[0] == DeleteStack("shop-svc")  # CloudFormation may delete it on a retry
    with pytest.raises(DeployError, match="busy"):
        teardown("UPDATE_IN_PROGRESS")


def test_a_folder_of_packages_leaves_the_monolith_out(tmp_path: Path) -> None:
    for name in ("b", "a"):
        write_package(tmp_path / name, name, function(f"{name.upper()}Function", f"{name}-fn"))
    (tmp_path / "monolith").mkdir()
    (tmp_path / "monolith" / "template.yaml").write_text("not a package\n", encoding="utf-8")
    assert [service.name for service in service_packages((tmp_path, tmp_path / "a"))] == ["a", "b"]
