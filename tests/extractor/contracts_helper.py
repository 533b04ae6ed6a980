"""Contract documents made the way extract makes them: the runtime's `contract_of` builds
the schemas from a real function, `contract_document` wraps them. Tests never write
schemas by hand, so each case exercises exactly what the extractor emits."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analyzer.boundaries.plan import Invocation
from extractor.contracts import contract_document
from extractor.model import OperationSpec

sys.path.insert(0, str(Path(__file__).parents[2] / "extractor" / "runtime"))

from m2l_runtime.contract import contract_of

OPERATION = "shop.pricing.tax.tax_for"


def contract_from(function: Callable[..., Any], *, operation: str = OPERATION, kind: str = "sync",
                  settings: dict[str, Any] | None = None) -> dict[str, Any]:
    contract = contract_of(function)
    module, _, name = operation.rpartition(".")
    invocation = Invocation(kind, tuple(sorted((settings or {}).items(), key=lambda item: item[0])))
    spec = OperationSpec(operation, module, name, "shop/pricing/tax.py:29", invocation, str(contract.signature))
    return contract_document("tax", spec, {"request": contract.request_schema(),
                                           "response": contract.response_schema()})
