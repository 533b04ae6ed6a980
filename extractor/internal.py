"""Public functions that stay internal to their service: not operations, kept as code by proxies.

Every public top-level function of an extracted module starts as an operation. One whose
types cannot cross a wire (no contract, or a wire-unsafe parameter or result: a
`PaymentGateway` instance, a `DiscountRule`) and that no code outside its service calls
(the graph's calls and references: the service's own code only) is internal to the service:
it is not an operation, so it does not block extraction. The proxy keeps its code, as it
keeps the module's classes and private helpers, so a caller the analysis did not see (a
test, a script) still finds it and runs it in its own process, on the same database; an
`internal-function` warning says so. A function the plan names under `operations`, or
triggered by an event, is always an operation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from analyzer.boundaries.hazards import MISSING_TYPE_HINTS, ORM_CONVERTED, WARNING, WIRE_UNSAFE_TYPE, Finding
from analyzer.boundaries.plan import Plan
from analyzer.graph import CodeGraph

from .contracts import CONTRACT_UNAVAILABLE
from .decorators import DECORATED_OPERATION
from .model import Extraction, OperationSpec, ServiceSpec

INTERNAL_FUNCTION = "internal-function"
_CANNOT_CROSS = frozenset({CONTRACT_UNAVAILABLE, WIRE_UNSAFE_TYPE})
# what is said of an operation as an operation: no longer true of an internal function
_OPERATION_KINDS = _CANNOT_CROSS | {ORM_CONVERTED, MISSING_TYPE_HINTS, DECORATED_OPERATION}
_CALLED = ("calls", "references", "instantiates")


def internal_functions(graph: CodeGraph, plan: Plan, extraction: Extraction,
                       findings: Iterable[Finding]) -> dict[str, tuple[str, ...]]:
    """Per service, the operations that are internal functions (the rule is in the module's docstring)."""
    blocked: dict[str, str] = {}
    for f in findings:
        if f.kind in _CANNOT_CROSS and f.severity != WARNING:
            blocked.setdefault(f.subject, f.message)
    found = {}
    for service in extraction.services:
        spec = plan.service(service.name)
        named = {op.function for op in (spec.operations or ())} if spec is not None else set()
        own = set(service.modules)
        internal = tuple(op.name for op in service.operations
                         if op.name in blocked and op.name not in named and op.invocation.kind in ("sync", "async")
                         and not _called_outside(graph, op.name, own))
        if internal:
            found[service.name] = internal
    return found


def _called_outside(graph: CodeGraph, function: str, own: set[str]) -> bool:
    callers = {c for kind in _CALLED for c in graph.sources(function, kind)}
    return any((graph.attr(c, "module") or c) not in own for c in callers)


def demote(extraction: Extraction, internal: Mapping[str, tuple[str, ...]]) -> Extraction:
    """The extraction without those operations; each service's proxies keep their code."""
    services = []
    for service in extraction.services:
        names = set(internal.get(service.name, ()))
        if names:
            service = replace(service, operations=tuple(op for op in service.operations if op.name not in names),
                              kept=(*service.kept, *sorted(names)))
        services.append(service)
    return replace(extraction, services=tuple(services))


def internal_findings(extraction: Extraction, internal: Mapping[str, tuple[str, ...]],
                      findings: Iterable[Finding]) -> list[Finding]:
    """The findings without those said of the internal functions as operations, plus a warning each."""
    names = {name for names in internal.values() for name in names}
    reasons: dict[str, str] = {}
    kept = []
    for f in findings:
        if f.subject in names and f.kind in _OPERATION_KINDS:
            if f.kind in _CANNOT_CROSS:
                reasons.setdefault(f.subject, f.message)
            continue
        kept.append(f)
    by_name = {op.name: (service, op) for service in extraction.services for op in service.operations}
    return kept + [_warning(*by_name[name], reasons.get(name, "")) for name in sorted(names) if name in by_name]


def _warning(service: ServiceSpec, op: OperationSpec, reason: str) -> Finding:
    return Finding(INTERNAL_FUNCTION, WARNING, op.location, op.name, service.name,
                   f"{op.name} is not an operation of {service.name}: no code outside it calls it and its types "
                   f"cannot cross a wire ({reason.split(': ', 1)[-1][:160]}); the proxy keeps its code, so a caller "
                   "the analysis did not see (a test, a script) runs it in its own process",
                   "if code outside the service needs it, give it wire-safe types (ids, plain values, DTOs)")
