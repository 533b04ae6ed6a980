"""The extract use case: plan + graph + source -> generated/ (packages, monolith, manifest).

Reads and writes at the edges only: the source files and the output folder. Everything in
between is rendered as `{path: bytes}` first, checked, and written in one swap.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from analyzer.boundaries.hazards import Finding
from analyzer.boundaries.plan import Plan
from analyzer.boundaries.plan.model import DEFAULT_RUNTIME, RUNTIMES
from analyzer.errors import InputError, Mono2LambdaError
from analyzer.graph import CodeGraph

from . import requirements as reqs
from .asyncapi import asyncapi_document
from .contracts import (
    BOOT_IMPORTS,
    DEFAULT_IMPORT_TIMEOUT,
    RUNTIME_ROOT,
    contract_document,
    contract_findings,
    describe_operations,
)
from .data_files import named_files
from .decorators import operation_findings
from .framework import Framework, framework_of
from .internal import demote, internal_findings, internal_functions
from .interpreter import Interpreter, distributions, probe, pydantic_version
from .model import Extraction, OperationSpec, ServiceSpec, build_extraction
from .monolith import render_monolith
from .objects import rebuild_findings
from .output import MANIFEST, digest, manifest_document, write_tree
from .package import PackageInputs, PackageSize, package_size, render_package
from .render import render
from .sam import Function, Template, Trigger, render_samconfig, render_template, trigger_order
from .samples import call_site_arguments
from .serve.deps import DEFAULT_CACHE, run_install, runtime_needs_install
from .tree import read_runtime, read_tree
from .triggers import trigger_findings

DIRECT = ("sync", "async")
Progress = Callable[[str], None]


class ExtractionBlocked(Mono2LambdaError):
    """Hazards stand in the way: each finding says where and how to fix it."""

    exit_code = 1

    def __init__(self, findings: Sequence[Finding]) -> None:
        super().__init__(f"{len(findings)} extraction hazard(s) block extraction",
                         hint="fix them in the code or the plan, or pass --force to accept them (they are "
                              "recorded in the manifest)")
        self.findings = tuple(findings)


@dataclass(frozen=True)
class ExtractRequest:
    source: Path
    plan: Plan
    plan_file: Path
    graph: CodeGraph
    graph_text: bytes
    out: Path
    services: tuple[str, ...] = ()
    force: bool = False
    import_timeout: float = DEFAULT_IMPORT_TIMEOUT  # seconds for the child that imports the monolith's modules
    python: str | None = None  # the interpreter that imports them (the app's own), else this one
    cache: Path = DEFAULT_CACHE  # where what the runtime needs is installed for a python that lacks it
    region: str | None = None  # written into each samconfig.toml for `sam deploy`; none: the deployer's own


@dataclass(frozen=True)
class ExtractResult:
    out: Path
    services: tuple[ServiceSpec, ...]
    files: int
    accepted: tuple[Finding, ...]  # blocking hazards accepted with --force
    warnings: tuple[Finding, ...]


def extract(request: ExtractRequest, progress: Progress = lambda _: None) -> ExtractResult:
    if request.out.resolve().is_relative_to(request.source.resolve()):
        raise InputError(f"--out {request.out} is inside the source tree {request.source}, which extract never "
                         "writes into", hint="choose an --out outside it, e.g. generated/ next to it")
    framework = _contract_framework(request)
    app_python = probe(request.python) if request.python else None
    extraction = build_extraction(request.graph, request.plan, request.services, framework, _runtime(app_python))
    for line in _unbooted_flask(request, extraction, framework):
        progress(line)
    progress(f"reading types: importing the monolith's modules from {request.source} ({framework.describe()}), "
             f"which runs their import-time code (a child process, at most {request.import_timeout:g} s, AWS "
             "credentials removed)")
    described = _describe(request, extraction, framework, _runtime_for(app_python, request.cache, progress))
    contracts = _contracts(extraction, described)
    extraction, findings = _without_internal(request, extraction,
                                             _all_findings(extraction, described, contracts, request.graph))
    blocking = tuple(f for f in findings if f.severity == "error")
    if blocking and not request.force:
        raise ExtractionBlocked(blocking)
    progress("rendering packages")
    needs = _requirements(request, extraction, app_python, described.get(BOOT_IMPORTS, {}).get("modules", []),
                          progress)
    files = _render(request, extraction, contracts, needs, progress)
    sizes = {s.name: package_size(files, f"{s.name}/src/") for s in extraction.services}
    for service in extraction.services:
        progress(f"package {service.name}: {sizes[service.name].describe()} (src/, before `sam build` adds "
                 "its requirements)")
    files[MANIFEST] = manifest_document(files, _about(request, extraction, blocking, needs, sizes))
    progress(f"writing {len(files)} files")
    write_tree(request.out, files, force=request.force)
    warnings = tuple(f for f in findings if f.severity != "error")
    return ExtractResult(request.out, extraction.services, len(files), blocking, warnings)


def current_contracts(request: ExtractRequest) -> dict[str, dict[str, dict[str, Any]]]:
    """The contracts the source gives now, per service and operation (nothing is written)."""
    framework = _contract_framework(request)  # as extract() does, so both describe the same packages
    extraction = build_extraction(request.graph, request.plan, request.services, framework)
    described = _describe(request, extraction, framework)
    contracts = _contracts(extraction, described)
    extraction, _ = _without_internal(request, extraction,
                                      _all_findings(extraction, described, contracts, request.graph))
    return {s.name: {op.name: contracts[op.name] for op in s.operations} for s in extraction.services}


Contracts = dict[str, dict[str, Any]]  # operation -> its contract document


def _runtime(app_python: Interpreter | None) -> str:
    """The Lambda runtime of a service whose plan names none: the app's Python when extract was given
    it (--python) and Lambda has that version, else the default (never this process's own version,
    which would make the output depend on where mono2lambda happens to be installed)."""
    if app_python is not None and app_python.runtime in RUNTIMES:
        return app_python.runtime
    return DEFAULT_RUNTIME


def _contract_framework(request: ExtractRequest) -> Framework:
    """What to boot before reading types, and in the packages whose code imports the framework."""
    return framework_of(request.graph, dict(request.plan.framework), request.source)


def _unbooted_flask(request: ExtractRequest, extraction: Extraction, framework: Framework) -> list[str]:
    """A note for each package whose code imports Flask while the plan names no app to boot:
    an operation that needs `current_app` would fail outside an application context."""
    apps = sorted((request.graph.meta.get("frameworks") or {}).get("flask", {}).get("apps") or ())
    if framework.flask_app or not apps:
        return []
    notes = []
    for service in extraction.services:
        if any(t.partition(".")[0] == "flask" or t.startswith("flask_") for t in service.imports):
            notes.append(f"note: package {service.name} imports Flask but boots no app (found: {', '.join(apps)}); "
                         "if its operations use current_app, g or an extension, name the app in the plan: "
                         "`framework: {flask_app: \"pkg.app:create_app\"}`")
    return notes


def _without_internal(request: ExtractRequest, extraction: Extraction,
                      findings: list[Finding]) -> tuple[Extraction, list[Finding]]:
    """Operations no other place calls whose types cannot cross become internal functions
    (extractor/internal.py): not operations, kept as code by the proxies."""
    internal = internal_functions(request.graph, request.plan, extraction, findings)
    if not internal:
        return extraction, findings
    kept = internal_findings(extraction, internal, findings)
    return demote(extraction, internal), sorted(set(kept), key=Finding.sort_key)


def _describe(request: ExtractRequest, extraction: Extraction, framework: Framework,
              runtime_path: Path | None = None) -> dict[str, dict[str, Any]]:
    return describe_operations(request.source, extraction.operations(), request.import_timeout,
                               framework.to_json(), request.python, runtime_path)


def _runtime_for(app_python: Interpreter | None, cache: Path, progress: Progress) -> Path | None:
    """For an app's Python without pydantic 2.11+ (CTFd pins 1.6): a folder with mono2lambda's own
    pydantic installed for it (once, in the cache), so that its types can be read; else None."""
    if app_python is None:
        return None
    found = pydantic_version(app_python)
    if found and reqs.release(found) >= reqs.RUNTIME_MINIMUM["pydantic"]:
        return None
    install = runtime_needs_install(cache, app_python)
    progress(f"the app's Python has {'pydantic ' + found if found else 'no pydantic'}: its types are read with "
             f"{', '.join(install.lines)} installed for it in {install.target} (its code imports that one while "
             "they are read, as it will in the packages)")
    if not install.target.is_dir():
        run_install(install)
    return install.target


def _contracts(extraction: Extraction, described: dict[str, dict[str, Any]]) -> Contracts:
    return {op.name: contract_document(service.name, op, described.get(op.name, {}),
                                       "django_settings" in dict(service.boot))
            for service in extraction.services for op in service.operations}


def _all_findings(extraction: Extraction, described: dict[str, dict[str, Any]], contracts: Contracts,
                  graph: CodeGraph) -> list[Finding]:
    found = list(extraction.findings)
    for service in extraction.services:
        for op in service.operations:
            found.extend(operation_findings(op.name, graph.node(op.name), op.location, service.name,
                                            dict(op.decorators)))
            found.extend(contract_findings(service.name, op, described.get(op.name, {"error": "not described"})))
            found.extend(rebuild_findings(service.name, op, described.get(op.name, {})))
            found.extend(trigger_findings(op, contracts[op.name]))
        found.extend(_clashing_functions(service))
    return sorted(set(found), key=Finding.sort_key)


def _clashing_functions(service: ServiceSpec) -> list[Finding]:
    """Triggered operations (and, one function per operation, every operation) get a Lambda
    named after their function: two with the same name in one service would collide."""
    seen: dict[str, OperationSpec] = {}
    found = []
    for op in service.operations:
        if op.invocation.kind in DIRECT and not service.has_own_function(op):
            continue
        if op.entry in seen:
            found.append(Finding("function-name-clash", "error", op.location, op.name, service.name,
                                 f"{op.name} and {seen[op.entry].name} are both named {op.entry!r}: their "
                                 "Lambda functions (and handler entry points) would collide",
                                 "rename one of them"))
        seen.setdefault(op.entry, op)
    return found


def _requirements(request: ExtractRequest, extraction: Extraction, app_python: Interpreter | None,
                  booted: list[str], progress: Progress) -> dict[str, reqs.Requirements]:
    """Each service's requirements, pinned from the app's lock (else the app's environment: --python's,
    or this one); extract says where the pins came from and which stay unpinned. `booted`: what booting
    the framework imported, needed by every package that boots it."""
    if app_python is not None:
        providers, installed = distributions(app_python)
        versions = reqs.app_versions(request.source, reqs.with_runtime_needs(installed))
    else:
        versions = reqs.app_versions(request.source)
        providers = reqs.installed_providers()  # scans every installed distribution: once
    local = {m.partition(".")[0] for m in extraction.files}
    found = {}
    for service in extraction.services:
        imports = [*service.imports, *_imported_by_name(request.graph, service), *(booted if service.boot else [])]
        found[service.name] = reqs.resolve(reqs.third_party(imports, local), providers, versions)
    for line in reqs.describe(versions, found):
        progress(line)
    return found


def _imported_by_name(graph: CodeGraph, service: ServiceSpec) -> list[str]:
    """What the framework imports by name when the package boots it: Django's INSTALLED_APPS
    (`rest_framework`, `storages`, ...), which no import statement names."""
    if not dict(service.boot).get("django_settings"):
        return []
    django = (graph.meta.get("frameworks") or {}).get("django") or {}
    return [str(app) for app in django.get("installed_apps") or ()]


def _render(request: ExtractRequest, extraction: Extraction, contracts: Contracts,
            needs: Mapping[str, reqs.Requirements], progress: Progress) -> dict[str, bytes]:
    skipped: list[str] = []
    tree = read_tree(request.source, exclude=(request.out,), skipped=skipped)
    for line in skipped:
        progress(f"warning: {line}")
    runtime = read_runtime(RUNTIME_ROOT / "m2l_runtime")
    sources = {m: tree[path] for m, path in extraction.files.items() if path in tree}
    samples = read_samples(request.plan_file.parent / SAMPLES_FOLDER)
    files: dict[str, bytes] = {}
    for service in extraction.services:
        inputs = _package_inputs(extraction, service, contracts, sources, runtime, needs[service.name], samples,
                                 request.region)
        running = {m: sources[m] for m in (*service.modules, *service.copied)}  # proxied modules run no code
        inputs = replace(inputs, data=named_files(running, extraction.files, tree),
                         call_sites={op.name: _call_site_arguments(request.graph, op.name)
                                     for op in service.operations})
        for path, data in render_package(extraction, service, inputs).items():
            files[f"{service.name}/{path}"] = data
    for path, data in render_monolith(extraction, tree, runtime).items():
        files[f"monolith/{path}"] = data
    readme = render("generated_readme.md.j2", project=extraction.project, plan=request.plan_file.name,
                    services=extraction.services)
    files["README.md"] = readme.encode("utf-8")
    return files


def _call_site_arguments(graph: CodeGraph, operation: str) -> dict[str, Any]:
    """What the monolith's calls pass the operation's untyped parameters (for its sample event)."""
    if operation not in graph:
        return {}
    return call_site_arguments(entry for caller in graph.sources(operation, "calls")
                               for entry in graph.edge(caller, operation, "calls").get("arg_values") or ())


SAMPLES_FOLDER = "samples"  # next to the plan: events/ files of your own, copied instead of generated


def read_samples(folder: Path) -> dict[str, bytes]:
    """The sample events the user keeps next to the plan (`samples/<operation>[.<anything>].json`), by name."""
    found = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        data = path.read_bytes()
        try:
            json.loads(data)
        except ValueError as error:
            raise InputError(f"{path} is not JSON ({error})", hint="a sample is the event file as "
                             "events/<operation>.json holds it; fix it or remove it") from None
        found[path.name] = data
    return found


def _package_inputs(extraction: Extraction, service: ServiceSpec, all_contracts: Contracts,
                    sources: dict[str, bytes], runtime: dict[str, str], found: reqs.Requirements,
                    samples: Mapping[str, bytes] | None = None, region: str | None = None) -> PackageInputs:
    contracts = {op.name: all_contracts[op.name] for op in service.operations}
    template = replace(template_view(extraction, service), region=region)
    return PackageInputs(
        sources={m: sources[m] for m in service.packaged}, contracts=contracts, requirements=found.pins,
        runtime=runtime, template=render_template(template), samconfig=render_samconfig(template),
        asyncapi=asyncapi_document(service.name, f"{extraction.project} {service.name}",
                                   [contracts[op.name] for op in service.operations]),
        samples=samples or {})


def template_view(extraction: Extraction, service: ServiceSpec) -> Template:
    """The SAM view of a service: the function(s) for its direct operations, one per event trigger."""
    by_name = {s.name: s for s in extraction.services}
    invokes = tuple(sorted({f for name in service.calls for f in _function_names(by_name[name])}))
    environment = tuple(sorted({**({"M2L_TRANSPORT": "lambda"} if service.calls else {}),
                                **boot_variables(service), **dict(service.environment)}.items()))
    shared = [op for op in service.operations if not service.has_own_function(op)]
    functions = []
    if shared:  # triggered operations too can be called directly (the monolith's proxies do)
        functions.append(Function(
            f"{_camel(service.name)}Function", service.function_name, "handler.handler",
            f"{service.name}: {len(shared)} operation(s), routed by the event's operation name",
            service.memory, service.timeout, any(op.invocation.kind == "async" for op in shared), (),
            invokes, environment, **_deployment(service)))
    functions.extend(Function(
        f"{_camel(op.name)}Function", service.function_of(op), "handler.handler", f"{op.name} (direct calls)",
        service.memory, service.timeout, op.invocation.kind == "async", (), invokes, environment,
        **_deployment(service))
        for op in service.operations if service.has_own_function(op))
    functions.extend(_trigger_function(service, op, invokes, environment)
                     for op in service.operations if op.invocation.kind not in DIRECT)
    return Template(service.name, f"{extraction.project}: the {service.name} service (generated by mono2lambda)",
                    service.runtime, "x86_64", tuple(functions), service.function_name)


def boot_variables(service: ServiceSpec) -> dict[str, str]:
    """What the framework reads from the environment: DJANGO_SETTINGS_MODULE, FLASK_APP."""
    boot = dict(service.boot)
    names = {"django_settings": "DJANGO_SETTINGS_MODULE", "flask_app": "FLASK_APP"}
    return {names[key]: value for key, value in boot.items() if key in names}


def _deployment(service: ServiceSpec) -> dict[str, Any]:
    """The plan's deployment settings, the same for every function of the service."""
    vpc = (service.vpc.subnet_ids, service.vpc.security_group_ids) if service.vpc else None
    return {"secrets": service.secrets, "vpc": vpc, "layers": service.layers, "policies": service.policies}


