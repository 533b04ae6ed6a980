"""Lambda's and CloudFormation's hard limits, checked before anything is uploaded.

AWS would refuse the same package minutes later, half way through a stack operation,
with a less helpful message; checking here costs nothing and names the fix. Pure: the
checks take sizes and the translated template, and return problems as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import LimitError

MB = 1024 * 1024
MAX_ZIPPED = 50 * MB  # a deployment package uploaded directly (Lambda quotas)
MAX_UNZIPPED = 250 * MB  # the unpacked package, layers included
MIN_MEMORY, MAX_MEMORY = 128, 10_240  # MB
MAX_TIMEOUT = 900  # seconds
SYNC_PAYLOAD = 6 * MB  # an invocation's request or response, RequestResponse
ASYNC_PAYLOAD = 1 * MB  # an Event invocation's request (and an event source's record)
MAX_TEMPLATE_BODY = 51_200  # bytes of TemplateBody CreateChangeSet takes without an S3 TemplateURL
DEFAULT_MEMORY, DEFAULT_TIMEOUT = 128, 3  # what Lambda uses when the template says nothing


def package_problems(zipped: int, unzipped: int) -> list[str]:
    problems = []
    if zipped > MAX_ZIPPED:
        problems.append(f"the code package is {_mb(zipped)} zipped, over Lambda's {_mb(MAX_ZIPPED)} "
                        "for a direct upload")
    if unzipped > MAX_UNZIPPED:
        problems.append(f"the code package is {_mb(unzipped)} unzipped, over Lambda's {_mb(MAX_UNZIPPED)}")
    return problems


def function_problems(logical_id: str, properties: Mapping[str, Any]) -> list[str]:
    """MemorySize and Timeout of one AWS::Lambda::Function (an intrinsic is left to CloudFormation)."""
    problems = []
    memory = properties.get("MemorySize", DEFAULT_MEMORY)
    timeout = properties.get("Timeout", DEFAULT_TIMEOUT)
    if isinstance(memory, int) and not MIN_MEMORY <= memory <= MAX_MEMORY:
        problems.append(f"{logical_id}: MemorySize {memory} MB is outside Lambda's {MIN_MEMORY}..{MAX_MEMORY} MB")
    if isinstance(timeout, int) and not 1 <= timeout <= MAX_TIMEOUT:
        problems.append(f"{logical_id}: Timeout {timeout} s is outside Lambda's 1..{MAX_TIMEOUT} s")
    return problems


def template_problems(body: str) -> list[str]:
    size = len(body.encode())
    if size > MAX_TEMPLATE_BODY:
        return [f"the translated template is {size} bytes, over the {MAX_TEMPLATE_BODY} bytes CloudFormation "
                "takes inline"]
    return []


def check_limits(zipped: int, unzipped: int, template: Mapping[str, Any], body: str) -> None:
    """Raise one LimitError that lists every problem, so one pass fixes them all."""
    functions = {logical_id: resource.get("Properties", {})
                 for logical_id, resource in sorted(template.get("Resources", {}).items())
                 if resource.get("Type") == "AWS::Lambda::Function"}
    problems = [*package_problems(zipped, unzipped), *template_problems(body)]
    for logical_id, properties in functions.items():
        problems.extend(function_problems(logical_id, properties))
    if problems:
        raise LimitError("; ".join(problems), hint=_hint(problems))


def _hint(problems: list[str]) -> str:
    hints = {  # marker in a problem -> what fixes it
        "code package": "trim requirements.txt to what the service imports, or move large dependencies to a layer",
        "template": "split the service into smaller ones in the plan (boundaries.yaml) and extract again",
        "is outside Lambda": "set memory and timeout of the service in the plan (boundaries.yaml) and extract again",
    }
    return "; ".join(hint for marker, hint in hints.items() if any(marker in problem for problem in problems))


def _mb(size: int) -> str:
    return f"{size / MB:.1f} MB"
