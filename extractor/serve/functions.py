"""What `serve` serves: the Lambda functions of the generated packages, read from their SAM templates.

A package is any folder of GENERATED with a `template.yaml` (the strangled monolith is
not one); each `AWS::Serverless::Function` in it is a function, with SAM's `Globals`
applied as SAM applies them (the resource's own properties win; environment variables
merge by name) and SAM's defaults where the template is silent (3 s, 128 MB). The
templates use only long-form intrinsics, so a plain YAML loader reads them; a variable
whose value is an intrinsic (`{"Ref": ...}`) cannot be resolved without a stack and is
listed in `unresolved` instead.

The environment of a worker, from weakest to strongest:
    1. the server's own environment (the app's settings, e.g. SHOP_DATABASE_URL, and the
       AWS_* settings), less the variables that would bring the server's Python into the
       worker (`DROPPED`), with `AWS_ENDPOINT_URL_LAMBDA` set to the server itself unless
       that environment names another endpoint: a function that invokes another function
       reaches it where it is served, as on AWS it reaches the account's Lambda;
    2. the template's variables, unless the server's environment sets the same name: as
       with `sam local`, the shell overrides a variable the template declares;
    3. what Lambda itself sets and a function cannot change (`AWS_LAMBDA_FUNCTION_NAME`,
       `AWS_REGION`, `TZ`, ...).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from analyzer.errors import InputError

TEMPLATE = "template.yaml"
NOT_A_PACKAGE = frozenset({"monolith"})  # the strangled monolith is served by nobody: it is the caller
FUNCTION_TYPE = "AWS::Serverless::Function"
DEFAULT_TIMEOUT = 3  # seconds, SAM's default
DEFAULT_MEMORY = 128  # MB, SAM's default
ARN_REGION_UNSET = "local"  # the region in a function's ARN when none is configured (as the runtime's worker)
# PYTHONPATH or PYTHONHOME would put the server's packages within reach of any Python the
# handler starts; VIRTUAL_ENV and the others make tools believe they run in the server's venv.
DROPPED = frozenset({"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV"})
LAMBDA_ENDPOINT = "AWS_ENDPOINT_URL_LAMBDA"  # boto3's Lambda endpoint: the server's own URL, unless set


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda function as its template describes it; `code` is its CodeUri folder."""

    name: str
    package: str
    logical_id: str
    handler: str
    code: Path
    requirements: Path
    timeout: int = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY
    runtime: str = ""
    environment: tuple[tuple[str, str], ...] = ()
    unresolved: tuple[str, ...] = ()


def load_functions(generated: Path) -> list[FunctionSpec]:
    """Every function of every package under `generated`, sorted by name."""
    if not generated.is_dir():
        raise InputError(f"{generated}: no such folder",
                         hint="pass the folder `mono2lambda extract` wrote (its --out, `generated` by default)")
    specs = [spec for package in _packages(generated) for spec in functions_in_template(
        _read_template(package / TEMPLATE), package)]
    if not specs:
        raise InputError(f"{generated}: no service package (a folder with a {TEMPLATE} declaring an "
                         f"{FUNCTION_TYPE}) in it", hint="run `mono2lambda extract` first, or pass its --out folder")
    _check_unique(specs)
    _check_code(specs)
    return sorted(specs, key=lambda spec: spec.name)


def functions_in_template(template: Mapping[str, Any], package: Path) -> list[FunctionSpec]:
    """The functions a parsed SAM template declares (pure: `package` only anchors CodeUri)."""
    defaults = (template.get("Globals") or {}).get("Function") or {}
    resources = template.get("Resources") or {}
    return [_spec(logical_id, _merged(defaults, resource.get("Properties") or {}), package)
            for logical_id, resource in resources.items()
            if isinstance(resource, Mapping) and resource.get("Type") == FUNCTION_TYPE]


def worker_environment(spec: FunctionSpec, inherited: Mapping[str, str], region: str | None = None,
                       endpoint: str | None = None) -> dict[str, str]:
    """The environment of `spec`'s workers (the order of precedence is in the module's docstring);
    `region` is serve's (--region, the project's, the profile's), else the inherited one;
    `endpoint` is serve's own URL, for the functions' calls to other functions."""
    environment = dict(spec.environment)
    if endpoint:
        environment[LAMBDA_ENDPOINT] = endpoint
    environment.update((name, value) for name, value in inherited.items() if name not in DROPPED)
    environment.update(lambda_variables(spec, region or region_of(inherited)))
    return environment


