"""What to generate, as plain frozen values: the extraction model.

`build_extraction(graph, plan, names)` decides, without reading any source file, which
operations each chosen service exposes, which modules its package carries (its own, the
shared and monolith modules they import, as the original code; other extracted services'
modules as proxies), which services it calls, and which hazards stand in the way.
Everything later (contracts, packages, the strangled monolith) is rendered from this.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from analyzer.boundaries.hazards import WARNING, Finding, signature_problems
from analyzer.boundaries.metrics import score
from analyzer.boundaries.partition import public_functions
from analyzer.boundaries.placement import Placement, units_of
from analyzer.boundaries.plan import Invocation, Plan, assign
from analyzer.errors import InputError
from analyzer.graph import CodeGraph

SYNC = Invocation("sync")
_EXCEPTION_BASES = frozenset({"Exception", "BaseException"})
LAMBDA_MODULE_STATE = "lambda-module-state"


@dataclass(frozen=True)
class OperationSpec:
    """A public top-level function of an extracted module: one operation of its service."""

    name: str  # the function's qualified name, which is also the operation's name on the wire
    module: str
    function: str
    location: str  # file:line in the source tree
    invocation: Invocation
    signature: str  # parameters and return as written in the source
    raises: tuple[str, ...] = ()  # exception classes it (or code it calls in its service) raises


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    function_name: str  # the Lambda function's name
    memory: int
    timeout: int
    modules: tuple[str, ...]  # its own modules, as the original code
    copied: tuple[str, ...]  # shared or monolith modules its code imports, as the original code
    proxied: tuple[str, ...]  # modules of other extracted services it imports, as proxies
    operations: tuple[OperationSpec, ...]
    calls: tuple[str, ...]  # the other extracted services whose modules it imports
    tables: tuple[str, ...] = ()  # tables its code writes
    functions: str = "per-service"  # or "per-operation": one Lambda per direct operation
    runtime: str = "python3.12"

    def function_of(self, op: OperationSpec) -> str:
        """The Lambda function a direct call of `op` goes to: its own when the plan says one
        per operation, else the service's (which also takes direct calls of triggered ones)."""
        if self.has_own_function(op):
            return f"{self.function_name}-{op.function.replace('_', '-')}"[:64]
        return self.function_name

    def has_own_function(self, op: OperationSpec) -> bool:
        return self.functions == "per-operation" and op.invocation.kind in ("sync", "async")


@dataclass(frozen=True)
class Extraction:
    project: str  # the source tree's name: the prefix of every function name
    services: tuple[ServiceSpec, ...]
    owner: Mapping[str, str]  # extracted module -> its service (these become proxies)
    findings: tuple[Finding, ...]  # hazards that concern the extracted services
    files: Mapping[str, str] = field(default_factory=dict)  # module -> source file, relative to the root

    def operations(self) -> list[OperationSpec]:
        return [op for service in self.services for op in service.operations]


def build_extraction(graph: CodeGraph, plan: Plan, names: Iterable[str] = ()) -> Extraction:
    """The extraction of the services called `names` (every service of the plan when empty)."""
    chosen = _chosen(plan, names)
    placement = assign(plan, units_of(graph))
    owner = {m: placement.place_of(m) for m in graph.nodes("module") if placement.place_of(m) in chosen}
    project = str(graph.meta.get("root") or plan.source)
    services = tuple(_service(graph, plan, name, owner, project) for name in sorted(chosen))
    findings = _findings(graph, placement, services)
    files = {m: str(graph.attr(m, "file")) for m in graph.nodes("module")}
    return Extraction(project, services, dict(sorted(owner.items())), findings, files)


def _chosen(plan: Plan, names: Iterable[str]) -> set[str]:
    chosen = set(names) or set(plan.service_names())
    unknown = sorted(chosen - set(plan.service_names()))
    if unknown:
        raise InputError(f"no service named {', '.join(unknown)} in the plan",
                         hint=f"the plan's services are: {', '.join(plan.service_names())}")
    return chosen


def _service(graph: CodeGraph, plan: Plan, name: str, owner: Mapping[str, str], project: str) -> ServiceSpec:
    spec = plan.service(name)
    assert spec is not None
    own = sorted(m for m, place in owner.items() if place == name)
    needed = _closure(graph, own)
    proxied = sorted(m for m in needed if m in owner and owner[m] != name)
    copied = sorted(m for m in needed if m not in owner)
    invocations = {op.function: op.invocation for op in spec.operations or ()}
    operations = tuple(_operation(graph, f, invocations.get(f, SYNC), set(own)) for f in public_functions(graph, own))
    calls = sorted({owner[m] for m in proxied})
    return ServiceSpec(name, f"{project}-{name}", spec.memory, spec.timeout, tuple(own), tuple(copied),
                       tuple(proxied), operations, tuple(calls), tuple(_tables_written(graph, set(own))),
                       spec.functions, spec.runtime)


