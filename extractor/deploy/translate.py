"""SAM to plain CloudFormation, offline, with SAM's own translator.

CloudFormation's managed transform would do the same server-side, but then a dry run
could not show the real resources, emulators without SAM support (moto) could not take
the template, and a SAM error would surface only inside a change set. The translator
needs the code in S3 (it refuses local paths), so the caller gives the s3:// URI of
the uploaded zip. It never calls AWS: every managed policy our templates use is bundled
with it, and the region is passed in rather than looked up through boto3.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from samtranslator.model.exceptions import ExceptionWithMessage
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.utils.py27hash_fix import to_py27_compatible_template, undo_mark_unicode_str_in_template

from analyzer.errors import InputError

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
PACKAGED_CODE = ("src", "src/", "./src", "./src/")  # the only CodeUri the deployer zips


@dataclass(frozen=True)
class _Region:
    """All the translator reads from the boto3 session it accepts: the region name."""

    region_name: str


def load_template(text: str, where: str = "template.yaml") -> dict[str, Any]:
    try:
        loaded = YAML(typ="safe", pure=True).load(io.StringIO(text))
    except YAMLError as error:
        raise InputError(f"{where}: not plain YAML: {error}".replace("\n", " "),
                         hint='write intrinsics in the long form ({"Ref": ...}), as `mono2lambda extract` does',
                         ) from None
    if not isinstance(loaded, dict) or not isinstance(loaded.get("Resources"), dict):
        raise InputError(f"{where}: no Resources section", hint="extract the service again")
    return loaded


def translate(sam: Mapping[str, Any], code_uri: str, region: str, where: str = "template.yaml") -> dict[str, Any]:
    """The CloudFormation the SAM transform makes of `sam`, with every function's code at `code_uri`.

    The steps of `samtranslator.translator.transform.transform`, except that the region is
    given: `transform` asks boto3's default session, that is the environment."""
    packaged = _with_code(sam, code_uri, where)
    parameters: dict[str, Any] = {}
    to_py27_compatible_template(packaged, parameters)
    translator = Translator(None, Parser(), boto_session=_Region(region))
    try:
        translated = translator.translate(packaged, parameter_values=parameters, get_managed_policy_map=_no_lookup)
    except ExceptionWithMessage as error:
        causes = getattr(error, "causes", None) or [error]
        raise InputError(f"{where}: " + "; ".join(cause.message for cause in causes),
                         hint="the SAM translator refused the template; fix it or extract the service again") from None
    finally:
        translator.metrics.publish()  # to its dummy publisher: otherwise it warns when garbage-collected
    return undo_mark_unicode_str_in_template(translated)  # type: ignore[no-any-return]


def runtimes(sam: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(runtime, architecture) of every SAM function, Globals applied: what to install wheels for."""
    defaults = sam.get("Globals", {}).get("Function", {})
    found = set()
    for properties in _functions(sam).values():
        runtime = properties.get("Runtime", defaults.get("Runtime"))
        architectures = properties.get("Architectures", defaults.get("Architectures", ["x86_64"]))
        found.add((str(runtime), str(architectures[0] if architectures else "x86_64")))
    return found


def _functions(sam: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {logical_id: resource.get("Properties") or {}
            for logical_id, resource in sam["Resources"].items() if resource.get("Type") == SERVERLESS_FUNCTION}


def _with_code(sam: Mapping[str, Any], code_uri: str, where: str) -> dict[str, Any]:
    packaged = copy.deepcopy(dict(sam))
    for logical_id, properties in _functions(packaged).items():
        uri = properties.get("CodeUri", packaged.get("Globals", {}).get("Function", {}).get("CodeUri"))
        if uri not in PACKAGED_CODE:
            raise InputError(f"{where}: {logical_id} has CodeUri {uri!r}; the deployer packages src/ only",
                             hint="set CodeUri: src/ (as `mono2lambda extract` writes it)")
        properties["CodeUri"] = code_uri
    return packaged


def _no_lookup() -> dict[str, str]:
    """The translator asks IAM for managed policies it does not bundle; we never let it."""
    raise InputError("template.yaml names an AWS managed policy the SAM translator does not know",
                     hint="give the policy's full ARN instead of its name")
