"""`mono2lambda check`'s core: what fails a committed plan in CI (pure: values in, values out).

Three kinds of findings, each with a place in the code:

* blocking hazards of the plan (the `error` findings of `metrics.score`);
* files that did not parse (the graph's diagnostics of severity `error`): their code is
  missing from the graph, so nothing below can be trusted for them;
* drift: a dependency that crosses a boundary of the plan (a call, an instantiation, an
  import, a write of module state of another place, a write of a table another place
  owns) and that the baseline does not record yet.

A *crossing* is keyed by (kind, source, target) without lines, so editing around a call
does not make it new; its first site gives the file and line to report. The baseline
records the crossings a team accepted; it only ratchets down (`updated_baseline`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..graph import CodeGraph
from .hazards import ERROR, Finding
from .metrics import DataOwnership, Scores
from .partition import unit_lookup
from .placement import SHARED, Placement

BASELINE_FORMAT = "mono2lambda-baseline"
BASELINE_VERSION = 1
CROSSING_EDGES = ("calls", "instantiates", "imports", "writes")

# Finding kinds that are not hazard kinds (hazards keep their own: docs/metrics.md).
NEW_CALL = "new-call-across"
NEW_IMPORT = "new-import-across"
NEW_WRITE = "new-write-across"
DRIFT_KIND = {"calls": NEW_CALL, "instantiates": NEW_CALL, "imports": NEW_IMPORT, "writes": NEW_WRITE}
CATEGORIES = ("hazard", "unparsed", "drift")
KIND_HELP = {
    NEW_CALL: "A call or instantiation across a boundary of the committed plan that the baseline does not record.",
    NEW_IMPORT: "An import across a boundary of the committed plan that the baseline does not record.",
    NEW_WRITE: "A write of another place's table or module state that the baseline does not record.",
}


@dataclass(frozen=True, order=True)
class Crossing:
    """One dependency across a boundary: `source` in place `from_place` uses `target` in `to_place`."""

    kind: str  # calls, instantiates, imports or writes
    source: str
    target: str
    from_place: str = field(compare=False)
    to_place: str = field(compare=False)
    file: str = field(compare=False, default="")
    line: int = field(compare=False, default=0)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.source, self.target)

    def message(self) -> str:
        verb = {"calls": "calls", "instantiates": "instantiates", "imports": "imports", "writes": "writes"}[self.kind]
        return (f"{self.source} ({self.from_place}) {verb} {self.target} ({self.to_place}): a new dependency across "
                "the plan's boundary")


@dataclass(frozen=True, order=True)
class CheckFinding:
    """One reason `check` fails, with the file (relative to the analyzed root) and line."""

    category: str  # hazard, unparsed or drift
    kind: str  # a hazard kind, a diagnostic code, or a NEW_* kind
    file: str
    line: int
    message: str
    hint: str = ""
    subject: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"category": self.category, "file": self.file, "hint": self.hint, "kind": self.kind,
                "line": self.line, "message": self.message, "subject": self.subject}


@dataclass(frozen=True)
class Baseline:
    """The accepted crossings, by key."""

    entries: frozenset[tuple[str, str, str]] = frozenset()

    def to_json(self) -> dict[str, Any]:
        return {"format": BASELINE_FORMAT, "version": BASELINE_VERSION,
                "crossings": [{"kind": k, "source": s, "target": t} for k, s, t in sorted(self.entries)]}

    def dumps(self) -> str:
        """One crossing a line, sorted: a baseline's diff in review shows exactly what changed."""
        lines = [json.dumps(entry, sort_keys=True) for entry in self.to_json()["crossings"]]
        body = ",\n  ".join(lines)
        crossings = f"[\n  {body}\n ]" if lines else "[]"
        return (f'{{\n "crossings": {crossings},\n "format": "{BASELINE_FORMAT}",\n'
                f' "version": {BASELINE_VERSION}\n}}\n')


def parse_baseline(text: str, filename: str) -> Baseline:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise InputError(f"{filename}: not a baseline file ({error})",
                         hint="write it with `mono2lambda check --update-baseline`") from None
    if not isinstance(document, dict) or document.get("format") != BASELINE_FORMAT:
        raise InputError(f"{filename}: not a mono2lambda baseline (format {BASELINE_FORMAT!r} expected)",
                         hint="write it with `mono2lambda check --update-baseline`")
    if document.get("version") != BASELINE_VERSION:
        raise InputError(f"{filename}: baseline version {document.get('version')!r} is not supported "
                         f"(this mono2lambda reads version {BASELINE_VERSION})", hint="upgrade mono2lambda")
    entries = set()
    for index, entry in enumerate(document.get("crossings") or []):
        if not (isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("kind", "source", "target"))
                and entry["kind"] in CROSSING_EDGES):
            raise InputError(f"{filename}: crossings[{index}] is not a {{kind, source, target}} entry",
                             hint=f"kind is one of {', '.join(CROSSING_EDGES)}")
        entries.add((entry["kind"], entry["source"], entry["target"]))
    return Baseline(frozenset(entries))


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[CheckFinding, ...]
    crossings: tuple[Crossing, ...]  # every crossing of the plan now, recorded or not
    baseline: Baseline
    warnings: int = 0  # non-blocking hazards (reported by `plan score`, not failures)

    @property
    def passed(self) -> bool:
        return not self.findings

    @property
    def new(self) -> tuple[Crossing, ...]:
        return tuple(c for c in self.crossings if c.key not in self.baseline.entries)

    @property
    def gone(self) -> frozenset[tuple[str, str, str]]:
        """Baseline entries that no longer cross (fixed, or the code is gone)."""
        return self.baseline.entries - {c.key for c in self.crossings}

    def counts(self) -> dict[str, int]:
        return {category: sum(f.category == category for f in self.findings) for category in CATEGORIES}

    def to_json(self) -> dict[str, Any]:
        return {"format": "mono2lambda-check", "version": 1, "passed": self.passed, "counts": self.counts(),
                "findings": [f.to_json() for f in self.findings], "crossings": len(self.crossings),
                "baselined": len(self.crossings) - len(self.new), "baseline_gone": len(self.gone),
                "warnings": self.warnings}