def _tables_written(graph: CodeGraph, own: set[str]) -> list[str]:
    return sorted({target.removeprefix("table:") for source, target, _ in graph.dependencies("writes")
                   if target.startswith("table:") and graph.attr(source, "module") in own})


def _closure(graph: CodeGraph, start: Iterable[str]) -> set[str]:
    """Every module reachable from `start` by imports, with the packages that hold them."""
    modules = set(graph.nodes("module"))
    seen: set[str] = set()
    todo = list(start)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo.extend(t for t in graph.targets(module, "imports") if t in modules)
        todo.extend(p for p in _parents(module) if p in modules)
    return seen


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _operation(graph: CodeGraph, function: str, invocation: Invocation, own: set[str]) -> OperationSpec:
    attrs = graph.node(function)
    module = str(attrs["module"])
    return OperationSpec(function, module, function.rsplit(".", 1)[-1], f"{attrs['file']}:{attrs.get('line', 1)}",
                         invocation, signature_text(attrs), tuple(_raises(graph, function, own)))


def signature_text(attrs: Mapping[str, object]) -> str:
    """`(a: int, *, b: str = 'x') -> bool`, from the graph's parameter facts."""
    params: list[str] = []
    keyword_only = False
    for p in attrs.get("params", ()):  # type: ignore[attr-defined]
        if p["kind"] == "keyword" and not keyword_only:
            params.append("*")
        keyword_only = keyword_only or p["kind"] in ("keyword", "vararg")
        prefix = {"vararg": "*", "varkw": "**"}.get(p["kind"], "")
        text = prefix + p["name"] + (f": {p['annotation']}" if p.get("annotation") else "")
        params.append(text + (" = ..." if p.get("default") else ""))
    returns = f" -> {attrs['returns']}" if attrs.get("returns") else ""
    return f"({', '.join(params)}){returns}"


def _raises(graph: CodeGraph, function: str, own: set[str]) -> list[str]:
    """Exception classes instantiated by `function` or by the code it calls inside its service."""
    seen: set[str] = set()
    todo = [function]
    raised: set[str] = set()
    while todo:
        code = todo.pop()
        if code in seen:
            continue
        seen.add(code)
        raised.update(c for c in graph.targets(code, "instantiates") if _is_exception(graph, c))
        todo.extend(t for t in graph.targets(code, "calls") if graph.attr(t, "module") in own)
    return sorted(raised)


def _is_exception(graph: CodeGraph, cls: str, depth: int = 0) -> bool:
    if depth > 20:
        return False
    for base in graph.targets(cls, "inherits"):
        short = base.rsplit(".", 1)[-1]
        if short in _EXCEPTION_BASES or short.endswith(("Error", "Exception")):
            return True
        if _is_exception(graph, base, depth + 1):
            return True
    return False


def _findings(graph: CodeGraph, placement: Placement, services: tuple[ServiceSpec, ...]) -> tuple[Finding, ...]:
    """Hazards of the extracted services: the plan's scores, and every operation's signature."""
    names = {s.name for s in services}
    found = {f for f in score(graph, placement).findings if f.service in names}
    models = {c for c in graph.nodes("class") if graph.targets(c, "maps_to")}
    for service in services:
        for op in service.operations:
            named = {m.rsplit(".", 1)[-1]: m for m in graph.targets(op.name, "uses_type") if m in models}
            found.update(p.found(op.location, op.name, service.name)
                         for p in signature_problems(op.name, graph.node(op.name), named))
        found.update(_state_findings(graph, service))
    return tuple(sorted(found, key=Finding.sort_key))


def _state_findings(graph: CodeGraph, service: ServiceSpec) -> list[Finding]:
    """Module state its code changes at run time: on Lambda, calls land on any of several
    execution environments and a cold start begins empty, so what one call keeps there the
    next may not find. (In the monolith, and in serve or the local transport, it works.)"""
    own = set(service.modules)
    found = []
    for variable in graph.nodes("variable"):
        if graph.attr(variable, "module") not in own or not graph.attr(variable, "state"):
            continue
        writers = sorted(w for w in graph.sources(variable, "writes")
                         if graph.attr(w, "kind") in ("function", "method"))
        if writers:
            location = f"{graph.attr(variable, 'file')}:{graph.attr(variable, 'line') or 1}"
            found.append(Finding(
                LAMBDA_MODULE_STATE, WARNING, location, variable, service.name,
                f"module state {variable} is changed by {writers[0]}" + (f" and {len(writers) - 1} more"
                                                                         if len(writers) > 1 else "")
                + ": on Lambda, each call may run in another execution environment, and a cold start begins "
                "empty, so what one call keeps here the next may not see",
                "keep it in a table, a queue or a cache service (DynamoDB, SQS, ElastiCache), or accept it as a "
                "per-environment cache"))
    return found
