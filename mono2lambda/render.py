"""Turning analyzer results into text for a terminal (the only place that prints, with plain.py,
which prints `analyze`'s summary where there is no terminal)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from analyzer.roles import LAYERS

from .common import NORMAL, QUIET, VERBOSE
from .plain import PlainConsole, is_plain

if TYPE_CHECKING:  # for annotations only: importing them pulls in the extractor and samtranslator
    from typing import TypeAlias

    from rich.console import Console  # rich is imported where it prints: outside a terminal
    from rich.table import Table  # `analyze` prints without it (plain.py)

    from analyzer.boundaries.hazards import Finding  # and the scoring stack, which analyze never uses
    from analyzer.boundaries.metrics import Scores  # (nor the hazards, which `_severity_rank` imports)
    from extractor.extract import ExtractResult

    from .demo import DemoResult

    Output: TypeAlias = "Console | PlainConsole"  # what the summary of `analyze` is printed on

MAX_DIAGNOSTICS_SHOWN = 20
TOP = 10  # the items of a long list shown by default; -v shows them all
INSTANCES_SHOWN = 3  # the instances of one kind of hazard shown by default
# The fix a kind of hazard shares, when its instances' own hints name their modules and differ.
KIND_FIX = {
    "wire-unsafe-type": "pass ids, plain values or DTOs (dataclasses, pydantic models) instead of callables or "
                        "open resources; ORM rows and sessions convert in the shapes docs/extract.md lists",
    "wire-unsafe-argument": "pass plain values, or make the called module a shared library (`mono2lambda plan "
                            "share`), or keep caller and callee in one service",
    "table-multiple-writers": "let one service own the table: the others call its operations (or publish "
                              "events) instead of writing it",
    "shared-module-state": "move the state to a store every service reaches (a table, DynamoDB, a cache) or "
                           "keep its readers and writers in one service",
    "cross-service-transaction": "one local transaction per owning service, coordinated by a saga or an outbox; "
                                 "or write through the owners' operations; a caller handing its session to "
                                 "another service's operation commits its own writes before the call",
}
NOT_A_TERMINAL_WIDTH = 100_000  # in a pipe or a file nothing is cut or wrapped: lines are as long as they are


def make_console(stderr: bool = False) -> Console:
    """A console that never cuts a name: on a terminal it wraps at the terminal's width; in a
    pipe, a file or CI it is as wide as the longest line (no 80-column cut, no wrap). Nor does it
    change one: rich's emoji codes are off (they apply even to text printed with markup=False, so
    a name or message holding `:x:` or `:ok:` would print as a symbol), which also spares loading
    rich's table of codes and a search of every printed line."""
    from rich.console import Console

    console = Console(stderr=stderr, emoji=False)
    if not console.is_terminal:
        console = Console(stderr=stderr, width=NOT_A_TERMINAL_WIDTH, soft_wrap=True, emoji=False)
    return console


def make_output(stderr: bool = False) -> Output:
    """`make_console`'s console on a terminal; elsewhere (a pipe, a file, CI) a `PlainConsole`,
    which prints the same without importing rich."""
    return PlainConsole(stderr) if is_plain(sys.stderr if stderr else sys.stdout) else make_console(stderr)


def _table(title: str, *columns: str, right: Sequence[str] = (), **options: Any) -> Table:
    """A table whose identifiers wrap (fold) instead of ending in an ellipsis."""
    from rich.table import Table

    table = Table(title=title or None, title_justify="left", **options)
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left", overflow="fold")
    return table


def _print_table(console: Output, title: str, columns: Sequence[str], rows: Sequence[Sequence[str]],
                 right: Sequence[str] = ()) -> None:
    if isinstance(console, PlainConsole):
        console.table(title, columns, rows, right)
        return
    table = _table(title, *columns, right=right)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def shown(items: Sequence[Any], verbosity: int, limit: int = TOP) -> Sequence[Any]:
    return items if verbosity >= VERBOSE else items[:limit]


def print_more(console: Output, total: int, shown_count: int, where: str, indent: str = "  ") -> None:
    """One line for what a short list left out, and where the rest is."""
    if total > shown_count:
        console.print(f"{indent}… and {total - shown_count} more (see {where}, or -v)", markup=False,
                      highlight=False)


def print_next(console: Output, steps: Sequence[str], verbosity: int = NORMAL) -> None:
    """The commands that usually come next."""
    if verbosity <= QUIET or not steps:
        return
    console.print("Next:", style="bold")
    for step in steps:
        console.print(f"  → {step}", markup=False, highlight=False)


def summary_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, indent=2, sort_keys=True) + "\n"


