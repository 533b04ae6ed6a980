"""A generated service package as the deployer sees it: the files `mono2lambda extract`
wrote into `generated/<service>/`, read once at the edge.

Only `template.yaml`, `samconfig.toml`, `requirements.txt` and `src/` matter here; tests,
events and contracts stay out of the code package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.errors import InputError
from analyzer.tomldoc import parse_toml


@dataclass(frozen=True)
class ServicePackage:
    root: Path
    template_text: str
    stack_name: str | None  # from samconfig.toml, if it names one
    region: str | None  # likewise

    @property
    def name(self) -> str:
        return self.root.name

    @property
    def src(self) -> Path:
        return self.root / "src"

    @property
    def requirements(self) -> Path:
        return self.root / "requirements.txt"


def read_service(root: Path) -> ServicePackage:
    template = root / "template.yaml"
    for needed in (template, root / "src"):
        if not needed.exists():
            raise InputError(f"{root}: not a generated service package, {needed.name} is missing",
                             hint="pass a folder written by `mono2lambda extract`, e.g. generated/<service>")
    parameters = _deploy_parameters(root / "samconfig.toml")
    return ServicePackage(root=root, template_text=template.read_text(encoding="utf-8"),
                          stack_name=_text(parameters.get("stack_name")), region=_text(parameters.get("region")))


def _deploy_parameters(path: Path) -> dict[str, Any]:
    """`[default.deploy.parameters]` of samconfig.toml: the settings `sam deploy` would use."""
    if not path.exists():
        return {}
    try:
        config = parse_toml(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise InputError(f"{path}: {error}", hint="fix the file, or extract the service again") from None
    parameters = config.get("default", {}).get("deploy", {}).get("parameters", {})
    return parameters if isinstance(parameters, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