def lambda_variables(spec: FunctionSpec, region: str | None) -> dict[str, str]:
    """The variables Lambda sets in every execution environment of a function. Without a
    configured region there is no AWS_REGION: serve invents none, so code that needs one
    fails here as it would anywhere without a region, not against some default region."""
    variables = {
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "LAMBDA_TASK_ROOT": str(spec.code),
        "_HANDLER": spec.handler,
        "TZ": ":UTC",
    }
    if region:
        variables["AWS_REGION"] = variables["AWS_DEFAULT_REGION"] = region
    return variables


def region_of(environ: Mapping[str, str]) -> str | None:
    return environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None


def function_arn(name: str, region: str | None, qualifier: str | None = None) -> str:
    suffix = f":{qualifier}" if qualifier else ""
    return f"arn:aws:lambda:{region or ARN_REGION_UNSET}:000000000000:function:{name}{suffix}"


def _packages(generated: Path) -> Iterator[Path]:
    for folder in sorted(generated.iterdir()):
        if folder.is_dir() and folder.name not in NOT_A_PACKAGE and (folder / TEMPLATE).is_file():
            yield folder


def _read_template(path: Path) -> Mapping[str, Any]:
    try:
        document = YAML(typ="safe", pure=True).load(io.StringIO(path.read_text(encoding="utf-8")))
    except YAMLError as error:
        raise InputError(f"{path}: not valid YAML: {error}",
                         hint="fix the template, or regenerate it with `mono2lambda extract`") from error
    if not isinstance(document, Mapping):
        raise InputError(f"{path}: not a SAM template (no mapping at the top)",
                         hint="regenerate it with `mono2lambda extract`")
    return document


def _merged(defaults: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**defaults, **properties}
    variables = {**_variables(defaults), **_variables(properties)}
    merged["Environment"] = {"Variables": variables}
    return merged


def _variables(properties: Mapping[str, Any]) -> dict[str, Any]:
    return dict(((properties.get("Environment") or {}).get("Variables") or {}).items())


def _spec(logical_id: str, properties: Mapping[str, Any], package: Path) -> FunctionSpec:
    where = f"{package / TEMPLATE}: {logical_id}"
    handler = properties.get("Handler")
    if not isinstance(handler, str) or "." not in handler:
        raise InputError(f"{where}: Handler must be 'module.function', not {handler!r}",
                         hint="fix the template, or regenerate it with `mono2lambda extract`")
    variables = properties["Environment"]["Variables"]
    return FunctionSpec(
        name=str(properties.get("FunctionName") or logical_id), package=package.name, logical_id=logical_id,
        handler=handler, code=(package / str(properties.get("CodeUri") or ".")).resolve(),
        requirements=package / "requirements.txt", timeout=_number(properties, "Timeout", DEFAULT_TIMEOUT, where),
        memory=_number(properties, "MemorySize", DEFAULT_MEMORY, where), runtime=str(properties.get("Runtime", "")),
        environment=tuple((str(k), _text(v)) for k, v in variables.items() if not isinstance(v, (dict, list))),
        unresolved=tuple(str(k) for k, v in variables.items() if isinstance(v, (dict, list))))


def _number(properties: Mapping[str, Any], key: str, default: int, where: str) -> int:
    value = properties.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InputError(f"{where}: {key} must be a positive whole number, not {value!r}",
                         hint="fix the template, or regenerate it with `mono2lambda extract`")
    return value


def _text(value: object) -> str:
    """A variable's value as CloudFormation passes it: booleans as `true`/`false`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _check_code(specs: list[FunctionSpec]) -> None:
    for spec in specs:
        if not spec.code.is_dir():  # a missing handler module is the function's error, at its first call
            raise InputError(f"{spec.package}/{TEMPLATE}: {spec.logical_id}: its CodeUri folder {spec.code} does not "
                             "exist", hint="fix CodeUri, or regenerate the package with `mono2lambda extract`")


def _check_unique(specs: list[FunctionSpec]) -> None:
    seen: dict[str, FunctionSpec] = {}
    for spec in specs:
        if spec.name in seen:
            raise InputError(f"function name {spec.name!r} is declared by both {seen[spec.name].package}/{TEMPLATE} "
                             f"and {spec.package}/{TEMPLATE}", hint="give each function its own FunctionName")
        seen[spec.name] = spec
