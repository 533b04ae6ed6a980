"""Where the AWS region comes from: --region, then the project's [tool.mono2lambda] region,
then samconfig.toml's, then AWS_REGION / AWS_DEFAULT_REGION and the profile's; never a
region built into mono2lambda (an emulator, which answers for any region, excepted)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner

from extractor.deploy.deployment import region_for
from extractor.deploy.emulator import local_emulator
from extractor.deploy.errors import AwsSetupError
from extractor.deploy.service import read_service
from extractor.serve.functions import FunctionSpec, function_arn, worker_environment
from mono2lambda.cli import cli
from tests.extractor.test_deploy import function, write_package

pytestmark = pytest.mark.filterwarnings("ignore:.*not supported by moto:UserWarning")


@pytest.fixture
def no_region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No region anywhere: not in the environment, not in a profile."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))


def package_with(tmp_path: Path, region: str | None) -> Path:
    package = write_package(tmp_path / "svc", "svc", function("SvcFunction", "svc-fn"))
    if region is None:
        text = (package / "samconfig.toml").read_text(encoding="utf-8")
        assert "region" not in text
    else:
        text = (package / "samconfig.toml").read_text(encoding="utf-8")
        (package / "samconfig.toml").write_text(text.replace('capabilities', f'region = "{region}"\ncapabilities'),
                                                encoding="utf-8")
    return package


def test_the_order_of_the_places(tmp_path: Path, no_region: None, monkeypatch: pytest.MonkeyPatch) -> None:
    bare = read_service(package_with(tmp_path / "bare", None))
    placed = read_service(package_with(tmp_path / "placed", "ap-south-1"))
    with pytest.raises(AwsSetupError) as missing:
        region_for(None, bare, emulator=False)  # AWS: nothing is guessed
    assert "[tool.mono2lambda]" in (missing.value.hint or "") and missing.value.exit_code == 2
    assert region_for(None, bare, emulator=True) == "us-east-1"  # an emulator answers for any region
    (tmp_path / "no-config").write_text("[default]\nregion = sa-east-1\n", encoding="utf-8")
    assert region_for(None, bare, emulator=False) == "sa-east-1"  # the profile's
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ca-central-1")
    assert region_for(None, bare, emulator=False) == "ca-central-1"
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    assert region_for(None, bare, emulator=False) == "eu-north-1"
    assert region_for(None, placed, emulator=False) == "ap-south-1"  # samconfig.toml, as `sam deploy` reads it
    assert region_for("me-south-1", placed, emulator=True) == "me-south-1"  # --region (or the project's) first


def test_serve_sets_no_region_it_was_not_given() -> None:
    spec = FunctionSpec("f", "pkg", "Fn", "handler.handler", Path("src"), Path("requirements.txt"))
    bare = worker_environment(spec, {"PATH": "/bin"})
    assert "AWS_REGION" not in bare and "AWS_DEFAULT_REGION" not in bare
    inherited = worker_environment(spec, {"AWS_DEFAULT_REGION": "eu-west-3"})
    assert inherited["AWS_REGION"] == inherited["AWS_DEFAULT_REGION"] == "eu-west-3"
    chosen = worker_environment(spec, {"AWS_REGION": "eu-west-3"}, region="ap-northeast-2")
    assert chosen["AWS_REGION"] == chosen["AWS_DEFAULT_REGION"] == "ap-northeast-2"
    assert function_arn("f", None) == "arn:aws:lambda:local:000000000000:function:f"


@pytest.fixture
def endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with local_emulator() as url:
        yield url


def stacks(endpoint: str, region: str) -> list[str]:
    """The region's stacks (an emulator started alone begins empty: local_emulator resets moto's per-process state)."""
    cloudformation = boto3.client("cloudformation", endpoint_url=endpoint, region_name=region)
    return [stack["StackName"] for stack in cloudformation.describe_stacks()["Stacks"]]


def test_deploy_and_destroy_use_the_projects_region(endpoint: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.mono2lambda]\nregion = "eu-west-2"\n', encoding="utf-8")
    package = package_with(project, None)
    monkeypatch.chdir(project)
    deployed = CliRunner().invoke(cli, ["deploy", str(package), "--endpoint-url", endpoint])
    assert deployed.exit_code == 0, deployed.output
    assert "Created stack test-svc in eu-west-2" in deployed.output
    assert "test-svc" in stacks(endpoint, "eu-west-2") and "test-svc" not in stacks(endpoint, "us-east-1")
    listed = CliRunner().invoke(cli, ["destroy", str(package), "--endpoint-url", endpoint, "--dry-run"])
    assert "stack test-svc in eu-west-2" in listed.output and "CREATE_COMPLETE" in listed.output
    elsewhere = CliRunner().invoke(cli, ["destroy", str(package), "--endpoint-url", endpoint, "--yes",
                                         "--region", "us-east-1"])  # the flag wins: nothing there
    assert elsewhere.exit_code == 0 and "Nothing to destroy." in elsewhere.output
    destroyed = CliRunner().invoke(cli, ["destroy", str(package), "--endpoint-url", endpoint, "--yes"])
    assert destroyed.exit_code == 0, destroyed.output
    assert "test-svc" not in stacks(endpoint, "eu-west-2")