def print_summary(console: Output, summary: dict[str, Any], graph_path: str, verbosity: int = NORMAL) -> None:
    share = summary["resolved_share"] * 100
    console.print(f"[bold]Analyzed {summary['root']}[/bold]: {summary['files']} files, "
                  f"{summary['classes']} classes, {summary['functions']} functions and methods, "
                  f"{summary['tables']} tables, {summary['state_variables']} pieces of module state")
    unparsed = summary.get("files_unparsed", 0)
    if unparsed:
        console.print(f"[bold red]{unparsed} file{'s' if unparsed != 1 else ''} did not parse[/bold red] and "
                      f"{'are' if unparsed != 1 else 'is'} missing from the graph (see Diagnostics; exit code 1)")
    if verbosity <= QUIET:
        diagnostics = summary["diagnostics"]
        console.print(f"Data entities: {len(summary['data'])}; diagnostics: {len(diagnostics)}", highlight=False)
        console.print(f"Graph written to {graph_path}", markup=False, highlight=False)
        return
    console.print(f"Call sites: {summary['call_sites']}, resolved {summary['call_sites_resolved']} "
                  f"({share:.1f}%); the rest are kept in the graph as unresolved")
    trace = summary.get("trace")
    if trace:
        console.print(f"Trace: {trace['edges']} observed call edges ({trace['new_edges']} the static graph lacks), "
                      f"{trace['resolved_sites']} unresolved call sites seen calling project code, "
                      f"{trace['tests']} tests", highlight=False)
    edges = ", ".join(f"{kind} {count}" for kind, count in summary["edges"].items())
    console.print(f"Edges: {edges}")
    _print_roles(console, summary)
    _print_data(console, summary["data"], verbosity)
    _print_coupling(console, summary["coupled_modules"])
    _print_diagnostics(console, summary["diagnostics"], verbosity)
    console.print(f"Graph written to {graph_path}", markup=False, highlight=False)


def _print_roles(console: Output, summary: dict[str, Any]) -> None:
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


def _print_data(console: Output, entities: list[dict[str, Any]], verbosity: int = NORMAL) -> None:
    """The data entities; by default the ones the most modules write, then read."""
    if not entities:
        return
    if verbosity < VERBOSE:
        entities = sorted(entities, key=lambda e: (-len(e["writer_modules"]), -len(e["reader_modules"]), e["id"]))
    title = "Data entities" if verbosity >= VERBOSE or len(entities) <= TOP else \
        f"Data entities: the {TOP} written by the most modules, of {len(entities)}"
    rows = [(entity["id"], ", ".join(entity["writer_modules"]) or "-", ", ".join(entity["reader_modules"]) or "-")
            for entity in shown(entities, verbosity)]
    _print_table(console, title, ("entity", "written by (modules)", "read by (modules)"), rows)
    print_more(console, len(entities), len(shown(entities, verbosity)), "`mono2lambda analyze --format json` "
               "or the report", indent="")


def _print_coupling(console: Output, pairs: list[dict[str, Any]]) -> None:
    if not pairs:
        return
    rows = [(pair["modules"][0], pair["modules"][1], str(pair["calls"])) for pair in pairs]
    _print_table(console, "Most coupled module pairs (calls, both ways)", ("module", "module", "calls"), rows,
                 right=("calls",))


def _print_diagnostics(console: Output, diagnostics: list[dict[str, Any]], verbosity: int = NORMAL) -> None:
    if not diagnostics:
        console.print("Diagnostics: none")
        return
    console.print(f"Diagnostics: {len(diagnostics)}")
    listed = shown(diagnostics, verbosity, MAX_DIAGNOSTICS_SHOWN)
    for d in listed:
        console.print(f"  {d['file']}:{d['line']}: {d['severity']}: {d['message']} [{d['code']}]",
                      markup=False, highlight=False)
    print_more(console, len(diagnostics), len(listed), "the graph file or `mono2lambda analyze --format json`")


def print_scores(console: Console, scores: Scores, verbosity: int = NORMAL) -> None:
    """The figures of a placement, its services, its cycles and its hazards grouped by kind (worst first)."""
    console.print(f"modularity {scores.modularity:.3f} (higher is better), ICP {scores.icp:.1%}, "
                  f"IFN {scores.ifn:.1f}, NED {scores.ned:.2f} (lower is better)")
    if verbosity <= QUIET:
        blocking = sum(1 for finding in scores.findings if finding.severity == "error")
        console.print(f"{len(scores.services)} services, {len(scores.cycles)} cycle"
                      f"{'s' if len(scores.cycles) != 1 else ''} between services, {len(scores.findings)} "
                      f"hazard{'s' if len(scores.findings) != 1 else ''} ({blocking} blocking)", highlight=False)
        return
    services = list(scores.services)
    if verbosity < VERBOSE and len(services) > TOP:
        services = sorted(services, key=lambda s: (-s.size, s.name))
        title = f"Services: the {TOP} largest of {len(services)}"
    else:
        title = "Services"
    table = _table(title, "service", "units", "lines", "interfaces", right=("units", "lines", "interfaces"))
    for service in shown(services, verbosity):
        table.add_row(service.name, str(service.units), str(service.size), str(len(service.interfaces)))
    table.add_row("(monolith)", str(scores.monolith.units), str(scores.monolith.size),
                  str(len(scores.monolith.interfaces)))
    console.print(table)
    print_more(console, len(services), len(shown(services, verbosity)), "`mono2lambda plan show` or the report",
               indent="")
    cycles = shown(scores.cycles, verbosity)
    for cycle in cycles:
        console.print(f"cycle between services: {' -> '.join([*cycle, cycle[0]])}", markup=False, highlight=False)
    print_more(console, len(scores.cycles), len(cycles), "`--format json` or the report", indent="")
    if scores.cycles_truncated:
        console.print("(the search for cycles stopped early: there may be more)")
    print_findings(console, scores.findings, more="`--format json` or the report", verbosity=verbosity)


