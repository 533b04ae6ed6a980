"""`mono2lambda check`: the committed plan's gate in CI.

Reads the graph, the plan and the baseline, calls the pure core
(analyzer/boundaries/drift.py) and renders its result as text, JSON, GitHub workflow
annotations or SARIF 2.1.0. Exit codes: 0 passed, 1 findings (or a baseline update
refused), 2 usage or input errors, 3 internal error.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from pathlib import Path
from typing import Any

import click

from analyzer.boundaries.drift import (
    KIND_HELP,
    Baseline,
    CheckFinding,
    CheckResult,
    check,
    parse_baseline,
    updated_baseline,
)
from analyzer.boundaries.metrics import score
from analyzer.boundaries.plan import DEFAULT_PLAN
from analyzer.errors import InputError
from analyzer.files import write_atomic

from . import __version__
from .boundaries import placement_of
from .common import DEFAULT_GRAPH, NORMAL, QUIET, VERBOSE, handle_errors, verbosity_options

BASELINE_FILE = ".mono2lambda-baseline.json"
FORMATS = ("text", "json", "github", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TEXT_FINDINGS_SHOWN = 20  # the findings `--format text` lists by default; -v lists all, -q none
CATEGORY_TITLE = {"hazard": "blocking hazard", "unparsed": "file did not parse", "drift": "new crossing"}


@click.command("check")
@click.option("--plan", "plan_path", type=click.Path(path_type=Path), default=Path(DEFAULT_PLAN), show_default=True,
              help="The committed plan.")
@click.option("--graph", "graph_path", type=click.Path(path_type=Path), default=DEFAULT_GRAPH, show_default=True,
              help="The graph written by `mono2lambda analyze`.")
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help=f"The accepted crossings (default: {BASELINE_FILE} next to the plan).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text; json; github (workflow annotations); sarif (2.1.0, for code scanning).")
@click.option("--prefix", default=None, metavar="PATH",
              help="Put PATH before the files the graph names (relative to the analyzed folder), so the "
                   "annotations point into the repository (default: the analyzed folder, relative to here).")
@click.option("--update-baseline", is_flag=True,
              help="Write the baseline: drop entries that no longer cross; refuse new ones unless --accept-new.")
@click.option("--accept-new", is_flag=True, help="With --update-baseline: also record the new crossings.")
@verbosity_options
@handle_errors
def check_command(plan_path: Path, graph_path: Path, baseline_path: Path | None, fmt: str, prefix: str | None,
                  update_baseline: bool, accept_new: bool, verbosity: int) -> int:
    """Check the committed plan in CI: blocking hazards, files that did not parse, and new
    dependencies across its boundaries that the baseline does not record.

    A crossing is a call, instantiation, import or write of module state from one place of
    the plan into another (not into a shared library), or a write of a table another place
    owns. The baseline file records the crossings a team accepted; a new one fails the
    check until it is fixed or recorded with --update-baseline --accept-new. Exit codes:
    0 passed, 1 findings (or new crossings refused by --update-baseline), 2 input errors.
    """
    if accept_new and not update_baseline:
        raise InputError("--accept-new only goes with --update-baseline",
                         hint="mono2lambda check --update-baseline --accept-new")
    baseline_path = baseline_path or plan_path.parent / BASELINE_FILE
    graph, placement = placement_of(graph_path, plan_path)
    baseline = read_baseline(baseline_path)
    result = check(graph, placement, score(graph, placement), baseline)
    if update_baseline:
        updated = updated_baseline(result, accept_new=accept_new)
        write_atomic(baseline_path, updated.dumps())
        added, dropped = len(updated.entries - baseline.entries), len(baseline.entries - updated.entries)
        click.echo(f"wrote {baseline_path}: {len(updated.entries)} crossings recorded "
                   f"({added} added, {dropped} dropped)", err=fmt != "text")
        return 0
    root = Path(prefix) if prefix is not None else _analyzed_root(graph_path)
    if fmt == "text":
        click.echo(render_text(result, _prefix(root), baseline_path.exists(), verbosity), nl=False)
        return 0 if result.passed else 1
    renderers = {"json": render_json, "github": render_github, "sarif": render_sarif}
    click.echo(renderers[fmt](result, _prefix(root), baseline_path.exists()), nl=False)
    return 0 if result.passed else 1


def read_baseline(path: Path) -> Baseline:
    """The baseline file, or an empty baseline when there is none yet."""
    if not path.exists():
        return Baseline()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot be read ({error})") from None
    return parse_baseline(text, str(path))


def _analyzed_root(graph_path: Path) -> Path | None:
    from analyzer.pipeline import analysed_source

    return analysed_source(graph_path)


def _prefix(root: Path | None) -> str:
    """How to get from the current folder to the analyzed folder, with forward slashes."""
    if root is None:
        return ""
    if root.is_absolute():
        try:
            root = Path(os.path.relpath(root, Path.cwd()))
        except ValueError:  # another drive (Windows)
            return root.as_posix()
    text = root.as_posix()
    return "" if text in (".", "") else text


def _path(prefix: str, file: str) -> str:
    return posixpath.join(prefix, file) if prefix and file else file


# -- renderers (pure: result in, text out) --------------------------------------------------
def summary_line(result: CheckResult, baseline_exists: bool = True) -> str:
    counts = result.counts()
    parts = [f"{counts['hazard']} blocking hazard{'s' if counts['hazard'] != 1 else ''}",
             f"{counts['unparsed']} file{'s' if counts['unparsed'] != 1 else ''} that did not parse",
             f"{counts['drift']} new crossing{'s' if counts['drift'] != 1 else ''}"]
    recorded = len(result.crossings) - len(result.new)
    state = "check passed" if result.passed else "check failed"
    tail = f"; {recorded} crossings recorded in the baseline" if baseline_exists else "; no baseline file yet"
    if result.gone:
        tail += f", {len(result.gone)} recorded ones are gone (--update-baseline drops them)"
    return f"{state}: {', '.join(parts)}{tail}"


def render_text(result: CheckResult, prefix: str = "", baseline_exists: bool = True,
                verbosity: int = NORMAL) -> str:
    """One line a finding (the first TEXT_FINDINGS_SHOWN unless VERBOSE, none when QUIET), then the verdict."""
    lines = []
    findings = [] if verbosity <= QUIET else \
        result.findings if verbosity >= VERBOSE else result.findings[:TEXT_FINDINGS_SHOWN]
    for finding in findings:
        where = f"{_path(prefix, finding.file)}:{finding.line}" if finding.file else "(no file)"
        hint = f" ({finding.hint})" if finding.hint else ""
        lines.append(f"{where}: error: {finding.message}{hint} [{finding.kind}]")
    if verbosity > QUIET and len(result.findings) > len(findings):
        lines.append(f"… and {len(result.findings) - len(findings)} more (see `mono2lambda check --format json`, "
                     "or -v)")
    lines.append(summary_line(result, baseline_exists))
    if not baseline_exists and result.new:
        lines.append("record today's crossings with `mono2lambda check --update-baseline --accept-new` "
                     "and commit the baseline next to the plan")
    return "\n".join(lines) + "\n"


def render_json(result: CheckResult, prefix: str = "", baseline_exists: bool = True) -> str:
    document = result.to_json()
    for finding in document["findings"]:
        finding["file"] = _path(prefix, finding["file"])
    document["baseline_exists"] = baseline_exists
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: CheckResult, prefix: str = "", baseline_exists: bool = True) -> str:
    """GitHub workflow commands: one `::error file=...,line=...,title=...::message` a finding."""
    lines = []
    for finding in result.findings:
        properties = []
        if finding.file:
            properties.append(f"file={_escape_property(_path(prefix, finding.file))}")
            if finding.line:
                properties.append(f"line={finding.line}")
        properties.append(f"title={_escape_property(f'mono2lambda {finding.kind}')}")
        message = finding.message + (f" ({finding.hint})" if finding.hint else "")
        lines.append(f"::error {','.join(properties)}::{_escape_data(message)}")
    level = "notice" if result.passed else "error"
    lines.append(f"::{level} title=mono2lambda check::{_escape_data(summary_line(result, baseline_exists))}")
    return "\n".join(lines) + "\n"


def _rule_text(finding: CheckFinding) -> str:
    if finding.category == "drift":
        return KIND_HELP.get(finding.kind, "A new dependency across the plan's boundaries.")
    if finding.category == "unparsed":
        return f"A file that did not parse ({finding.kind}): its code is missing from the graph."
    return f"A blocking hazard of the plan: {finding.kind} (docs/metrics.md)."


def render_sarif(result: CheckResult, prefix: str = "", baseline_exists: bool = True) -> str:
    """SARIF 2.1.0: one rule per finding kind, one result per finding with its location."""
    rules: dict[str, dict[str, Any]] = {}
    for finding in result.findings:
        rules.setdefault(finding.kind, {
            "id": finding.kind, "name": finding.kind,
            "shortDescription": {"text": _rule_text(finding)},
            "defaultConfiguration": {"level": "error"},
            "properties": {"category": finding.category},
        })
    order = sorted(rules)
    results = []
    for finding in result.findings:
        entry: dict[str, Any] = {
            "ruleId": finding.kind, "ruleIndex": order.index(finding.kind), "level": "error",
            "message": {"text": finding.message + (f" ({finding.hint})" if finding.hint else "")},
            "partialFingerprints": {"mono2lambda/v1": hashlib.sha256(
                f"{finding.kind}\0{finding.subject}\0{finding.file}\0{finding.message}".encode()).hexdigest()},
        }
        if finding.file:
            location: dict[str, Any] = {"artifactLocation": {"uri": _path(prefix, finding.file),
                                                             "uriBaseId": "%SRCROOT%"}}
            if finding.line > 0:
                location["region"] = {"startLine": finding.line}
            entry["locations"] = [{"physicalLocation": location}]
        results.append(entry)
    document = {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "mono2lambda", "version": __version__,
                                "rules": [rules[kind] for kind in order]}},
            "results": results,
            "properties": {"summary": summary_line(result, baseline_exists), "counts": result.counts()},
        }],
    }
    return json.dumps(document, indent=1, sort_keys=True) + "\n"
