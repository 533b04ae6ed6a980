"""Print the contracts of operations as JSON: `python -m m2l_runtime.describe < ops.json`.

`mono2lambda extract` runs this in a child process with the monolith's source on the
path (building a contract needs the real types, so it imports the operation's module),
which keeps the user's code out of the extractor's own process. Input: JSON
`{"framework": {...} or null, "operations": [{"operation", "module", "function", "include"?}]}`
(a function is `name` or `Class.method`; `include`, the relationships of its returned rows the
plan has it send along); the framework is booted first (see bootstrap.py).
Output: one object per operation with its request and response schemas (and, for an
instance method, the schema of its object's constructor arguments, `instance`, or why the
object cannot be rebuilt, `instance_error`), or the one-line reason it has none, and under
`boot-imports` the top-level modules booting the framework imported (`{"modules": [...]}`: a
package that boots it needs them at cold start, e.g. the driver a Django contrib app imports); or
`{"boot_error": ...}` when the framework would not start.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from .bootstrap import BootError, boot
from .contract import contract_of
from .instances import instance_schema, resolve, unrebuildable


def describe(operation: dict[str, Any]) -> dict[str, Any]:
    try:
        function, cls = resolve(operation["module"], operation["function"])
        contract = contract_of(function, method=cls is not None, include=tuple(operation.get("include", ())))
        described: dict[str, Any] = {"request": contract.request_schema(), "response": contract.response_schema()}
        if contract.needs_session:  # a SQLAlchemy unit of work, whichever package runs it
            described["transaction"] = "own"
        if contract.django_atomic:  # an atomic() of its own, in a package that boots Django (extract decides)
            described["django_atomic"] = True
    except Exception as exc:  # any failure is a finding about this operation, never a crash
        return {"error": f"{type(exc).__name__}: {exc}".splitlines()[0]}
    return {**described, **_instance(cls)} if cls is not None else described


def _instance(cls: type) -> dict[str, Any]:
    """An instance method's object: the schema of its constructor arguments, or why it cannot be rebuilt."""
    try:
        problem = unrebuildable(cls)
        return {"instance_error": problem} if problem else {"instance": instance_schema(cls)}
    except Exception as exc:  # a constructor whose hints do not resolve, ...
        return {"instance_error": f"{type(exc).__name__}: {exc}".splitlines()[0]}


BOOT_IMPORTS = "boot-imports"  # never an operation's name (those are dotted Python names)


def main() -> None:
    request = json.load(sys.stdin)
    before = set(sys.modules)
    try:
        boot(request.get("framework"))
    except BootError as exc:  # no operation can be described without its framework
        json.dump({"boot_error": str(exc).splitlines()[0]}, sys.stdout)
        return
    booted = sorted({name.partition(".")[0] for name in set(sys.modules) - before} - set(sys.stdlib_module_names))
    answer: dict[str, Any] = {op["operation"]: describe(op) for op in request["operations"]}
    answer[BOOT_IMPORTS] = {"modules": booted}
    json.dump(answer, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
