"""Edits of a plan document that keep its comments: move, merge, split, rename, keep, share.

Each edit copies the tree, changes only the entries it must, and returns an `Edit`: the
new document (parsed again from its own text, so it is valid and has true line numbers)
and one sentence saying what changed. A unit is placed by an *exact* entry, which beats
any glob elsewhere, so an edit never has to rewrite a person's globs.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from ...errors import PlanError
from ..placement import MONOLITH, RESERVED, SHARED
from .assign import entries_of, winners
from .document import PlanDocument
from .model import SERVICE_NAME
from .schema import TOP_KEYS
from .yamltree import Tree, is_map, is_seq, new_map, new_seq, put, rename_key, take


@dataclass(frozen=True)
class Edit:
    doc: PlanDocument
    change: str  # one line for the person who asked: what moved where


def move(doc: PlanDocument, unit: str, service: str) -> Edit:
    """Put `unit` in `service` (created if new), taking its exact entry from wherever it was."""
    _check_service_name(service)
    return _place(doc, unit, service)


def keep(doc: PlanDocument, unit: str) -> Edit:
    """Keep `unit` in the monolith (an exact entry under `monolith:`)."""
    return _place(doc, unit, MONOLITH)


def share(doc: PlanDocument, unit: str) -> Edit:
    """Make `unit` a shared library (an exact entry under `shared:`)."""
    return _place(doc, unit, SHARED)


def rename(doc: PlanDocument, old: str, new: str) -> Edit:
    _require_service(doc, old)
    _check_new_service(doc, new)
    tree = doc.edited_tree()
    rename_key(tree["services"], old, new)
    return Edit(doc.with_tree(tree), f"renamed service {old} to {new}")


def merge(doc: PlanDocument, a: str, b: str) -> Edit:
    """Move b's modules, pins and operations into a; b disappears (a's memory and timeout stay)."""
    _require_service(doc, a)
    _require_service(doc, b)
    if a == b:
        raise PlanError(f"cannot merge service {a} into itself", hint="name two different services")
    tree = doc.edited_tree()
    target, source = tree["services"][a], tree["services"][b]
    moved = _move_list(source, target, "modules") + _move_list(source, target, "pinned")
    operations = _move_operations(source, target)
    take(tree["services"], b)
    return Edit(doc.with_tree(tree), f"merged {b} into {a} ({moved} entries, {operations} operations moved; "
                f"{b} removed)")


def split(doc: PlanDocument, service: str, into: dict[str, list[str]]) -> Edit:
    """Move the listed units of `service` into new services; what is not listed stays."""
    _require_service(doc, service)
    _check_split(doc, service, into)
    tree = doc.edited_tree()
    notes = [_place_in_tree(tree, unit, name) for name, units in into.items() for unit in units]
    left = "" if service in (tree.get("services") or {}) else f"; {service} had nothing left and was removed"
    parts = ", ".join(f"{name} ({len(units)})" for name, units in into.items())
    return Edit(doc.with_tree(tree), f"split {service}: {parts} moved out{left}{''.join(n for n in notes if n)}")


# -- placing one unit -------------------------------------------------------------------


def _place(doc: PlanDocument, unit: str, place: str) -> Edit:
    where = _exact_places(doc.tree, unit)
    if where == [place]:
        return Edit(doc, f"{unit} is already in {place}; nothing changed")
    tree = doc.edited_tree()
    note = _place_in_tree(tree, unit, place)
    found = winners(entries_of(doc.plan), unit)
    before = ", ".join(where) or (f"{found[0].place} (by the glob {found[0].pattern})" if found else
                                  "the monolith (listed nowhere)")
    return Edit(doc.with_tree(tree), f"moved {unit} from {before} to {place}{note}")


def _place_in_tree(tree: Tree, unit: str, place: str) -> str:
    """Take every exact entry of `unit` (with its pin and operations) and put one in `place`."""
    eol, pinned, operations = None, False, []
    for service in list(_services(tree)):
        body = tree["services"][service]
        taken = _take_name(body.get("modules"), unit)
        pinned = _take_name(body.get("pinned"), unit) is not None or pinned
        operations += _take_operations(body, unit)
        if taken is not None and not body.get("modules"):
            take(tree["services"], service)  # nothing left: an empty service would only confuse `extract`
        eol = taken or eol
    for reserved in (MONOLITH, SHARED):
        eol = _take_name(tree.get(reserved), unit) or eol
    _insert_name(_list_of(tree, place), unit, eol)
    if place in RESERVED:
        return f" ({len(operations)} operations dropped)" if operations else ""
    body = tree["services"][place]
    if pinned:
        _insert_name(_list(body, "pinned"), unit, None)
    for function, value in operations:
        put(_operations_map(body), function, value)
    return ""


def _take_name(seq: Any, name: str) -> str | None:
    """Remove `name` from a list: None if it was not there, else its end-of-line comment or ""."""
    if not is_seq(seq) or name not in seq:
        return None
    return take(seq, list(seq).index(name)) or ""


def _take_operations(body: Any, unit: str) -> list[tuple[str, Any]]:
    """The operations of `unit` (functions whose name starts with it), removed from the service."""
    operations = body.get("operations")
    if not is_map(operations):
        return []
    owned = [name for name in operations if str(name).startswith(unit + ".")]
    taken = [(name, operations[name]) for name in owned]
    for name in owned:
        take(operations, name)
    if owned and not operations:
        take(body, "operations")  # `operations: {}` would mean "expose none"; absent means "from the graph"
    return taken


def _insert_name(seq: Any, name: str, eol: str | None) -> None:
    """Insert before the first entry that sorts after it (a sorted list stays sorted)."""
    position = next((index for index, item in enumerate(seq) if str(item) > name), len(seq))
    put(seq, None, name, eol, position=position)


def _list_of(tree: Tree, place: str) -> Any:
    """The list of entries of a place, created (in the documented key order) if missing."""
    if place in RESERVED:
        if tree.get(place) is None:
            _set_top(tree, place, new_seq())
        return tree[place]
    services = _services(tree, create=True)
    if place not in services:
        position = next((index for index, name in enumerate(services) if str(name) > place), len(services))
        put(services, place, new_map({"modules": new_seq()}), position=position)
    return _list(services[place], "modules")


def _list(body: Any, key: str) -> Any:
    if body.get(key) is None:
        body[key] = new_seq()
    return body[key]


def _operations_map(body: Any) -> Any:
    if body.get("operations") is None:
        body["operations"] = new_map()
    return body["operations"]


def _services(tree: Tree, *, create: bool = False) -> Any:
    if tree.get("services") is None:
        if not create:
            return {}
        _set_top(tree, "services", new_map())
    return tree["services"]


def _set_top(tree: Tree, key: str, value: Any) -> None:
    if key in tree:
        tree[key] = value
        return
    order = TOP_KEYS.index(key)
    position = next((index for index, name in enumerate(tree) if name in TOP_KEYS and TOP_KEYS.index(name) > order),
                    len(tree))
    put(tree, key, value, position=position)


def _exact_places(tree: Tree, unit: str) -> list[str]:
    places = [name for name, body in _services(tree).items() if unit in (body.get("modules") or ())]
    return places + [place for place in (MONOLITH, SHARED) if unit in (tree.get(place) or ())]


# -- merge and split --------------------------------------------------------------------


def _move_list(source: Any, target: Any, key: str) -> int:
    items = source.get(key)
    if not is_seq(items):
        return 0
    moved = 0
    while items:
        name = str(items[0])
        eol = take(items, 0)
        if name not in (target.get(key) or ()):
            _insert_name(_list(target, key), name, eol)
            moved += 1
    return moved


def _move_operations(source: Any, target: Any) -> int:
    operations = source.get("operations")
    if not is_map(operations):
        return 0
    names = list(operations)
    for name in names:
        value = operations[name]
        take(operations, name)
        put(_operations_map(target), name, value)
    return len(names)


def _check_split(doc: PlanDocument, service: str, into: dict[str, list[str]]) -> None:
    if not into:
        raise PlanError(f"nothing to split out of {service}", hint="give --into NAME=MODULE[,MODULE...]")
    seen: set[str] = set()
    entries = doc.plan.service(service)
    own = entries.modules if entries else ()
    for name, units in into.items():
        _check_new_service(doc, name)
        for unit in units:
            if unit in seen:
                raise PlanError(f"{unit} is listed for two new services", hint="name each module once")
            if not any(fnmatchcase(unit, pattern) for pattern in own):
                raise PlanError(f"{unit} is not in service {service}",
                                hint=f"split only modules that {service} lists (by name or glob); see "
                                "`mono2lambda plan show`")
            seen.add(unit)


def _require_service(doc: PlanDocument, name: str) -> None:
    if doc.plan.service(name) is None:
        known = ", ".join(doc.plan.service_names()) or "none yet"
        raise PlanError(f"{doc.filename}: no service named {name!r}", hint=f"services: {known}")


def _check_new_service(doc: PlanDocument, name: str) -> None:
    _check_service_name(name)
    if doc.plan.service(name) is not None:
        raise PlanError(f"{doc.filename}: service {name!r} already exists",
                        hint="choose another name, or use `plan merge` to combine services")


def _check_service_name(name: str) -> None:
    if name in RESERVED:
        command = "keep" if name == MONOLITH else "share"
        raise PlanError(f"{name!r} is not a service", hint=f"use `mono2lambda plan {command} MODULE`")
    if not SERVICE_NAME.fullmatch(name):
        raise PlanError(f"invalid service name {name!r}",
                        hint="use lowercase letters, digits, '-' and '_', starting with a letter (like orders)")
