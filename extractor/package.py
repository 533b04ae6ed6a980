"""A service package as files: `{path: text}`, rendered from the extraction model.

Pure: the caller reads the sources and writes the result. Layout (docs/extract-format.md):
template.yaml, samconfig.toml, requirements.txt, README.md, src/ (handler, runtime,
modules), contracts/, events/, tests/.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from tokenize import detect_encoding
from typing import Any

import libcst as cst

from analyzer.errors import InputError

from .codemods.proxy import make_proxy_bytes
from .contracts import dumps
from .events import sample_event
from .model import Extraction, ServiceSpec
from .render import checked_python, render
from .samples import docstring_arguments, docstring_instance


@dataclass(frozen=True)
class PackageInputs:
    """What a package is rendered from, besides the extraction model."""

    sources: Mapping[str, bytes]  # module -> its source file's bytes (in the file's own encoding)
    contracts: Mapping[str, dict[str, Any]]  # operation -> contract document
    requirements: tuple[str, ...]
    runtime: Mapping[str, str]  # file name -> text of the m2l_runtime package
    template: str  # template.yaml
    samconfig: str
    asyncapi: dict[str, Any] | None = None
    samples: Mapping[str, bytes] = field(default_factory=dict)  # events/ file name -> the user's own sample
    data: Mapping[str, bytes] = field(default_factory=dict)  # data files its code names (data_files.py), by path
    # operation -> values the monolith's calls pass its untyped parameters (samples.call_site_arguments)
    call_sites: Mapping[str, dict[str, Any]] = field(default_factory=dict)


def render_package(extraction: Extraction, service: ServiceSpec, inputs: PackageInputs) -> dict[str, bytes]:
    files: dict[str, str] = {}
    files.update(runtime_files(inputs.runtime, services_config(extraction, service.calls, "../..")))
    files.update(_contract_files(service, inputs))
    files["src/handler.py"] = checked_python("src/handler.py", render("handler.py.j2", **_view(extraction, service)))
    files["tests/conftest.py"] = render("conftest.py.j2")
    files["tests/test_handler.py"] = render("test_handler.py.j2", service=service.name)
    files["requirements.txt"] = "".join(f"{line}\n" for line in inputs.requirements)
    files["README.md"] = render("README.md.j2", **_view(extraction, service))
    files["template.yaml"] = inputs.template
    files["samconfig.toml"] = inputs.samconfig
    encoded = {path: text.encode("utf-8") for path, text in files.items()}
    encoded.update(_source_files(extraction, service, inputs))
    encoded.update((f"src/{path}", data) for path, data in inputs.data.items())
    return dict(sorted(encoded.items()))


@dataclass(frozen=True)
class PackageSize:
    """The bytes of a package's code (its `src/`, the CodeUri) before `sam build` adds the
    requirements: as files, and as the zip Lambda receives (deflated, files sorted, fixed times)."""

    files: int
    unzipped: int
    zipped: int

    def to_json(self) -> dict[str, int]:
        return {"files": self.files, "unzipped": self.unzipped, "zipped": self.zipped}

    def describe(self) -> str:
        return f"{self.files} files, {_size(self.unzipped)} unzipped, {_size(self.zipped)} zipped"


def package_size(files: Mapping[str, bytes], prefix: str = "src/") -> PackageSize:
    code = sorted((path[len(prefix):], data) for path, data in files.items() if path.startswith(prefix))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in code:
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=9)
    return PackageSize(len(code), sum(len(data) for _, data in code), len(buffer.getvalue()))


def _size(count: int) -> str:
    return f"{count / 1024:.1f} KB" if count < 1024 * 1024 else f"{count / 1024 / 1024:.1f} MB"


def module_path(module: str, package: bool) -> str:
    return module.replace(".", "/") + ("/__init__.py" if package else ".py")


def proxy_source(extraction: Extraction, module: str, source: bytes) -> bytes:
    """The proxy that replaces `module` of an extracted service, wherever it is imported."""
    service = extraction.owner[module]
    spec = next(s for s in extraction.services if s.name == service)
    # a caller in the monolith waits for every operation except an asynchronous one, even for
    # one that events trigger in production
    invocations = {op.function: "async" for op in spec.operations if op.module == module
                   and op.invocation.kind == "async"}
    methods = [op.function for op in spec.operations if op.module == module and op.cls]
    keep = {d.rsplit(".", 1)[-1] for d in spec.kept if d.rsplit(".", 1)[0] == module}
    decorations = {op.function: dict(op.decorators) for op in spec.operations if op.module == module and op.decorators}
    includes = {op.function: op.include for op in spec.operations if op.module == module and op.include}
    path = extraction.files.get(module, module)
    try:
        proxy = make_proxy_bytes(source, service, module, invocations, methods, keep, decorations, includes)
    except cst.ParserSyntaxError as error:
        raise InputError(f"{path}:{error.raw_line}: {module} does not parse, so it cannot become a proxy "
                         f"({error.message})", hint="fix the syntax error, or keep the module out of the "
                         "extracted services") from None
    checked_python(path, proxy.decode(detect_encoding(io.BytesIO(proxy).readline)[0]))
    return proxy


def services_config(extraction: Extraction, names: tuple[str, ...], packages: str) -> str:
    """The runtime's services.json: function names, and package paths for the local transport."""
    by_name = {s.name: s for s in extraction.services}
    services = {name: _service_entry(by_name[name], f"{packages}/{name}/src") for name in names}
    return dumps({"format": "mono2lambda-services", "version": 1, "services": services})


