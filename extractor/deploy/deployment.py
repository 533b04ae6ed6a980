"""`deploy_package`: the one function behind `mono2lambda deploy`.

It reads the generated package, picks the target (AWS, a given emulator, or moto started
in this process), builds the code zip, translates the template, looks at what the
account already holds, plans, and hands the plan to an executor (a dry run's, or the
real one). Everything that changes AWS happens inside the executor, after the plan.

Settings come from, in order: the request (command line options, whose defaults come from
the project's [tool.mono2lambda] table), the package's samconfig.toml (stack name, and the
region `extract` writes there only when the project names one), then boto3's standard chain
(credentials, and region: AWS_REGION, AWS_DEFAULT_REGION, the profile's). No region is
built in: only an emulator, which answers for any region, falls back to `LOCAL_REGION`.
`destroy` (teardown.py) finds its stacks, bucket and region by the same rules.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from analyzer.errors import InputError

from ..aws import AwsClient, default_region, has_credentials
from .dependencies import Platform, install_requirements, lambda_platform
from .emulator import local_emulator
from .errors import AwsSetupError
from .executor import DryRunExecutor, Executor
from .package import Artifact, build_zip, human_size
from .plan import RemoteState, Target, code_key, code_uri, plan_deploy
from .progress import DeployResult, Notice, Report
from .service import ServicePackage, read_service
from .translate import load_template, runtimes, translate
from .watch import Polling

LOCAL_REGION = "us-east-1"  # an emulator's when nothing names one; never used for AWS
_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")


@dataclass(frozen=True)
class DeployRequest:
    package: Path  # generated/<service>
    stack_name: str | None = None
    region: str | None = None
    endpoint_url: str | None = None  # an emulator to deploy to instead of AWS
    bucket: str | None = None  # where the code goes; default: mono2lambda's own, created on first use
    create_bucket: bool = False  # create `bucket` if it does not exist
    local: bool = False  # start moto in this process and deploy there
    dry_run: bool = False
    cache_dir: Path | None = None  # installed requirements; default: the user's cache folder
    polling: Polling = field(default_factory=Polling)


def deploy_package(request: DeployRequest, report: Report = lambda _: None) -> DeployResult:
    service = read_service(request.package)
    sam = load_template(service.template_text, str(request.package / "template.yaml"))
    platform = lambda_platform(runtimes(sam))
    with _connect(request, service, report) as (aws, endpoint), \
            tempfile.TemporaryDirectory(prefix="mono2lambda-deploy-") as work:
        artifact = _build(service, platform, request.cache_dir or default_cache_dir(), Path(work), report)
        target = _target(request, service, aws, endpoint)
        template = translate(sam, code_uri(target, artifact), target.region,
                             str(request.package / "template.yaml"))
        plan = plan_deploy(target, artifact, template, _observe(aws, target, artifact), change_set_name())
        executor = DryRunExecutor if request.dry_run else Executor
        return executor(aws, report, request.polling).run(plan)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mono2lambda" / "deploy"


def change_set_name(now: datetime | None = None) -> str:
    """Unique per deploy: AWS refuses a second change set of the same name on a stack."""
    return "mono2lambda-" + (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%S%fZ")


@contextmanager
def _connect(request: DeployRequest, service: ServicePackage, report: Report) -> Iterator[tuple[AwsClient, str]]:
    """The client for the target, and the target's name: "AWS" or an emulator's URL."""
    if request.local or (request.endpoint_url is None and not has_credentials()):
        if not request.local:
            report(Notice("no AWS credentials found: deploying to a local emulator (moto) in this process "
                          "instead; it is gone when the command ends (configure credentials to deploy to AWS)"))
        with local_emulator() as url:
            yield AwsClient(region_for(request.region, service, emulator=True), url, emulator=True), url
    elif request.endpoint_url is not None:
        region = region_for(request.region, service, emulator=True)
        yield AwsClient(region, request.endpoint_url, emulator=not has_credentials()), request.endpoint_url
    else:
        yield AwsClient(region_for(request.region, service, emulator=False)), "AWS"


def region_for(given: str | None, service: ServicePackage, emulator: bool) -> str:
    """--region (or the project's `region`), samconfig.toml's (as `sam deploy` reads it), AWS_REGION
    or AWS_DEFAULT_REGION, the profile's; for an emulator only, then LOCAL_REGION."""
    region = given or service.region or default_region() or (LOCAL_REGION if emulator else None)
    if region is None:
        raise AwsSetupError("no AWS region configured",
                            hint='pass --region, set region = "..." under [tool.mono2lambda] in pyproject.toml, '
                                 "set AWS_REGION, or give the profile a region (aws configure)")
    return region


def stack_name_for(given: str | None, service: ServicePackage) -> str:
    """--stack-name, samconfig.toml's stack_name, else mono2lambda-<service>."""
    stack = given or service.stack_name or f"mono2lambda-{service.name}"
    if not _STACK_NAME.match(stack):
        raise InputError(f"stack name {stack!r} is not valid",
                         hint="start with a letter; use letters, digits and hyphens, at most 128 characters")
    return stack


def default_bucket(aws: AwsClient) -> str:
    """mono2lambda's own code bucket: one per account and region, created by the first deploy."""
    return f"mono2lambda-{aws.account_id()}-{aws.region}"


def _build(service: ServicePackage, platform: Platform, cache_dir: Path, work: Path, report: Report) -> Artifact:
    if service.requirements.exists():
        report(Notice(f"installing requirements.txt for {platform.platform} (or reusing the cached install)"))
    installed = install_requirements(service.requirements, platform, cache_dir)
    artifact = build_zip([*([installed] if installed else []), service.src], work)
    report(Notice(f"code package {artifact.sha256[:12]}: {human_size(artifact.size)} zipped, "
                  f"{human_size(artifact.unzipped_size)} unzipped"))
    return artifact


def _target(request: DeployRequest, service: ServicePackage, aws: AwsClient, endpoint: str) -> Target:
    stack = stack_name_for(request.stack_name, service)
    bucket = request.bucket or default_bucket(aws)
    may_create = request.create_bucket or request.bucket is None or request.local
    return Target(stack=stack, region=aws.region, bucket=bucket, create_bucket=may_create, endpoint=endpoint)


def _observe(aws: AwsClient, target: Target, artifact: Artifact) -> RemoteState:
    """What the account holds already; read-only calls."""
    bucket_exists = aws.bucket_exists(target.bucket)
    stack = aws.describe_stack(target.stack)
    return RemoteState(bucket_exists=bucket_exists,
                       code_exists=bucket_exists and aws.object_exists(target.bucket,
                                                                       code_key(target.stack, artifact)),
                       stack_status=stack.status if stack else None)
