"""The errors a deploy raises, under the project's one root (`analyzer.errors`).

    Mono2LambdaError
    +-- DeployError          a deploy could not be done: exit 1
    |   +-- AwsError         an AWS call failed (which call, on what, the AWS error code)
    |   +-- DeployFailed     CloudFormation could not apply the change set; what is left says so
    +-- InputError
        +-- LimitError       the package breaks a Lambda or CloudFormation limit: exit 2
        +-- AwsSetupError    no credentials, no region, an endpoint that does not answer: exit 2

Each message is one line that names the resource; `hint` says what to do.
"""

from __future__ import annotations

from analyzer.errors import InputError, Mono2LambdaError


class DeployError(Mono2LambdaError):
    pass


class AwsError(DeployError):
    """`code` is AWS's error code (AccessDenied, ValidationError, ...) so callers can tell cases apart."""

    def __init__(self, message: str, *, code: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


class DeployFailed(DeployError):
    pass


class LimitError(InputError):
    pass


class AwsSetupError(InputError):
    pass
