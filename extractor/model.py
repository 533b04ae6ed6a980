"""What to generate, as plain frozen values: the extraction model.

`build_extraction(graph, plan, names, framework)` decides, without reading any source
file, which operations each chosen service exposes, which modules its package carries (its
own, the shared and monolith modules its operations can reach, as the original code; other
extracted services' modules as proxies), what it boots at cold start (the Django settings
and the installed apps' modules, or the Flask app), which services it calls, and which
hazards stand in the way. Everything later (contracts, packages, the strangled monolith)
is rendered from this.

Which modules a package needs (`_Reach`): a module is needed when it is one of the
service's own, when a needed module imports it at its top level (import-time code runs
whenever the module is imported; an import inside a class body counts, since class bodies
run at import), when it holds a package of a needed module (`a/__init__.py` runs before
`a.b`), or when code that runs holds an import of it inside its body. Code that runs:
the operations, each needed module's module-level code, its classes and their methods (an instance can reach any
method, dunder methods and properties included, without a call the graph can see), and
whatever these call, instantiate, pass as a callback or decorate with, when its module is
needed (a call alone never brings a module in: code of a module nothing imports cannot run,
as a decorator's wrapper "calling" a callback defined in some other module shows). A
module only the body of an unreached function imports is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from analyzer.boundaries.decorating import decorations, project_decorators
from analyzer.boundaries.hazards import (
    ERROR,
    INSTANCE_METHOD_ACROSS,
    ORM_CONVERTED,
    WARNING,
    WIRE_UNSAFE_TYPE,
    Finding,
    Problem,
    signature_problems,
)
from analyzer.boundaries.metrics import score
from analyzer.boundaries.partition import public_functions
from analyzer.boundaries.placement import Placement, units_of
from analyzer.boundaries.plan import Invocation, Operation, Plan, assign
from analyzer.boundaries.plan.model import DEFAULT_RUNTIME, Vpc
from analyzer.errors import InputError
from analyzer.graph import CodeGraph

from .framework import Framework
from .objects import class_operations, object_findings

SYNC = Invocation("sync")
_FACTORY_KEYS = ("flask_app", "sqlalchemy_session")  # boot entries naming code the handler calls
_EXCEPTION_BASES = frozenset({"Exception", "BaseException"})
LAMBDA_MODULE_STATE = "lambda-module-state"


@dataclass(frozen=True)
class OperationSpec:
    """One operation of a service: a public top-level function of an extracted module, or a
    method of one of its classes that the plan names (objects.py)."""

    name: str  # the function's qualified name, which is also the operation's name on the wire
    module: str
    function: str  # its name in the module: `function`, or `Class.method`
    location: str  # file:line in the source tree
    invocation: Invocation
    signature: str  # parameters and return as written in the source
    raises: tuple[str, ...] = ()  # exception classes it (or code it calls in its service) raises
    cls: str = ""  # a method's class (qualified name)
    method_kind: str = ""  # a method's kind: static, class or instance
    discard_instance_changes: bool = False  # the plan accepts that an instance method's changes stay in the service
    include: tuple[str, ...] = ()  # the plan's `include`: relationships of the rows it returns, sent along
    # the project's decorators on it, by the name its decorator text ends with: WRAPS or REGISTERS
    # (analyzer/boundaries/decorating.py); they run in the service, where their modules travel
    decorators: tuple[tuple[str, str], ...] = ()

    @property
    def entry(self) -> str:
        """Its name as a Python identifier: a triggered operation's entry point in handler.py."""
        return self.function.replace(".", "_")


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
    boot: tuple[tuple[str, str], ...] = ()  # the framework its handler boots: django_settings, flask_app
    environment: tuple[tuple[str, str], ...] = ()  # the plan's variables
    secrets: tuple[tuple[str, str], ...] = ()  # variable -> ssm:/path or secretsmanager:name-or-arn
    vpc: Vpc | None = None
    layers: tuple[str, ...] = ()
    policies: tuple[object, ...] = ()  # managed policy ARNs or IAM statements
    kept: tuple[str, ...] = ()  # functions of its modules proxies keep as code: the project's decorators,
    # and internal functions (extractor/internal.py)
    imports: tuple[str, ...] = ()  # the third-party modules its packaged modules import, sorted

    @property
    def packaged(self) -> tuple[str, ...]:
        """Every module the package carries: its own, the copied ones, the proxies of other services'."""
        return (*self.modules, *self.copied, *self.proxied)

    def function_of(self, op: OperationSpec) -> str:
        """The Lambda function a direct call of `op` goes to: its own when the plan says one
        per operation, else the service's (which also takes direct calls of triggered ones)."""
        if self.has_own_function(op):
            return f"{self.function_name}-{op.entry.replace('_', '-')}"[:64]
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


