"""The real validators every generated SAM template must pass: cfn-lint and SAM's own
translator, run offline (every managed policy our templates use is bundled with it)."""

from __future__ import annotations

import io
import os
from typing import Any

from cfnlint.api import lint
from cfnlint.config import ManualArgs
from ruamel.yaml import YAML
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform


class NoIam(ManagedPolicyLoader):
    """The translator's fallback for managed policy names it does not bundle: never reached."""

    def __init__(self) -> None:
        pass

    def load(self) -> dict[str, str]:
        raise AssertionError("the template needs a managed policy SAM does not bundle: that calls IAM")


def load_yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(io.StringIO(text))


def lint_problems(text: str) -> list[str]:
    return [str(match) for match in lint(text, config=ManualArgs(regions=["us-east-1"]))]


def packaged(sam: dict[str, Any]) -> dict[str, Any]:
    """What `sam package` hands the transform: code in S3 (the translator rejects local paths)."""
    for resource in sam["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://packages/src.zip"
    return sam


def translate(text: str) -> dict[str, Any]:
    """The plain CloudFormation the SAM transform makes of a template."""
    previous = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"  # the translator asks boto3 for the partition
    try:
        return transform(packaged(load_yaml(text)), {}, NoIam())  # type: ignore[no-any-return]
    finally:
        if previous is None:
            del os.environ["AWS_DEFAULT_REGION"]
        else:
            os.environ["AWS_DEFAULT_REGION"] = previous