def crossings(graph: CodeGraph, placement: Placement, data: Sequence[DataOwnership] = ()) -> list[Crossing]:
    """Every dependency of the graph that crosses a boundary of `placement`, sorted.

    Using a shared library is not a crossing (it is copied into each service); a table write
    crosses when the writer's place is not the table's owner (`data`, from `metrics.score`)."""
    owners = {d.entity: d.owner for d in data if d.kind == "table" and d.owner is not None}
    found: dict[tuple[str, str, str], Crossing] = {}
    unit = unit_lookup(graph, placement.unit_kind)  # once, not per edge
    edges = ((kind, s, t, attrs) for kind in CROSSING_EDGES for s, t, attrs in graph.dependencies(kind))
    for kind, source, target, attrs in edges:
        if source not in graph or target not in graph:
            continue
        source_unit = unit.get(source)
        if source_unit is None:
            continue
        from_place = placement.place_of(source_unit)
        if kind == "writes" and graph.attr(target, "kind") == "table":
            to_place = owners.get(target)
        else:
            target_unit = unit.get(target)
            to_place = placement.place_of(target_unit) if target_unit is not None else None
        if to_place is None or to_place in (from_place, SHARED):
            continue
        lines = attrs.get("lines") or [0]
        crossing = Crossing(kind, source, target, from_place, to_place, _file_of(graph, source), int(lines[0]))
        found.setdefault(crossing.key, crossing)
    return sorted(found.values())


def check(graph: CodeGraph, placement: Placement, scores: Scores, baseline: Baseline) -> CheckResult:
    """The findings that fail `check`, worst first: blocking hazards, unparsed files, new crossings."""
    found = crossings(graph, placement, scores.data)
    findings = [*_hazard_findings(scores.findings), *_unparsed(graph.diagnostics)]
    findings += [CheckFinding("drift", DRIFT_KIND[c.kind], c.file, c.line, c.message(),
                              "call an operation of the owning service, or record it with "
                              "`mono2lambda check --update-baseline --accept-new`", f"{c.source} -> {c.target}")
                 for c in found if c.key not in baseline.entries]
    warnings = sum(f.severity != ERROR for f in scores.findings)
    return CheckResult(tuple(findings), tuple(found), baseline, warnings)


class BaselineError(InputError):
    """`--update-baseline` would add entries without `--accept-new`."""

    exit_code = 1


def updated_baseline(result: CheckResult, *, accept_new: bool) -> Baseline:
    """The baseline after `check --update-baseline`: entries that are gone are dropped; new
    crossings are added only when accepted (a baseline only ratchets down by default)."""
    new = result.new
    if new and not accept_new:
        shown = "; ".join(f"{c.file}:{c.line}: {c.source} -> {c.target}" for c in new[:3])
        more = f" and {len(new) - 3} more" if len(new) > 3 else ""
        raise BaselineError(f"{len(new)} new crossing{'s' if len(new) != 1 else ''} of the plan's boundaries would "
                            f"be added to the baseline: {shown}{more}",
                            hint="fix them, or pass --accept-new to record them (the baseline was not changed)")
    keys = {c.key for c in result.crossings}
    kept = result.baseline.entries & keys
    return Baseline(frozenset(keys if accept_new else kept))


def _hazard_findings(findings: Iterable[Finding]) -> list[CheckFinding]:
    result = []
    for finding in findings:
        if finding.severity != ERROR:
            continue
        file, line = _split_location(finding.location)
        where = f" (service {finding.service})" if finding.service else ""
        result.append(CheckFinding("hazard", finding.kind, file, line, finding.message + where, finding.hint,
                                   finding.subject))
    return result


def _unparsed(diagnostics: Iterable[Mapping[str, Any]]) -> list[CheckFinding]:
    return [CheckFinding("unparsed", str(d.get("code", "parse-error")), str(d.get("file", "")),
                         int(d.get("line") or 1), str(d.get("message", "")),
                         "fix the file, or leave it out with --exclude; its code is missing from the graph")
            for d in diagnostics if d.get("severity") == ERROR]


def _split_location(location: str) -> tuple[str, int]:
    file, _, line = location.rpartition(":")
    if file and line.isdigit():
        return file, int(line)
    return location, 0


def _file_of(graph: CodeGraph, node: str) -> str:
    file = graph.attr(node, "file")
    if file is None and node in graph:
        module = graph.module_of(node)
        file = graph.attr(module, "file") if module else None
    return str(file or "")
