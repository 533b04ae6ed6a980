"""Contract documents: what each operation accepts, returns and raises, as JSON files.

The schemas themselves come from the runtime's `contract_of` (pydantic), run in a child
process over the monolith's source because building them needs the real types; this
module turns them into the documented contract file (docs/extract-format.md), which
`contracts check` later compares with the source.

Importing the monolith's modules runs their import-time code. The child therefore runs
with a timeout (`import_timeout`, killed with everything it started when it passes) and
without AWS credentials in its environment: every `AWS_*` variable is removed except the
region (`KEPT_AWS`), so import-time code cannot reach an AWS account with the user's keys.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from analyzer.boundaries.hazards import ERROR, Finding
from analyzer.errors import InputError

from .deploy.limits import ASYNC_PAYLOAD, SYNC_PAYLOAD
from .model import OperationSpec
from .runtime.m2l_runtime.processes import run_in_session

FORMAT = "mono2lambda-contract"
VERSION = 1
RUNTIME_ROOT = Path(__file__).with_name("runtime")
CONTRACT_UNAVAILABLE = "contract-unavailable"
DEFAULT_IMPORT_TIMEOUT = 120.0  # seconds the child gets to import the monolith's modules and describe them
KEPT_AWS = frozenset({"AWS_REGION", "AWS_DEFAULT_REGION"})
BOOT_IMPORTS = "boot-imports"  # describe's answer: {"modules": top-level modules booting the framework imported}

ERROR_ENVELOPE: dict[str, Any] = {
    "title": "Error",
    "description": "What the service answers, under the key `error`, when the operation raised; the same "
                   "keys as Lambda's own error payload.",
    "type": "object",
    "properties": {
        "errorType": {"type": "string", "description": "the exception's qualified class name"},
        "errorMessage": {"type": "string"},
        "args": {"type": "array", "description": "the exception's args"},
        "attributes": {"type": "object", "description": "the exception's attributes"},
    },
    "required": ["errorType", "errorMessage"],
}


def describe_operations(source_root: Path, operations: Sequence[OperationSpec],
                        import_timeout: float = DEFAULT_IMPORT_TIMEOUT, framework: Mapping[str, str] | None = None,
                        python: str | None = None, runtime_path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Request and response schemas per operation, built by importing the monolith's code
    in a child process (so it never runs inside mono2lambda's own; see the module's docstring),
    after booting its framework there (Django settings, a Flask app), with `python` (the app's
    own interpreter) when given; `runtime_path`: a folder with what the runtime needs (pydantic 2)
    for an interpreter that lacks it, put before the app's own packages."""
    if not operations:
        return {}
    source_root = source_root.resolve()  # the child runs in it: a relative path would point elsewhere
    request = {"framework": dict(framework or {}) or None,
               "operations": [{"operation": op.name, "module": op.module, "function": op.function,
                               **({"include": list(op.include)} if op.include else {})}
                              for op in operations]}
    path = [str(RUNTIME_ROOT), *([str(runtime_path.resolve())] if runtime_path else []), str(source_root)]
    env = {**import_environment(os.environ), "PYTHONPATH": os.pathsep.join(path),
           "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        child = run_in_session([python or sys.executable, "-m", "m2l_runtime.describe"], import_timeout,
                               input=json.dumps(request), cwd=source_root, env=env)
    except subprocess.TimeoutExpired:
        raise InputError(f"importing the monolith's modules (in {source_root}) did not finish within "
                         f"{import_timeout:g} seconds; its import-time code was stopped",
                         hint="raise --import-timeout, or keep slow work (connections, downloads) out of "
                              "import time") from None
    if child.returncode != 0:
        raise _child_failure(child.stderr, python)
    answer = json.loads(child.stdout)
    if "boot_error" in answer:
        raise InputError(f"could not start the monolith's framework to read its types: {answer['boot_error'][:500]}",
                         hint="check `framework:` in the plan (django_settings, flask_app), and that the app's "
                              "dependencies are installed where extract runs (or pass --python)")
    return answer  # type: ignore[no-any-return]


SUPPORTED = "mono2lambda runs on Python 3.10 or newer; the analysed app's Python (--python) must be 3.10 or " \
            "newer with pydantic>=2.11 installed"


def _child_failure(stderr: str, python: str | None) -> InputError:
    last = (stderr.strip().splitlines() or ["no output"])[-1]
    if "No module named 'pydantic" in stderr or "SyntaxError" in stderr:  # pydantic or pydantic_core
        return InputError(f"{python or sys.executable} cannot build contracts: {last[:300]}",
                          hint=f"{SUPPORTED} (pip install 'pydantic>=2.11' there)")
    return InputError(f"could not import the monolith's code to read its types: {last[:500]}",
                      hint="run extract with the Python environment the monolith runs in (--python PATH)")


def import_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The child's environment: this one without AWS credentials (every AWS_* but the region)."""
    return {name: value for name, value in environ.items()
            if not name.upper().startswith("AWS_") or name.upper() in KEPT_AWS}


def contract_document(service: str, op: OperationSpec, described: Mapping[str, Any],
                      boots_django: bool = False) -> dict[str, Any]:
    """`boots_django`: the service's package boots Django, so its handler runs each operation that
    does not opt out in a `transaction.atomic()` of its own (describe boots the project's framework
    for every operation, so it can only say which would)."""
    settings = dict(op.invocation.settings)
    own = described.get("transaction") or ("own" if boots_django and described.get("django_atomic") else None)
    return {
        "format": FORMAT,
        "version": VERSION,
        "service": service,
        "operation": op.name,
        "invocation": {"kind": op.invocation.kind, "settings": settings},
        "max_request_bytes": SYNC_PAYLOAD if op.invocation.kind == "sync" else ASYNC_PAYLOAD,
        "source": {"location": op.location, "signature": op.signature, "signature_hash": signature_hash(op)},
        "request": described.get("request", {}),
        "response": described.get("response", {}),
        "errors": {"domain": list(op.raises), "envelope": ERROR_ENVELOPE},
        # "own": the service runs it in a unit of work of its own (a session it opens, or a Django atomic())
        **({"transaction": own} if own else {}),
        # an instance method: the constructor arguments of the object it runs on, rebuilt by the service
        **({"instance": described["instance"]} if op.method_kind == "instance" and "instance" in described else {}),
    }


def signature_hash(op: OperationSpec) -> str:
    return hashlib.blake2b(f"{op.name}{op.signature}".encode(), digest_size=16).hexdigest()


def contract_findings(service: str, op: OperationSpec, described: Mapping[str, Any]) -> list[Finding]:
    if "error" not in described:
        return []
    return [Finding(CONTRACT_UNAVAILABLE, ERROR, op.location, op.name, service,
                    f"no contract could be built from {op.name}'s type hints: {described['error']}",
                    "give every parameter and the return a type pydantic can serialise")]


def dumps(document: object) -> str:
    """JSON as every generated file writes it: sorted keys, two-space indent, final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
