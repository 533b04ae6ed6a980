"""Print the contracts of operations as JSON: `python -m m2l_runtime.describe < ops.json`.

`mono2lambda extract` runs this in a child process with the monolith's source on the
path (building a contract needs the real types, so it imports the operation's module),
which keeps the user's code out of the extractor's own process. Input: a JSON list of
`{"operation", "module", "function"}`; output: one object per operation with its request
and response schemas, or the one-line reason it has none.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

from .contract import contract_of


def describe(operation: dict[str, str]) -> dict[str, Any]:
    try:
        function = getattr(importlib.import_module(operation["module"]), operation["function"])
        contract = contract_of(function)
        return {"request": contract.request_schema(), "response": contract.response_schema()}
    except Exception as exc:  # any failure is a finding about this operation, never a crash
        return {"error": f"{type(exc).__name__}: {exc}".splitlines()[0]}


def main() -> None:
    operations = json.load(sys.stdin)
    json.dump({op["operation"]: describe(op) for op in operations}, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
