"""Write a placement as a plan (what `propose` calls), keeping what a person put in the old one.

A new file lists exact unit names, sorted, under a short header that says how to edit
it. Given the previous plan, its comments, per-service settings (pinned, memory,
timeout, operations) and the globs that still describe the same units are kept; only
the entries that disagree with the placement change. The monolith list holds only what
a person put there (units no entry names stay in the monolith anyway, and `propose`
reads the monolith list as a constraint, so it must not grow by itself).
"""

from __future__ import annotations

from typing import Any

from ..placement import MONOLITH, SHARED, Placement
from .assign import Entry, entries_of
from .document import DEFAULT_PLAN, PlanDocument, parse_plan
from .model import PLAN_VERSION, is_glob
from .yamltree import Layout, Tree, dump, is_map, is_seq, new_map, new_seq, put, set_header, take

HEADER = """Service boundaries for {source}. Edit freely: comments are kept by every mono2lambda command.
Each service lists its modules: exact names or globs such as {source}.orders.* (an exact
name beats a glob, a longer glob beats a shorter one). Units listed nowhere stay in the
monolith. Edit with `mono2lambda plan move|merge|split|rename|keep|share`; format: docs/plan-format.md"""


def plan_from_placement(placement: Placement, source: str, unit: str = "module",
                        previous: PlanDocument | None = None) -> PlanDocument:
    if previous is None:
        return parse_plan(dump(_new_tree(placement, source, unit), Layout()), DEFAULT_PLAN)
    tree = previous.edited_tree()
    tree["version"], tree["source"], tree["unit"] = PLAN_VERSION, source, unit
    wanted = _wanted_entries(placement, entries_of(previous.plan))
    _rewrite_services(tree, placement, wanted)
    for place in (MONOLITH, SHARED):
        if is_seq(tree.get(place)) or wanted.get(place):
            _rewrite_list(tree, place, wanted.get(place, []))
    return parse_plan(dump(tree, previous.layout), previous.filename)


def _new_tree(placement: Placement, source: str, unit: str) -> Tree:
    tree = new_map({"version": PLAN_VERSION, "source": source, "unit": unit})
    set_header(tree, HEADER.format(source=source))
    tree["services"] = new_map({name: new_map({"modules": new_seq(list(placement.members(name)))})
                                for name in placement.services()})
    tree[MONOLITH] = new_seq()
    tree[SHARED] = new_seq(list(placement.members(SHARED)))
    return tree


def _wanted_entries(placement: Placement, entries: list[Entry]) -> dict[str, list[str]]:
    """Per place, the entries the new plan needs: old globs whose units all stay in their
    place, old exact names still true, and exact names for what no kept glob covers."""
    units = list(placement.units)
    kept = [entry for entry in entries
            if not entry.exact and all(placement.place_of(u) == entry.place for u in units if entry.matches(u))]
    wanted: dict[str, list[str]] = {}
    for entry in kept + [e for e in entries if e.exact and placement.units.get(e.pattern) == e.place]:
        wanted.setdefault(entry.place, []).append(entry.pattern)
    for unit, place in sorted(placement.units.items()):
        covered = any(entry.place == place and entry.matches(unit) for entry in kept)
        if place != MONOLITH and not covered and unit not in wanted.get(place, ()):
            wanted.setdefault(place, []).append(unit)
    return wanted


def _rewrite_services(tree: Tree, placement: Placement, wanted: dict[str, list[str]]) -> None:
    services = tree.get("services")
    if not is_map(services):
        tree["services"] = services = new_map()
    for name in [name for name in services if name not in placement.services()]:
        take(services, name)
    for name in placement.services():
        if name not in services:
            position = next((i for i, old in enumerate(services) if str(old) > name), len(services))
            put(services, name, new_map({"modules": new_seq()}), position=position)
        body = services[name]
        _sync_list(body, "modules", wanted.get(name, []))
        _drop_foreign(body, name, placement)


def _rewrite_list(tree: Tree, place: str, names: list[str]) -> None:
    if not is_seq(tree.get(place)):
        tree[place] = new_seq()
    _sync_list(tree, place, names)


def _sync_list(owner: Any, key: str, names: list[str]) -> None:
    """Make owner[key] hold exactly `names`: drop the others (comments kept), add the new ones sorted."""
    if not is_seq(owner.get(key)):
        owner[key] = new_seq()
    seq = owner[key]
    for index in reversed(range(len(seq))):
        if str(seq[index]) not in names:
            take(seq, index)
    for name in sorted(set(names) - {str(item) for item in seq}):
        position = next((i for i, item in enumerate(seq) if not is_glob(str(item)) and str(item) > name), len(seq))
        put(seq, None, name, position=position)


def _drop_foreign(body: Any, service: str, placement: Placement) -> None:
    """Pins and operations of units the placement moved elsewhere no longer belong here."""
    pinned = body.get("pinned")
    if is_seq(pinned):
        for index in reversed(range(len(pinned))):
            if placement.place_of(str(pinned[index])) != service:
                take(pinned, index)
    operations = body.get("operations")
    if is_map(operations):
        for function in list(operations):
            if placement.place_of(_unit_of_function(str(function), placement)) != service:
                take(operations, function)


def _unit_of_function(function: str, placement: Placement) -> str:
    """The longest unit name the function's qualified name starts with (no graph needed)."""
    owners = [unit for unit in placement.units if function.startswith(unit + ".")]
    return max(owners, key=len) if owners else MONOLITH
