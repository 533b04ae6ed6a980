"""The files behind `extract`: find the source, the graph and the plan, then call the
extractor. Kept apart from the click command so the command stays a few lines."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from analyzer.boundaries.plan import read_plan
from analyzer.errors import InputError
from analyzer.pipeline import analysed_source, analyze
from extractor.check import ContractCheck, check_contracts, committed_contracts, generated_services
from extractor.contracts import DEFAULT_IMPORT_TIMEOUT
from extractor.extract import ExtractRequest, ExtractResult, Progress, current_contracts, extract

from .boundaries import checked_plan, read_graph

ANALYSIS_DIR = Path(".mono2lambda")


def run_extract(plan_path: Path, graph_path: Path | None, source: Path | None, out: Path,
                services: tuple[str, ...], force: bool, progress: Progress,
                import_timeout: float = DEFAULT_IMPORT_TIMEOUT, python: Path | None = None,
                region: str | None = None) -> ExtractResult:
    request = extract_request(plan_path, graph_path, source, out, services, force, progress)
    return extract(replace(request, import_timeout=import_timeout, python=str(python) if python else None,
                           region=region), progress)


def check_generated_contracts(generated: Path, plan_path: Path, graph_path: Path | None,
                              source: Path | None) -> ContractCheck:
    services = tuple(generated_services(generated))
    request = extract_request(plan_path, graph_path, source, generated, services, False, lambda _: None)
    return check_contracts(committed_contracts(generated, services), current_contracts(request))


def extract_request(plan_path: Path, graph_path: Path | None, source: Path | None, out: Path,
                    services: tuple[str, ...], force: bool, progress: Progress) -> ExtractRequest:
    if not plan_path.is_file():
        raise InputError(f"{plan_path}: no plan file", hint="write one with `mono2lambda propose`, or pass --plan")
    doc = read_plan(plan_path)
    source = (source or (graph_path and analysed_source(graph_path)) or source_of(plan_path, doc.plan.source)).resolve()
    if graph_path is None:
        progress(f"analyzing {source}")
        graph_path = analyze(source, ANALYSIS_DIR).graph_path
    graph = read_graph(graph_path)
    checked_plan(doc, graph)
    return ExtractRequest(source=source, plan=doc.plan, plan_file=plan_path, graph=graph,
                          graph_text=graph_path.read_bytes(), out=out, services=services, force=force)


def source_of(plan_path: Path, name: str) -> Path:
    """The source tree a plan names: the plan's own folder when it has that name, else ./NAME."""
    folder = plan_path.resolve().parent
    for candidate in (folder, Path(name)):
        if candidate.name == name and candidate.is_dir():
            return candidate
    raise InputError(f"{plan_path}: cannot find the source tree {name!r} the plan names",
                     hint="pass --source PATH")