def _function_names(service: ServiceSpec) -> set[str]:
    return {service.function_of(op) for op in service.operations}


def _trigger_function(service: ServiceSpec, op: OperationSpec, invokes: tuple[str, ...],
                      environment: tuple[tuple[str, str], ...]) -> Function:
    trigger = Trigger(op.invocation.kind, op.invocation.settings)
    name = f"{service.function_name}-{op.entry.replace('_', '-')}"[:64]
    return Function(f"{_camel(op.entry)}Function", name, f"handler.{op.entry}",
                    f"{op.name} on {op.invocation.kind} events", service.memory, service.timeout, False,
                    tuple(sorted([trigger], key=trigger_order)), invokes, environment, **_deployment(service))


def _about(request: ExtractRequest, extraction: Extraction, accepted: Sequence[Finding],
           needs: Mapping[str, reqs.Requirements], sizes: Mapping[str, PackageSize]) -> dict[str, Any]:
    return {
        "source": extraction.project,
        "plan": {"file": request.plan_file.name, "hash": digest(request.plan_file.read_bytes())},
        "graph": {"hash": digest(request.graph_text)},
        "services": {s.name: {"function": s.function_name, "operations": [op.name for op in s.operations],
                              "modules": list(s.modules), "copied": list(s.copied), "proxied": list(s.proxied),
                              "boot": dict(s.boot), "size": sizes[s.name].to_json(),
                              "requirements": reqs.manifest_entry(needs[s.name])}
                     for s in extraction.services},
        "accepted_hazards": [f.to_json() for f in accepted],
    }


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)
