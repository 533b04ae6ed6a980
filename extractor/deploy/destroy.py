"""`plan_destroy` and `destroy`: the two functions behind `mono2lambda destroy`.

The command plans first (read-only calls: which stack, what it holds, which code packages),
shows the plans, asks, and only then destroys. Stack names, the region and the code bucket
follow deploy's rules (`deployment.py`), so `destroy` finds what `deploy` made with the
same options. Unlike deploy, destroy never starts an emulator of its own: what a
`deploy --local` made was gone when that command ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analyzer.errors import InputError, Mono2LambdaError

from ..aws import AwsClient, has_credentials
from .deployment import default_bucket, region_for, stack_name_for
from .errors import AwsSetupError
from .progress import Report
from .service import ServicePackage
from .teardown import TeardownPlan, observe, plan_teardown, run_teardown, service_packages
from .watch import Polling


@dataclass(frozen=True)
class DestroyRequest:
    packages: tuple[Path, ...]  # generated/<service> folders, or folders of them
    stack_name: str | None = None  # only with one package
    region: str | None = None
    endpoint_url: str | None = None  # an emulator instead of AWS
    bucket: str | None = None  # the code bucket the deploys used (default: mono2lambda's own)
    polling: Polling = field(default_factory=Polling)


@dataclass(frozen=True)
class Destroyed:
    plan: TeardownPlan
    error: Mono2LambdaError | None = None  # why this one could not be destroyed (the others still were)


def plan_destroy(request: DestroyRequest) -> list[TeardownPlan]:
    """One plan per service package; read-only."""
    services = service_packages(request.packages)
    if request.stack_name and len(services) > 1:
        raise InputError(f"--stack-name names one stack, but {len(services)} packages were given",
                         hint="destroy one package at a time with --stack-name, or leave it out")
    plans = []
    for service in services:
        aws, endpoint = _client(request, service)
        stack = stack_name_for(request.stack_name, service)
        bucket = request.bucket or default_bucket(aws)
        plans.append(plan_teardown(service.name, stack, aws.region, endpoint, bucket, observe(aws, stack, bucket)))
    return plans


def destroy(request: DestroyRequest, plans: list[TeardownPlan], report: Report = lambda _: None) -> list[Destroyed]:
    """Run each plan; a failure is recorded and the next package is still destroyed."""
    done = []
    for plan in plans:
        aws = _client_for(plan.region, plan.endpoint)
        try:
            run_teardown(plan, aws, report, request.polling)
        except Mono2LambdaError as error:
            done.append(Destroyed(plan, error))
        else:
            done.append(Destroyed(plan))
    return done


def _client(request: DestroyRequest, service: ServicePackage) -> tuple[AwsClient, str]:
    if request.endpoint_url is not None:
        region = region_for(request.region, service, emulator=True)
        return _client_for(region, request.endpoint_url), request.endpoint_url
    if not has_credentials():
        raise AwsSetupError("no AWS credentials found",
                            hint="configure them (aws configure, AWS_PROFILE, aws sso login), or pass --endpoint-url "
                                 "for an emulator; what `deploy --local` made is gone already")
    return AwsClient(region_for(request.region, service, emulator=False)), "AWS"


def _client_for(region: str, endpoint: str) -> AwsClient:
    if endpoint == "AWS":
        return AwsClient(region)
    return AwsClient(region, endpoint, emulator=not has_credentials())
