"""The project's own decorators: where they run when code moves behind a wire.

A function of the project used as a decorator (`@require_customer`, `@audited("x")`,
`@periodic(every_minutes=5)`: the source of a `decorates` edge) is applied where the
decorated code is, at import, in that process. So it is not an operation: when its module
moves into a service, the proxy keeps it as code (like the module's classes and private
helpers), and what it calls of its module goes through the proxy as any call does.

Two kinds, from what its code does:
- it **registers** (its code, or a function nested in it, writes a module variable: a
  registry such as `JOBS[fn.__name__] = ...`): applied in one process, the registration is
  seen there only;
- it **wraps** (anything else): each call of the decorated function runs it.

An operation decorated with one of them keeps it in the service, where its module travels
(own, shared or kept in a proxy): a wrapping decorator runs there, once, so the proxy drops
it; a registering one is kept on the proxy as well, so the caller's process registers the
proxy (its registry then calls the service).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..graph import CodeGraph

WRAPS = "wraps"
REGISTERS = "registers"


def project_decorators(graph: CodeGraph) -> dict[str, tuple[str, ...]]:
    """Every project function used as a decorator, with the module variables its code writes
    (empty for a wrapping decorator)."""
    decorators = {source for source, _, _ in graph.dependencies("decorates")
                  if graph.attr(source, "kind") == "function"}
    written: dict[str, set[str]] = {d: set() for d in decorators}
    for source, target, _ in graph.dependencies("writes"):
        if graph.attr(target, "kind") != "variable":
            continue
        owner = source.split(".<locals>.", 1)[0]
        if owner in written:
            written[owner].add(target)
    return {d: tuple(sorted(variables)) for d, variables in sorted(written.items())}


def mode_of(registries: tuple[str, ...]) -> str:
    return REGISTERS if registries else WRAPS


def decorations(graph: CodeGraph, decorated: str, decorators: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """The project decorators applied to `decorated`, by the name its decorator text ends with
    (`audited` for `@audited("x")`, `require_customer` for `@auth.require_customer`), with
    their mode."""
    return {d.rsplit(".", 1)[-1]: mode_of(decorators[d]) for d in graph.sources(decorated, "decorates")
            if d in decorators}
