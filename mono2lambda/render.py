"""Turning analyzer results into text for a terminal (the only place that prints)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from analyzer.boundaries.hazards import Finding
from analyzer.boundaries.metrics import Scores
from analyzer.roles import LAYERS

if TYPE_CHECKING:  # for annotations only: importing them pulls in the extractor and samtranslator
    from extractor.extract import ExtractResult

    from .demo import DemoResult

MAX_DIAGNOSTICS_SHOWN = 20


def summary_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, indent=2, sort_keys=True) + "\n"


def print_summary(console: Console, summary: dict[str, Any], graph_path: str) -> None:
    share = summary["resolved_share"] * 100
    console.print(f"[bold]Analyzed {summary['root']}[/bold]: {summary['files']} files, "
                  f"{summary['classes']} classes, {summary['functions']} functions and methods, "
                  f"{summary['tables']} tables, {summary['state_variables']} pieces of module state")
    unparsed = summary.get("files_unparsed", 0)
    if unparsed:
        console.print(f"[bold red]{unparsed} file{'s' if unparsed != 1 else ''} did not parse[/bold red] and "
                      f"{'are' if unparsed != 1 else 'is'} missing from the graph (see Diagnostics; exit code 1)")
    console.print(f"Call sites: {summary['call_sites']}, resolved {summary['call_sites_resolved']} "
                  f"({share:.1f}%); the rest are kept in the graph as unresolved")
    edges = ", ".join(f"{kind} {count}" for kind, count in summary["edges"].items())
    console.print(f"Edges: {edges}")
    _print_roles(console, summary)
    _print_data(console, summary["data"])
    _print_coupling(console, summary["coupled_modules"])
    _print_diagnostics(console, summary["diagnostics"])
    console.print(f"Graph written to {graph_path}")


def _print_roles(console: Console, summary: dict[str, Any]) -> None:
    """Frameworks, declared domains and modules per layer on one line; migrations left out on another."""
    frameworks = ", ".join(summary.get("frameworks") or []) or "none detected"
    order = (*LAYERS, "none")  # a summary read back from summary.json has its keys sorted
    found = summary.get("module_layers") or {}
    layers = ", ".join(f"{layer} {found[layer]}" for layer in sorted(found, key=lambda x: (order + (x,)).index(x)))
    domains = summary.get("domains", 0)
    console.print(f"Frameworks: {frameworks}; {domains} declared domain{'s' if domains != 1 else ''}; "
                  f"modules by layer: {layers or 'none'}", markup=False, highlight=False)
    skipped = summary.get("migrations_skipped", 0)
    if skipped:
        console.print(f"Migrations: {skipped} file{'s' if skipped != 1 else ''} left out "
                      "(--include-migrations analyzes them)", markup=False, highlight=False)


def _print_data(console: Console, entities: list[dict[str, Any]]) -> None:
    if not entities:
        return
    table = Table(title="Data entities", title_justify="left", show_lines=False)
    table.add_column("entity")
    table.add_column("written by (modules)")
    table.add_column("read by (modules)")
    for entity in entities:
        table.add_row(entity["id"], ", ".join(entity["writer_modules"]) or "-",
                      ", ".join(entity["reader_modules"]) or "-")
    console.print(table)


def _print_coupling(console: Console, pairs: list[dict[str, Any]]) -> None:
    if not pairs:
        return
    table = Table(title="Most coupled module pairs (calls, both ways)", title_justify="left")
    table.add_column("module")
    table.add_column("module")
    table.add_column("calls", justify="right")
    for pair in pairs:
        table.add_row(pair["modules"][0], pair["modules"][1], str(pair["calls"]))
    console.print(table)


def _print_diagnostics(console: Console, diagnostics: list[dict[str, Any]]) -> None:
    if not diagnostics:
        console.print("Diagnostics: none")
        return
    console.print(f"Diagnostics: {len(diagnostics)}")
    for d in diagnostics[:MAX_DIAGNOSTICS_SHOWN]:
        console.print(f"  {d['file']}:{d['line']}: {d['severity']}: {d['message']} [{d['code']}]",
                      markup=False, highlight=False)
    if len(diagnostics) > MAX_DIAGNOSTICS_SHOWN:
        console.print(f"  ... and {len(diagnostics) - MAX_DIAGNOSTICS_SHOWN} more in the graph file")


def print_scores(console: Console, scores: Scores) -> None:
    """The figures of a placement, its services, and its hazards (worst first)."""
    console.print(f"modularity {scores.modularity:.3f} (higher is better), ICP {scores.icp:.1%}, "
                  f"IFN {scores.ifn:.1f}, NED {scores.ned:.2f} (lower is better)")
    table = Table(title="Services", title_justify="left")
    for column in ("service", "units", "lines", "interfaces"):
        table.add_column(column, justify="left" if column == "service" else "right")
    for service in scores.services:
        table.add_row(service.name, str(service.units), str(service.size), str(len(service.interfaces)))
    table.add_row("(monolith)", str(scores.monolith.units), str(scores.monolith.size),
                  str(len(scores.monolith.interfaces)))
    console.print(table)
    for cycle in scores.cycles:
        console.print(f"cycle between services: {' -> '.join([*cycle, cycle[0]])}")
    print_findings(console, scores.findings, more="--format json lists all")


def print_findings(console: Console, findings: Sequence[Finding], limit: int = MAX_DIAGNOSTICS_SHOWN,
                   more: str = "") -> None:
    if findings:
        console.print(f"Hazards: {len(findings)}")
    for finding in findings[:limit]:
        console.print(f"  {finding.location}: {finding.severity}: {finding.message} ({finding.hint}) [{finding.kind}]",
                      markup=False, highlight=False)
    if len(findings) > limit:
        console.print(f"  ... and {len(findings) - limit} more" + (f" ({more})" if more else ""))


def print_extraction(console: Console, result: ExtractResult) -> None:
    table = Table("service", "function", "operations", "modules", "calls", box=None)
    for service in result.services:
        table.add_row(service.name, service.function_name, str(len(service.operations)), str(len(service.modules)),
                      ", ".join(service.calls) or "-")
    console.print(table)
    if result.accepted:
        console.print(f"Accepted with --force (recorded in the manifest): {len(result.accepted)} hazard(s)")
    if result.warnings:
        console.print("Warnings (they do not block extraction):")
        print_findings(console, result.warnings)
    console.print(f"Wrote {result.files} files to {result.out}: one package per service, the strangled monolith "
                  f"in {result.out / 'monolith'}, and manifest.json")


def print_demo(console: Console, result: DemoResult) -> None:
    print_summary(console, result.analysis.summary, str(result.analysis.graph_path))
    console.print(f"\n[bold]Proposed[/bold] {len(result.proposal.placement.services())} services in {result.plan} "
                  "(the reviewed plan is examples/shop/boundaries.yaml)")
    print_scores(console, result.proposal.scores)
    console.print("\n[bold]Extracted[/bold]")
    print_extraction(console, result.extraction)
    suite = result.suite
    calls = ", ".join(f"{name} {count}" for name, count in suite.invocations.items())
    console.print(f"\n[bold]The shop's tests through serve[/bold]: {suite.summary} "
                  f"({'passed' if suite.passed else 'FAILED'}; invocations: {calls})")
    console.print("\n[bold]Deployed to the local emulator[/bold]")
    for deploy in result.deploys:
        console.print(f"  {deploy.stack}: {deploy.outcome}")
    console.print(f"\n[bold]Report[/bold]: {result.report} (one self-contained page; open it in a browser)")
    console.print(f"[bold]Packages[/bold]: {result.extraction.out}/<service>, the strangled monolith in "
                  f"{result.extraction.out / 'monolith'}")
