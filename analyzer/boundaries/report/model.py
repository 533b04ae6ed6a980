"""The report's view model: plain, frozen, JSON-serialisable values that the templates
read and `render_json` writes. Every number a person reads is already formatted here
(`Figure.text`), so the templates hold no logic beyond loops and conditionals.

`ReportModel.to_json()` / `ReportModel.from_json()` round-trip; the JSON form has a
`format` and a `version` like every other file mono2lambda writes.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections import Counter
from dataclasses import dataclass
from typing import Any, Union

REPORT_FORMAT = "mono2lambda-report"
REPORT_VERSION = 1


@dataclass(frozen=True)
class Figure:
    """One overview number: `value` for machines, `text` for people."""

    key: str
    label: str
    value: int | float
    text: str
    note: str  # the metric's direction or what it counts


@dataclass(frozen=True)
class Box:
    """A place on the service map (top-left corner and size, in SVG user units)."""

    place: str
    kind: str  # "service", "monolith" or "shared"
    x: float
    y: float
    width: float
    height: float
    caption: str  # "4 modules, 612 lines"
    label_x: float
    label_y: float  # the name's baseline
    caption_y: float  # the caption's baseline


@dataclass(frozen=True)
class Arrow:
    """Calls from one place to another: a quadratic curve between the two boxes' edges."""

    source: str
    target: str
    calls: int
    width: float
    path: str  # SVG path data
    label_x: float
    label_y: float  # the count's baseline, at the middle of the curve
    local: bool  # into a shared library: stays in process, does not cross a wire
    title: str


@dataclass(frozen=True)
class ServiceMap:
    width: float
    height: float
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    hidden: int = 0  # weaker calls between places left off the map (the call matrix has them all)


@dataclass(frozen=True)
class CallMatrix:
    """Call sites between places: `counts[i][j]` from `places[i]` into `places[j]` (0 on the diagonal)."""

    places: tuple[str, ...] = ()
    counts: tuple[tuple[int, ...], ...] = ()


@dataclass(frozen=True)
class Verdict:
    """The answer at the top of the page: can the services be extracted as planned?"""

    extractable: bool = True
    headline: str = ""  # "Blocked: 12 blocking hazards in 5 of 24 services"
    detail: str = ""  # "3 files skipped (they could not be parsed): ..."
    blocking: int = 0  # hazards of severity error
    services_blocked: int = 0
    files_skipped: int = 0


@dataclass(frozen=True)
class Hazard:
    severity: str
    kind: str
    location: str
    subject: str
    service: str
    message: str
    hint: str


@dataclass(frozen=True)
class Operation:
    """A function, method or class of a place that code in other places calls."""

    name: str
    kind: str
    location: str
    callers: str  # the calling places, comma separated


@dataclass(frozen=True)
class ModuleRef:
    name: str
    size: int
    role: str = ""  # its framework role (graph.json `role`), "" for plain code


@dataclass(frozen=True)
class PlaceView:
    name: str
    kind: str  # "service", "monolith" or "shared"
    anchor: str  # the HTML id of its section
    summary: str  # "4 modules, 612 lines, 7 operations, 3 hazards"
    extreme: bool  # size outside the NED bounds (services only)
    modules: tuple[ModuleRef, ...]
    operations: tuple[Operation, ...]
    owns: tuple[str, ...]  # tables and state it writes most
    reads: tuple[str, ...]  # tables and state owned elsewhere (or by nobody) that it reads
    hazards: tuple[Hazard, ...]


@dataclass(frozen=True)
class Cell:
    place: str
    mark: str  # "W", "R", "RW" or ""
    title: str  # "2 write sites, 1 read site"


@dataclass(frozen=True)
class MatrixRow:
    entity: str
    kind: str  # "table" or "state"
    owner: str
    contested: bool  # written by more than one place (shared libraries aside)
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class DendrogramLeaf:
    """One of the finest groups: its name (as the finest cut names it) at row `y`."""

    name: str
    units: int
    x: float
    y: float  # the label's baseline


@dataclass(frozen=True)
class DendrogramLink:
    """One merge: a bracket joining two groups at the column where `services` remain."""

    path: str  # SVG path data
    services: int  # how many services are left after this merge
    title: str  # "customers + orders (tie 3.2), 5 services left"


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Dendrogram:
    """How the proposal's services merge as their count drops (`propose --services N` is the N-cut)."""

    width: float = 0.0
    height: float = 0.0
    leaves: tuple[DendrogramLeaf, ...] = ()
    links: tuple[DendrogramLink, ...] = ()
    ticks: tuple[Tick, ...] = ()  # the services left at each column
    axis_y: float = 0.0


@dataclass(frozen=True)
class DataMatrix:
    places: tuple[str, ...]
    rows: tuple[MatrixRow, ...]


