"""`mono2lambda invoke`: one direct invocation of a service's function, through boto3.

The event is the one every generated handler routes: `{"operation": NAME, "arguments": {...}}`.
The function's name comes from the manifest `extract` wrote (its "services" key), and the
call goes through boto3's own `invoke` (the AWS adapter, `extractor/aws.py`), so what
works here works against AWS or `sam local` too. A local endpoint checks no signature, so
when no AWS credentials are configured, placeholder ones are used rather than failing
before the request is sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.errors import InputError

from ..output import MANIFEST, manifest_services

DEFAULT_ENDPOINT = "http://127.0.0.1:9001"
# boto3 signs every request for some region; a local endpoint (serve, sam local) ignores which.
# Used only when none is configured (--region, [tool.mono2lambda] region, AWS_REGION, the profile).
SIGNING_REGION_UNSET = "us-east-1"


@dataclass(frozen=True)
class InvokeResult:
    function: str
    payload: Any
    error: str | None  # "Type: message" when the function failed or answered with an error

    @property
    def failed(self) -> bool:
        return self.error is not None


def direct_event(operation: str, arguments: object) -> dict[str, Any]:
    return {"operation": operation, "arguments": arguments}


def parse_arguments(text: str) -> dict[str, Any]:
    """--payload: JSON text, or @FILE holding it; an object (the operation's arguments by name)."""
    where = "--payload"
    if text.startswith("@"):
        where = text[1:]
        try:
            text = Path(where).read_text(encoding="utf-8")
        except OSError as error:
            raise InputError(f"{where}: cannot read the payload file ({error.strerror})",
                             hint="pass an existing file after @, or the JSON itself") from error
    try:
        value = json.loads(text)
    except ValueError as error:
        raise InputError(f"{where}: not valid JSON: {error}", hint="pass the arguments as a JSON object, "
                         """e.g. --payload '{"amount": "10.00", "region": "CA"}'""") from error
    if not isinstance(value, dict):
        raise InputError(f"{where}: the arguments must be a JSON object (by parameter name), not {value!r}",
                         hint="""e.g. --payload '{"amount": "10.00", "region": "CA"}'""")
    return value


def function_for(generated: Path, service: str) -> str:
    """The Lambda function of `service`, from GENERATED/manifest.json."""
    services = manifest_services(generated)
    if service not in services:
        known = ", ".join(sorted(services)) or "none"
        raise InputError(f"{generated / MANIFEST}: no service {service!r} (services: {known})",
                         hint="use one of those names, or extract the service first")
    return str(services[service]["function"])


def invoke_function(endpoint: str, function: str, event: dict[str, Any], region: str | None = None) -> InvokeResult:
    from ..aws import AwsClient, default_region, has_credentials  # boto3 is slow to import: only when called

    client = AwsClient(region or default_region() or SIGNING_REGION_UNSET, endpoint, emulator=not has_credentials())
    body, function_error = client.invoke(function, json.dumps(event).encode())
    payload = json.loads(body or b"null")
    return InvokeResult(function, payload, _error(payload, function_error))


def _error(payload: Any, function_error: str | None) -> str | None:
    found = payload if function_error else (payload.get("error") if isinstance(payload, dict) else None)
    if not isinstance(found, dict):
        return f"{function_error}: {payload}" if function_error else None
    return f"{found.get('errorType', function_error)}: {found.get('errorMessage', '')}"