def build_extraction(graph: CodeGraph, plan: Plan, names: Iterable[str] = (),
                     framework: Framework | None = None, runtime: str = DEFAULT_RUNTIME) -> Extraction:
    """The extraction of the services called `names` (every service of the plan when empty);
    `framework` is what the packages boot when their code uses it (none when left out);
    `runtime` is the Lambda runtime of a service whose plan names none."""
    chosen = _chosen(plan, names)
    placement = assign(plan, units_of(graph))
    owner = {m: placement.place_of(m) for m in graph.nodes("module") if placement.place_of(m) in chosen}
    project = str(graph.meta.get("root") or plan.source)
    reach = _Reach(graph)
    decorators = project_decorators(graph)
    services = tuple(_service(graph, plan, name, owner, project, reach, framework or Framework(), runtime,
                              decorators) for name in sorted(chosen))
    findings = _findings(graph, placement, services, plan)
    files = {m: str(graph.attr(m, "file")) for m in graph.nodes("module")}
    return Extraction(project, services, dict(sorted(owner.items())), findings, files)


def _chosen(plan: Plan, names: Iterable[str]) -> set[str]:
    chosen = set(names) or set(plan.service_names())
    unknown = sorted(chosen - set(plan.service_names()))
    if unknown:
        raise InputError(f"no service named {', '.join(unknown)} in the plan",
                         hint=f"the plan's services are: {', '.join(plan.service_names())}")
    return chosen


def _service(graph: CodeGraph, plan: Plan, name: str, owner: Mapping[str, str], project: str, reach: _Reach,
             framework: Framework, runtime: str, decorators: Mapping[str, tuple[str, ...]]) -> ServiceSpec:
    spec = plan.service(name)
    assert spec is not None
    own = sorted(m for m, place in owner.items() if place == name)
    public = public_functions(graph, own)
    functions = [f for f in public if f not in decorators]  # a decorator is applied where its target is
    needed = reach.modules(own, functions)
    imports = external_imports(graph, needed)
    boot = _boot(framework, imports) + _orm_boot(plan, imports)
    if boot:  # what the framework imports at cold start: settings, installed apps, the app factory, and
        # what the app factory and the session factory run (a session factory that imports every models
        # module before creating the tables brings them in)
        factories = [value.replace(":", ".") for key, value in boot if key in _FACTORY_KEYS]
        needed |= reach.modules([*own, *_boot_modules(graph, dict(boot))], [*functions, *factories])
        imports = external_imports(graph, needed)
    proxied = sorted(m for m in needed if m in owner and owner[m] != name)
    copied = sorted(m for m in needed if m not in owner)
    invocations = {op.function: op.invocation for op in spec.operations or ()}
    operations = tuple(_operation(graph, f, invocations.get(f, SYNC), set(own), decorators) for f in functions)
    operations += tuple(_method_operation(graph, method, entry, set(own), decorators)
                        for method, entry in class_operations(graph, spec.operations or (), set(own)).items())
    includes = {op.function: op.include for op in spec.operations or () if op.include}
    operations = tuple(replace(op, include=includes.get(op.name) or includes.get(op.cls, ()))  # or its class's
                       for op in operations)
    calls = sorted({owner[m] for m in proxied})
    return ServiceSpec(name, f"{project}-{name}", spec.memory, spec.timeout, tuple(own), tuple(copied),
                       tuple(proxied), operations, tuple(calls), tuple(_tables_written(graph, set(own))),
                       spec.functions, spec.runtime or runtime, boot, spec.environment, spec.secrets, spec.vpc,
                       spec.layers, spec.policies, tuple(f for f in public if f in decorators), tuple(imports))