@dataclass(frozen=True)
class ModuleRow:
    unit: str
    place: str
    size: int
    why: str
    role: str = ""  # "view (web)": its framework role and that role's layer, "" for plain code


@dataclass(frozen=True)
class Framework:
    """A framework the analyzer found, with what it found of it ("12 view, 3 urls, ...")."""

    name: str
    found: str


@dataclass(frozen=True)
class DeclaredDomain:
    """A Django app, Flask blueprint or FastAPI router declared in the code."""

    name: str
    kind: str
    package: str
    location: str


@dataclass(frozen=True)
class Transaction:
    function: str
    service: str
    location: str
    tables: str  # "orders (orders), payments (payments)"


@dataclass(frozen=True)
class Diagnostic:
    location: str
    severity: str
    code: str
    message: str


@dataclass(frozen=True)
class ReportModel:
    title: str
    root: str
    plan: str  # the plan file's name, or "proposed boundaries"
    unit_kind: str
    figures: tuple[Figure, ...]
    service_map: ServiceMap
    transactions: tuple[Transaction, ...]
    cycles: tuple[str, ...]  # "a -> b -> a"
    cycles_truncated: bool
    places: tuple[PlaceView, ...]
    other_hazards: tuple[Hazard, ...]  # findings not tied to one place
    not_detected: tuple[str, ...]
    data: DataMatrix
    modules: tuple[ModuleRow, ...]
    diagnostics: tuple[Diagnostic, ...]
    frameworks: tuple[Framework, ...] = ()
    domains: tuple[DeclaredDomain, ...] = ()
    verdict: Verdict = Verdict()
    calls: CallMatrix = CallMatrix()
    links: str = ""  # the `report_links` URL template for file:line ({path}, {line}); "" for no links
    dendrogram: Dendrogram = Dendrogram()
    format: str = REPORT_FORMAT
    version: int = REPORT_VERSION

    @property
    def hazards(self) -> tuple[Hazard, ...]:
        """Every finding: each place's, then those not tied to one place."""
        return (*(h for p in self.places for h in p.hazards), *self.other_hazards)

    def to_json(self) -> dict[str, Any]:
        return _plain(self)

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> ReportModel:
        if document.get("format") != REPORT_FORMAT or document.get("version") != REPORT_VERSION:
            raise ValueError(f"not a {REPORT_FORMAT} document of version {REPORT_VERSION}")
        return _build(cls, document)


@dataclass(frozen=True)
class HazardGroup:
    """Hazards of one kind, with the fix most of them share (computed for the page, not stored)."""

    kind: str
    severity: str  # the worst of the group
    hint: str  # the most common fix text
    services: str  # the places they are in, comma separated
    hazards: tuple[Hazard, ...]

    @property
    def fixes(self) -> tuple[tuple[str, tuple[Hazard, ...]], ...]:
        """The instances by fix text: the most common fix first."""
        by_hint: dict[str, list[Hazard]] = {}
        for hazard in self.hazards:
            by_hint.setdefault(hazard.hint, []).append(hazard)
        return tuple(sorted(((hint, tuple(found)) for hint, found in by_hint.items()),
                            key=lambda pair: (pair[0] != self.hint, -len(pair[1]), pair[0])))


SEVERITY_ORDER = {"error": 0, "warning": 1}


def group_hazards(hazards: typing.Iterable[Hazard]) -> tuple[HazardGroup, ...]:
    """By kind: the worst severity first, then the largest groups, each in the given order."""
    kinds: dict[str, list[Hazard]] = {}
    for hazard in hazards:
        kinds.setdefault(hazard.kind, []).append(hazard)
    groups = []
    for kind, found in kinds.items():
        hints = Counter(h.hint for h in found)
        hint = min(hints, key=lambda text: (-hints[text], text))
        severity = min((h.severity for h in found), key=lambda s: SEVERITY_ORDER.get(s, 9))
        places = sorted({h.service for h in found if h.service})
        services = ", ".join(places) if len(places) <= 6 else f"{len(places)} places"
        groups.append(HazardGroup(kind, severity, hint, services, tuple(found)))
    return tuple(sorted(groups, key=lambda g: (SEVERITY_ORDER.get(g.severity, 9), -len(g.hazards), g.kind)))


def _plain(value: Any) -> Any:
    """Dataclasses to dicts with sorted keys, tuples to lists (what json writes)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in sorted(dataclasses.fields(value), key=lambda f: f.name)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _build(kind: Any, value: Any) -> Any:
    """The inverse of `_plain`, guided by the dataclasses' type hints."""
    origin = typing.get_origin(kind)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: _build(hints[f.name], value[f.name]) for f in dataclasses.fields(kind)})
    if origin is tuple:
        return tuple(_build(typing.get_args(kind)[0], v) for v in value)
    if origin in (Union, types.UnionType):
        return value
    if kind is float:
        return float(value)
    return value
