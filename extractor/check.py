"""`contracts check`: the committed contracts against what the source gives now.

A breaking change (a removed or retyped field, a new required field, a removed
operation, a changed invocation) fails the check; an additive one passes. The rules are
in `compat`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .compat import Change, compare_contracts
from .output import manifest_services


@dataclass(frozen=True)
class ContractCheck:
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.breaking)


def generated_services(generated: Path) -> list[str]:
    return sorted(manifest_services(generated))


def committed_contracts(generated: Path, services: Iterable[str]) -> dict[str, dict[str, Any]]:
    """operation -> contract, from every service's contracts/ folder (AsyncAPI files aside)."""
    found = {}
    for service in services:
        for path in sorted((generated / service / "contracts").glob("*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            if document.get("format") == "mono2lambda-contract":
                found[document["operation"]] = document
    return found


def check_contracts(committed: Mapping[str, dict[str, Any]], current: Mapping[str, dict[str, dict[str, Any]]]
                    ) -> ContractCheck:
    now = {op: doc for service in current.values() for op, doc in service.items()}
    return ContractCheck(tuple(compare_contracts(committed, now)))