def external_imports(graph: CodeGraph, modules: Iterable[str]) -> list[str]:
    """The third-party modules `modules` import (the graph's external nodes), sorted."""
    return sorted({t for m in modules for t in graph.targets(m, "imports") if graph.attr(t, "kind") == "external"})


def _boot(framework: Framework, imports: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The framework a package boots: Django when its code imports Django, the Flask app when
    its code imports Flask or a Flask extension (a package that never touches the framework
    is not made to start it)."""
    externals = {t.partition(".")[0] for t in imports}
    boot = []
    if framework.django_settings and any(e == "django" or e.startswith("rest_framework") for e in externals):
        boot.append(("django_settings", framework.django_settings))
    if framework.flask_app and any(e == "flask" or e.startswith("flask_") for e in externals):
        boot.append(("flask_app", framework.flask_app))
    return tuple(boot)


def _orm_boot(plan: Plan, imports: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The session factory (the plan's `framework: {sqlalchemy_session: ...}`) a package's
    handler opens an operation's own unit of work with, when its code imports SQLAlchemy."""
    factory = dict(plan.framework).get("sqlalchemy_session")
    if factory and any(t.partition(".")[0] == "sqlalchemy" for t in imports):
        return (("sqlalchemy_session", factory),)
    return ()


def _boot_modules(graph: CodeGraph, boot: Mapping[str, str]) -> list[str]:
    """The modules a framework imports when it starts, beyond what the code imports.

    Django: the settings module, and for each local app in INSTALLED_APPS its package, its
    `apps` and `models` modules (with the modules of a `models` package) and, with the admin
    installed, its `admin` module (`django.setup()` imports each; the admin's `ready()`
    autodiscovers). The original settings are kept whole: a per-service settings module
    listing fewer apps would break relations and migrations between apps.
    Flask: the module of the app factory (or app object)."""
    modules = set(graph.nodes("module"))
    found: list[str] = []
    settings = boot.get("django_settings")
    if settings:
        found.append(settings)
        django = (graph.meta.get("frameworks") or {}).get("django") or {}
        installed = [str(app) for app in django.get("installed_apps") or ()]
        parts = ["apps", "models", *(["admin"] if "django.contrib.admin" in installed else [])]
        for app in installed:
            package = app if app in modules else app.rpartition(".")[0].removesuffix(".apps")
            if package not in modules:
                continue  # a third-party app: installed with the requirements
            found.append(package)
            found.extend(m for m in modules if any(m == f"{package}.{part}" or m.startswith(f"{package}.{part}.")
                                                   for part in parts))
    for key in ("flask_app", "sqlalchemy_session"):
        if boot.get(key):
            found.append(boot[key].partition(":")[0])
    return [m for m in found if m in modules]


def _tables_written(graph: CodeGraph, own: set[str]) -> list[str]:
    return sorted({target.removeprefix("table:") for source, target, _ in graph.dependencies("writes")
                   if target.startswith("table:") and graph.attr(source, "module") in own})


_CODE = ("function", "method", "class")
_RUNS = ("calls", "instantiates", "references", "decorates", "inherits")


class _Reach:
    """The modules a package needs, from its own modules and its operations (the rule is in
    the module's docstring). Indexes the graph's imports once: which are at a module's top
    level, and which lie inside a function's or method's body (by line)."""

    def __init__(self, graph: CodeGraph) -> None:
        self.graph = graph
        self.known = set(graph.nodes("module"))
        self.top: dict[str, set[str]] = {}  # module -> modules it imports at its top level
        self.inside: dict[str, set[str]] = {}  # function or method -> modules imported in its body
        self.members: dict[str, list[str]] = {}  # module -> its classes and methods
        spans: dict[str, list[tuple[int, int, str]]] = {}
        for code in graph.nodes(*_CODE):
            module = graph.attr(code, "module")
            if graph.attr(code, "kind") in ("class", "method"):
                self.members.setdefault(module, []).append(code)
            if graph.attr(code, "kind") in ("function", "method") and graph.attr(code, "line"):
                end = graph.attr(code, "end_line") or graph.attr(code, "line") + (graph.attr(code, "size") or 1) - 1
                spans.setdefault(module, []).append((int(graph.attr(code, "line")), int(end), code))
        for source, target, edge in graph.dependencies("imports"):
            if target not in self.known or source not in self.known:
                continue
            for line in edge.get("lines") or (0,):
                holders = [code for start, end, code in spans.get(source, ()) if start < line <= end]
                for code in holders:
                    self.inside.setdefault(code, set()).add(target)
                if not holders:
                    self.top.setdefault(source, set()).add(target)

    def modules(self, start: Iterable[str], code: Iterable[str]) -> set[str]:
        graph = self.graph
        needed: set[str] = set()
        reached: set[str] = set()
        waiting: dict[str, list[str]] = {}  # module no import reaches yet -> its code that was called
        modules, todo = list(start), list(code)
        while modules or todo:
            while modules:
                module = modules.pop()
                if module in needed or module not in self.known:
                    continue
                needed.add(module)
                modules.extend(_parents(module))
                modules.extend(self.top.get(module, ()))
                todo.append(module)  # its module-level code runs when it is imported
                todo.extend(self.members.get(module, ()))
                todo.extend(waiting.pop(module, ()))
            while todo:
                code = todo.pop()
                if code in reached or code not in graph:
                    continue
                owner = graph.attr(code, "module") or code
                if owner not in needed:  # code of a module nothing imports cannot run here (a callback
                    waiting.setdefault(owner, []).append(code)  # the graph saw passed in elsewhere)
                    continue
                reached.add(code)
                modules.extend(self.inside.get(code, ()))
                todo.extend(t for kind in _RUNS for t in graph.targets(code, kind)
                            if graph.attr(t, "kind") in _CODE)
        return needed


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _operation(graph: CodeGraph, function: str, invocation: Invocation, own: set[str],
               decorators: Mapping[str, tuple[str, ...]]) -> OperationSpec:
    attrs = graph.node(function)
    module = str(attrs["module"])
    return OperationSpec(function, module, function.rsplit(".", 1)[-1], f"{attrs['file']}:{attrs.get('line', 1)}",
                         invocation, signature_text(attrs), tuple(_raises(graph, function, own)),
                         decorators=tuple(sorted(decorations(graph, function, decorators).items())))


def _method_operation(graph: CodeGraph, method: str, entry: Operation, own: set[str],
                      decorators: Mapping[str, tuple[str, ...]]) -> OperationSpec:
    """A method the plan names (or whose class it names), invoked as its entry says."""
    op = _operation(graph, method, entry.invocation, own, decorators)
    cls = method.rsplit(".", 1)[0]
    return replace(op, function=method.removeprefix(op.module + "."), cls=cls,
                   method_kind=str(graph.attr(method, "method_kind") or "instance"),
                   discard_instance_changes=entry.discard_instance_changes)


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


def _findings(graph: CodeGraph, placement: Placement, services: tuple[ServiceSpec, ...],
              plan: Plan) -> tuple[Finding, ...]:
    """Hazards of the extracted services: the plan's scores, and every operation's signature."""
    names = {s.name for s in services}
    methods = {op.name for service in services for op in service.operations if op.cls}
    operations = {op.name for service in services for op in service.operations}
    found = {f for f in score(graph, placement).findings if f.service in names  # objects.py says what holds:
             and not (f.kind == INSTANCE_METHOD_ACROSS and f.subject in methods)
             and not (f.kind == ORM_CONVERTED and f.subject in operations)}  # as the plan has them, below
    models = {c for c in graph.nodes("class") if graph.targets(c, "maps_to")}
    django = frozenset(m for m in models if django_model(graph, m))
    for service in services:
        unconverted = _unconverted(plan, service.name)
        for op in service.operations:
            named = {m.rsplit(".", 1)[-1]: m for m in graph.targets(op.name, "uses_type") if m in models}
            for problem in signature_problems(op.name, graph.node(op.name), named, django):
                if op.cls and problem.kind == INSTANCE_METHOD_ACROSS:
                    continue  # objects.py says what holds
                problem = _without_factory(_with_include(problem, op), service)
                if op.name in unconverted or op.cls in unconverted:  # named alone, or its whole class
                    problem = _turned_off(problem)
                found.add(problem.found(op.location, op.name, service.name))
        found.update(_state_findings(graph, service))
        found.update(object_findings(graph, service.name, service.operations))
    return tuple(sorted(found, key=Finding.sort_key))


def django_model(graph: CodeGraph, cls: str, depth: int = 0) -> bool:
    """Whether `cls` is a Django model: one of its bases, at any depth, is Django's."""
    return depth < 20 and any(base.startswith("django.") or django_model(graph, base, depth + 1)
                              for base in graph.targets(cls, "inherits"))


def _unconverted(plan: Plan, service: str) -> set[str]:
    """The operations, and the classes of operations, the plan keeps out of the ORM conversions
    (`convert_orm: false`)."""
    spec = plan.service(service)
    return {op.function for op in (spec.operations or ()) if spec and not op.convert_orm} if spec else set()


def _without_factory(problem: Problem, service: ServiceSpec) -> Problem:
    """A session or SQLAlchemy row the service would convert blocks after all when its package
    names no session factory to open its own unit of work with."""
    if problem.kind != ORM_CONVERTED or not problem.needs_session or "sqlalchemy_session" in dict(service.boot):
        return problem
    return Problem(WIRE_UNSAFE_TYPE, ERROR, problem.message.split(":")[0] + " and cannot cross a wire: the "
                   "service names no session factory to open a unit of work of its own with",
                   "name it in the plan: `framework: {sqlalchemy_session: \"pkg.db:session_scope\"}` (a "
                   "sessionmaker, or a function giving a session or a context manager that yields one)")


def _with_include(problem: Problem, op: OperationSpec) -> Problem:
    """A returned row's warning names the relationships the plan has the service send along."""
    laziness = "laziness: no relationships, loading one raises"
    if problem.kind != ORM_CONVERTED or not op.include or laziness not in problem.message:
        return problem
    listed = ", ".join(repr(name) for name in op.include)
    return replace(problem, message=problem.message.replace(
        laziness, f"laziness: the plan's include sends {listed} along, loaded by the service, as read-only copies; "
                  "any other relationship raises"))


def _turned_off(problem: Problem) -> Problem:
    """A conversion the plan turns off for the operation blocks, as it did before conversions."""
    if problem.kind != ORM_CONVERTED:
        return problem
    return Problem(WIRE_UNSAFE_TYPE, ERROR, problem.message.split(":")[0] + " and cannot cross a wire: the plan "
                   "turns the ORM conversions off for this operation (`convert_orm: false`)",
                   "pass ids, plain values or DTOs instead, or remove `convert_orm: false` to have extract convert "
                   "it")


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