def _service_entry(service: ServiceSpec, package: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"function": service.function_name, "package": package, "timeout": service.timeout}
    if service.functions == "per-operation":
        entry["operations"] = {op.name: service.function_of(op) for op in service.operations}
    return entry


def runtime_files(runtime: Mapping[str, str], config: str, prefix: str = "src/") -> dict[str, str]:
    files = {f"{prefix}m2l_runtime/{name}": text for name, text in runtime.items()}
    files[f"{prefix}m2l_runtime/services.json"] = config
    return files


def _source_files(extraction: Extraction, service: ServiceSpec, inputs: PackageInputs) -> dict[str, bytes]:
    files = {}
    for module in service.packaged:
        source = inputs.sources[module]
        files["src/" + _relative_file(extraction, module)] = (
            proxy_source(extraction, module, source) if module in service.proxied else source)
    return files


def _relative_file(extraction: Extraction, module: str) -> str:
    return module_path(module, extraction.files.get(module, "").endswith("__init__.py"))


def _contract_files(service: ServiceSpec, inputs: PackageInputs) -> dict[str, str]:
    files = {}
    own = own_samples(inputs.samples, [op.name for op in service.operations])
    for op in service.operations:
        contract = inputs.contracts[op.name]
        files[f"contracts/{op.name}.json"] = dumps(contract)
        if own.get(op.name):  # the user's samples replace the generated one
            files.update((f"events/{name}", data.decode("utf-8")) for name, data in own[op.name].items())
        elif contract.get("request"):  # no sample for an operation whose contract could not be built
            source = inputs.sources.get(op.module)
            example = {**inputs.call_sites.get(op.name, {}),
                       **(docstring_arguments(source, op.function) if source is not None else {})}
            instance = docstring_instance(source, op.function) if source is not None and op.cls else {}
            files[f"events/{op.name}.json"] = dumps(sample_event(contract, example, instance))
    if inputs.asyncapi is not None:
        files["contracts/asyncapi.json"] = dumps(inputs.asyncapi)
    return files


def own_samples(samples: Mapping[str, bytes], operations: list[str]) -> dict[str, dict[str, bytes]]:
    """The user's sample files per operation: `<operation>.json` or `<operation>.<anything>.json`, each
    given to the operation with the longest name it starts with (as the package's tests read them)."""
    own: dict[str, dict[str, bytes]] = {}
    for name, data in samples.items():
        stem = name.removesuffix(".json")
        matches = [op for op in operations if stem == op or stem.startswith(op + ".")]
        if matches:
            own.setdefault(max(matches, key=len), {})[name] = data
    return own


def _view(extraction: Extraction, service: ServiceSpec) -> dict[str, Any]:
    operations = [{"name": op.name, "module": op.module, "function": op.function, "entry": op.entry,
                   "method_kind": op.method_kind,
                   "invocation": op.invocation.kind, "signature": op.signature, "include": op.include}
                  for op in service.operations]
    return {"service": service.name, "project": extraction.project, "function_name": service.function_name,
            "memory": service.memory, "timeout": service.timeout, "modules": service.modules,
            "copied": service.copied, "calls": service.calls, "operations": operations, "tables": service.tables,
            "boot": boot_literal(service), "framework": dict(service.boot), "secrets": dict(service.secrets)}


def boot_literal(service: ServiceSpec) -> str:
    """What the handler hands `m2l_runtime.bootstrap.boot` at cold start, as a Python literal
    (JSON of strings only), or "" when there is nothing to boot."""
    config: dict[str, Any] = dict(service.boot)
    if service.secrets:
        config["secrets"] = dict(service.secrets)
    return json.dumps(config, indent=4, sort_keys=True) if config else ""