def print_findings(console: Console, findings: Sequence[Finding], limit: int = INSTANCES_SHOWN,
                   more: str = "`--format json`", verbosity: int = NORMAL) -> None:
    """Hazards grouped by kind, worst kind first: a count, the fix they share, and the first
    few instances (file:line); -v lists every instance, -q only the counts."""
    if not findings:
        return
    groups: dict[str, list[Finding]] = {}
    for finding in sorted(findings, key=lambda finding: finding.sort_key()):
        groups.setdefault(finding.kind, []).append(finding)
    severities = Counter(finding.severity for finding in findings)
    by_severity = ", ".join(f"{count} {severity}{'s' if count != 1 else ''}"
                            for severity, count in sorted(severities.items(), key=lambda i: _severity_rank(i[0])))
    console.print(f"Hazards: {len(findings)} of {len(groups)} kind{'s' if len(groups) != 1 else ''} "
                  f"({by_severity})", markup=False, highlight=False)
    for kind, group in groups.items():
        kinds = Counter(finding.severity for finding in group)
        counts = ", ".join(f"{count} {severity}{'s' if count != 1 else ''}" for severity, count in kinds.items())
        console.print(f"  {kind}: {counts}", markup=False, highlight=False)
        if verbosity <= QUIET:
            continue
        hints = Counter(finding.hint for finding in group)
        fix = next(iter(hints)) if len(hints) == 1 else KIND_FIX.get(kind) or hints.most_common(1)[0][0]
        if fix:
            console.print(f"    fix: {fix}", markup=False, highlight=False)
        listed = shown(group, verbosity, limit)
        for finding in listed:
            own = f" (fix: {finding.hint})" if finding.hint and finding.hint != fix else ""
            console.print(f"    {finding.location or '(no file)'}: {finding.severity}: {finding.message}{own}",
                          markup=False, highlight=False)
        print_more(console, len(group), len(listed), more, indent="    ")


def _severity_rank(severity: str) -> int:
    from analyzer.boundaries.hazards import SEVERITY_RANK  # loaded already by whatever found the hazards

    return SEVERITY_RANK.get(severity, 9)


def print_extraction(console: Console, result: ExtractResult, verbosity: int = NORMAL) -> None:
    if verbosity > QUIET:
        services = shown(result.services, verbosity)
        table = _table("", "service", "function", "operations", "modules", "calls",
                       right=("operations", "modules"), box=None)
        for service in services:
            table.add_row(service.name, service.function_name, str(len(service.operations)),
                          str(len(service.modules)), ", ".join(service.calls) or "-")
        console.print(table)
        print_more(console, len(result.services), len(services), "manifest.json", indent="")
    if result.accepted:
        console.print(f"Accepted with --force (recorded in the manifest): {len(result.accepted)} hazard(s)")
    if result.warnings:
        console.print("Warnings (they do not block extraction):")
        print_findings(console, result.warnings, more="manifest.json", verbosity=verbosity)
    console.print(f"Wrote {result.files} files to {result.out}: one package per service, the strangled monolith "
                  f"in {result.out / 'monolith'}, and manifest.json", markup=False, highlight=False)


def print_demo_stage(console: Console, stage: str, result: DemoResult) -> None:
    """One stage of the demo, printed as soon as it finished (`result` holds it, and the stages before)."""
    if stage == "analysis":
        print_summary(console, result.analysis.summary, str(result.analysis.graph_path))
    elif stage == "proposal" and result.proposal is not None:
        console.print(f"\n[bold]Proposed[/bold] {len(result.proposal.placement.services())} services in "
                      f"{result.plan} (the reviewed plan is examples/shop/boundaries.yaml)")
        print_scores(console, result.proposal.scores)
    elif stage == "extraction" and result.extraction is not None:
        console.print("\n[bold]Extracted[/bold]")
        print_extraction(console, result.extraction)
    elif stage == "proof" and result.proof is not None:
        from .prove_command import report_lines

        console.print("\n[bold]The shop's tests, original and strangled (mono2lambda prove)[/bold]")
        for line in report_lines(result.proof):
            console.print(f"  {line}", markup=False, highlight=False)
    elif stage == "deploys":
        console.print("\n[bold]Deployed to the local emulator[/bold]")
        for deploy in result.deploys:
            console.print(f"  {deploy.stack}: {deploy.outcome}")
        console.print(f"\n[bold]Report[/bold]: {result.report} (one self-contained page; open it in a browser)")
        if result.extraction is not None:
            console.print(f"[bold]Packages[/bold]: {result.extraction.out}/<service>, the strangled monolith in "
                          f"{result.extraction.out / 'monolith'}")
