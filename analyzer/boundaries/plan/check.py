"""Semantic validation: does a (structurally valid) plan fit the graph it will be applied to?

Structural problems are caught when the file is parsed; these are the ones that need
the code: names that are not units, globs that match nothing, a unit claimed twice,
operations and pins outside their service.
"""

from __future__ import annotations

import difflib

from ...graph import CodeGraph
from ..placement import MONOLITH, unit_of, units_of
from .assign import Entry, entries_of, resolve
from .document import PlanDocument
from .model import Problem, Service, is_glob

OPERATION_KINDS = ("function", "method", "class")


def check_plan(doc: PlanDocument, graph: CodeGraph) -> list[Problem]:
    """Every problem of the plan against the graph, errors and warnings, in file order."""
    units = units_of(graph, doc.plan.unit)
    entries = entries_of(doc.plan)
    places, problems = _places(doc, entries, units)
    problems += _unknown_entries(doc, entries, units, _unparsed(graph))
    by_place: dict[str, list[Entry]] = {}
    for entry in entries:
        by_place.setdefault(entry.place, []).append(entry)
    for service in doc.plan.services:
        problems += _pins(doc, service, by_place.get(service.name, []), units)
        problems += _operations(doc, service, graph, places)
    root = graph.meta.get("root")
    if root and root != doc.plan.source:
        problems.append(Problem(doc.line("source"), "warning", f"the plan is for {doc.plan.source!r} but the graph "
                                f"is of {root!r}", f"write `source: {root}` if this is the same code base"))
    return sorted(problems, key=lambda problem: (problem.line or 0, problem.message))


def _places(doc: PlanDocument, entries: list[Entry], units: list[str]) -> tuple[dict[str, str], list[Problem]]:
    """Where each unit goes, and an error for each unit two places claim equally."""
    places: dict[str, str] = {}
    problems = []
    for unit, found in resolve(entries, units):
        places[unit] = found[0].place if found else MONOLITH
        if len(found) > 1:
            problems.append(_claimed_twice(doc, unit, found))
    return places, problems


def _claimed_twice(doc: PlanDocument, unit: str, found: list[Entry]) -> Problem:
    first, second = found[0], found[1]
    return Problem(doc.line(*second.path), "error",
                   f"{unit} is claimed by {first.describe()} (line {doc.line(*first.path)}) and by "
                   f"{second.describe()} (line {doc.line(*second.path)})",
                   "keep one of the two entries, or list the unit by its exact name where it belongs")


def _unknown_entries(doc: PlanDocument, entries: list[Entry], units: list[str],
                     unparsed: dict[str, str]) -> list[Problem]:
    known = set(units)
    problems = []
    for entry in entries:
        line = doc.line(*entry.path)
        if entry.exact and entry.pattern not in known:
            hint = unparsed.get(entry.pattern) or _close(entry.pattern, units)
            problems.append(Problem(line, "error", f"{entry.pattern} is not a {doc.plan.unit} of the graph", hint))
        elif not entry.exact and not any(entry.matches(unit) for unit in units):
            problems.append(Problem(line, "warning", f"the glob {entry.pattern} matches no {doc.plan.unit}",
                                    "check its spelling, or remove it"))
    return problems


def _unparsed(graph: CodeGraph) -> dict[str, str]:
    """Module name -> why the analyzer skipped its file, for files that did not parse."""
    found = {}
    for diagnostic in graph.diagnostics:
        path = str(diagnostic.get("file", ""))
        if diagnostic.get("severity") == "error" and path.endswith(".py"):
            module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
            found[module] = (f"its file {path}:{diagnostic.get('line', 1)} was skipped: {diagnostic['message']}; "
                             "fix it and run `mono2lambda analyze` again")
    return found


def _pins(doc: PlanDocument, service: Service, own: list[Entry], units: list[str]) -> list[Problem]:
    problems = []
    for index, pinned in enumerate(service.pinned):
        line = doc.line("services", service.name, "pinned", index)
        if not is_glob(pinned) and pinned not in units:
            problems.append(Problem(line, "error", f"pinned {pinned} is not a {doc.plan.unit} of the graph",
                                    _close(pinned, units)))
        elif not any(entry.matches(pinned) or entry.pattern == pinned for entry in own):
            problems.append(Problem(line, "error", f"{pinned} is pinned to {service.name!r} but is not in its "
                                    "modules", f"add {pinned} to the modules of {service.name!r}, or unpin it"))
    return problems


def _operations(doc: PlanDocument, service: Service, graph: CodeGraph, places: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    for operation in service.operations or ():
        line = doc.line("services", service.name, "operations", operation.function)
        function = operation.function
        if function not in graph or graph.node(function)["kind"] not in OPERATION_KINDS:
            functions = graph.nodes(*OPERATION_KINDS)
            problems.append(Problem(line, "error", f"operation {function} is not a function, class or method of "
                                    "the graph", _close(function, functions)))
            continue
        shape = _class_operation_shape(graph, function)
        if shape:
            problems.append(Problem(line, "error", f"operation {function} {shape}",
                                    "name a public top-level function, a public method of a top-level class "
                                    "(`pkg.mod.Class.method`), or the class (its public methods)"))
            continue
        unit = unit_of(graph, function, doc.plan.unit) or ""
        place = places.get(unit, MONOLITH)
        if place != service.name:
            problems.append(Problem(line, "error", f"operation {function} is in {unit}, which the plan puts in "
                                    f"{place!r}, not in service {service.name!r}",
                                    f"move {unit} into {service.name!r}, or move the operation to where it is"))
    return problems


def _class_operation_shape(graph: CodeGraph, name: str) -> str:
    """What stops a class or method from being an operation (docs/plan-format.md), or ''."""
    node = graph.node(name)
    if node["kind"] == "function":
        return ""
    module = str(node.get("module") or "")
    owner = name if node["kind"] == "class" else name.rsplit(".", 1)[0]
    short = name.rsplit(".", 1)[-1]
    if owner.count(".") != module.count(".") + 1 or owner not in graph or graph.node(owner)["kind"] != "class":
        return "is not in a top-level class of its module"
    if node["kind"] == "method" and short.startswith("_"):
        return "is a private or special method"
    if node.get("method_kind") == "property":
        return "is a property: only methods can be called across a wire"
    return ""


def _close(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.75)
    if close:
        return "did you mean " + " or ".join(close) + "?"
    return "check the spelling, or run `mono2lambda analyze` again if the code changed"
