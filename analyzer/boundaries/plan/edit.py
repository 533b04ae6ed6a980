"""Edits of a plan document that keep its comments: move, merge, split, rename, keep, share.

Each edit copies the tree, changes only the entries it must, and returns an `Edit`: the
new document (parsed again from its own text, so it is valid and has true line numbers)
and one sentence saying what changed. A unit is placed by an *exact* entry, which beats
any glob elsewhere, so an edit never has to rewrite a person's globs.

`move`, `keep` and `share` also take a glob (`shop.orders.*`), and then act on *every*
unit of the graph it matches, wherever the plan put it. The glob itself is written in
the new place (one readable line that says what the person asked, and that also places
units added to the code later); the exact entries of the matching units elsewhere are
removed (their pins and operations move along, as with one unit), because an exact
entry would beat the glob; a glob elsewhere left with nothing to place is removed (and
a service left empty with it); and a matching unit that a glob elsewhere still wins
(as long or longer, and matching units outside the new glob) gets an exact entry in
the new place. Expanding every glob into exact names instead would turn one line into
dozens, and writing only the glob would leave exactly listed units behind. Globs
elsewhere are never rewritten; the very same glob moves with its comment, as an exact
name does.

`move` puts units only into a service that exists, unless `new=True` asks to create it:
a typo in a service name must not silently make a service. `new=True` with a service
that exists is refused too: the person meant a new service, and mixing units into
someone else's service of the same name is the mistake the flag is there to catch.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from ...errors import PlanError, clip
from ..placement import MONOLITH, RESERVED, SHARED
from .assign import Entry, assign, entries_of, winners
from .document import PlanDocument
from .model import SERVICE_NAME, is_glob
from .schema import TOP_KEYS
from .splice import splice_move
from .yamltree import Tree, is_map, is_seq, new_map, new_seq, put, rename_key, take


@dataclass(frozen=True)
class Edit:
    doc: PlanDocument
    change: str  # one line for the person who asked: what moved where


def move(doc: PlanDocument, unit: str, service: str, *, units: Collection[str] | None = None,
         new: bool = False) -> Edit:
    """Put `unit` (a name, or a glob of the graph's `units`) in `service`.

    The service must exist, or `new` must be set (and then it must not exist)."""
    if new:
        _check_new_service(doc, service, hint=f"drop --new to move into the existing service {service}, "
                           "or choose another name")
    else:
        _check_service_name(service)
        _require_target(doc, service)
    return _place_any(doc, unit, service, units)


def keep(doc: PlanDocument, unit: str, *, units: Collection[str] | None = None) -> Edit:
    """Keep `unit` (a name, or a glob of the graph's `units`) in the monolith."""
    return _place_any(doc, unit, MONOLITH, units)


def share(doc: PlanDocument, unit: str, *, units: Collection[str] | None = None) -> Edit:
    """Make `unit` (a name, or a glob of the graph's `units`) a shared library."""
    return _place_any(doc, unit, SHARED, units)


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


@dataclass
class _Taken:
    """What an edit lifted off a unit's old places: to be carried to the new one."""

    eol: str | None = None  # the end-of-line comment of its exact entry
    pinned: bool = False
    operations: list[tuple[str, Any]] = field(default_factory=list)


def _place_any(doc: PlanDocument, pattern: str, place: str, units: Collection[str] | None) -> Edit:
    if not is_glob(pattern):
        return _place(doc, pattern, place)
    if units is None:
        raise ValueError(f"placing the glob {pattern} needs the graph's units")
    return _place_glob(doc, pattern, place, units)


def _place(doc: PlanDocument, unit: str, place: str) -> Edit:
    where = _exact_places(doc.tree, unit)
    if where == [place]:
        return Edit(doc, f"{unit} is already in {place}; nothing changed")
    found = winners(entries_of(doc.plan), unit)
    before = ", ".join(where) or (f"{found[0].place} (by the glob {found[0].pattern})" if found else
                                  "the monolith (listed nowhere)")
    spliced = splice_move(doc, unit, where[0] if where else None, place) if len(where) <= 1 else None
    if spliced is not None:  # a plain line in (and one out): the same text without the tree (splice.py)
        return Edit(spliced, f"moved {unit} from {before} to {place}")
    tree = doc.edited_tree()
    note = _place_in_tree(tree, unit, place)
    return Edit(doc.with_tree(tree), f"moved {unit} from {before} to {place}{note}")


def _place_in_tree(tree: Tree, unit: str, place: str) -> str:
    """Take every exact entry of `unit` (with its pin and operations) and put one in `place`."""
    taken = _take_entries(tree, unit)
    _insert_name(_list_of(tree, place), unit, taken.eol)
    dropped = _carry(tree, unit, place, taken)
    return f" ({dropped} operations dropped)" if dropped else ""


def _take_entries(tree: Tree, unit: str, *, spare: str | None = None) -> _Taken:
    """Remove the exact entries of `unit` (and its pins and operations) from every place but `spare`."""
    taken = _Taken()
    for service in [name for name in _services(tree) if name != spare]:
        body = tree["services"][service]
        entry = _take_name(body.get("modules"), unit)
        taken.pinned = _take_name(body.get("pinned"), unit) is not None or taken.pinned
        taken.operations += _take_operations(body, unit)
        if entry is not None and not body.get("modules"):
            take(tree["services"], service)  # nothing left: an empty service would only confuse `extract`
        taken.eol = entry or taken.eol
    for reserved in (MONOLITH, SHARED):
        if reserved != spare:
            taken.eol = _take_name(tree.get(reserved), unit) or taken.eol
    return taken


def _carry(tree: Tree, unit: str, place: str, taken: _Taken) -> int:
    """Give the service `place` the unit's pin and operations; returns how many operations were
    dropped (the monolith and shared libraries have none)."""
    if place in RESERVED:
        return len(taken.operations)
    body = tree["services"][place]
    if taken.pinned:
        _insert_name(_list(body, "pinned"), unit, None)
    for function, value in taken.operations:
        put(_operations_map(body), function, value)
    return 0


# -- placing every unit a glob matches -----------------------------------------------------


def _place_glob(doc: PlanDocument, pattern: str, place: str, units: Collection[str]) -> Edit:
    """Write `pattern` in `place` and make every unit it matches land there (module docstring)."""
    matching = _matching(doc, pattern, units)
    before = assign(doc.plan, matching)
    moving = [unit for unit in matching if before.place_of(unit) != place]
    if not moving:
        return Edit(doc, f"{pattern} matches {_count(len(matching), doc.plan.unit)}, all already in {place}; "
                    "nothing changed")
    dead, stronger = _other_globs(doc, pattern, place, units, matching, moving)
    tree = doc.edited_tree()
    # lift the units off first: removing a glob below may empty (and remove) their service
    taken = {unit: _take_entries(tree, unit, spare=place) for unit in moving}
    if _exact_places(tree, pattern) != [place]:
        _place_in_tree(tree, pattern, place)  # the same glob written elsewhere moves, comment and all
    for entry in dead:
        _take_entries(tree, entry.pattern, spare=place)
    dropped = 0
    for unit in moving:
        if any(entry.matches(unit) for entry in stronger):
            _insert_name(_list_of(tree, place), unit, taken[unit].eol)
        dropped += _carry(tree, unit, place, taken[unit])
    after = doc.with_tree(tree)
    gone = [name for name in doc.plan.service_names() if after.plan.service(name) is None]
    sources = Counter(before.place_of(unit) for unit in moving)
    change = _glob_change(doc.plan.unit, pattern, place, sources, len(matching) - len(moving))
    return Edit(after, change + _glob_notes(dead, gone, dropped))


def _other_globs(doc: PlanDocument, pattern: str, place: str, units: Collection[str], matching: list[str],
                 moving: list[str]) -> tuple[list[Entry], list[Entry]]:
    """The globs elsewhere that place some of the moving units, as (dead, stronger).

    Dead: every unit it matches now goes to `place`, so it would place nothing; it is
    removed rather than left to confuse (a service left with no entry is removed too).
    Stronger: as long as `pattern` or longer, so it would still win the units it shares
    with `pattern`; those units get exact entries in `place`. A shorter glob loses to
    `pattern` and stays as it is."""
    inside = set(matching)
    dead, stronger = [], []
    for entry in entries_of(doc.plan):
        if entry.exact or entry.place == place or entry.pattern == pattern:
            continue
        if not any(entry.matches(unit) for unit in moving):
            continue
        if all(unit in inside for unit in units if entry.matches(unit)):
            dead.append(entry)
        elif len(entry.pattern) >= len(pattern):
            stronger.append(entry)
    return dead, stronger


def _glob_change(kind: str, pattern: str, place: str, sources: Counter[str], stayed: int) -> str:
    origins = ", ".join(f"{count} from {source}" for source, count in sources.most_common())
    already = f"; {stayed} already there" if stayed else ""
    return f"moved {_count(sum(sources.values()), kind)} matching {pattern} to {place}: {origins}{already}"


def _glob_notes(dead: list[Entry], gone: list[str], dropped: int) -> str:
    """What else the edit did, so nothing disappears from the file unannounced."""
    notes = []
    if dead:
        globs = ", ".join(f"{entry.pattern} (in {entry.place})" for entry in dead)
        notes.append(f"removed {globs}: nothing else matched")
    if gone:
        notes.append(f"{', '.join(gone)} had nothing left and {'was' if len(gone) == 1 else 'were'} removed")
    if dropped:
        notes.append(f"{dropped} operations dropped")
    return "".join(f"; {note}" for note in notes)


def _matching(doc: PlanDocument, pattern: str, units: Collection[str]) -> list[str]:
    """The units `pattern` matches; none is an error with the closest names as a hint."""
    matching = sorted(unit for unit in units if fnmatchcase(unit, pattern))
    if matching:
        return matching
    close = difflib.get_close_matches(pattern, sorted(units), n=3, cutoff=0.6)
    hint = (f"did you mean {' or '.join(close)}?" if close else
            "check its spelling (`*` matches any characters, dots included); `mono2lambda plan show` lists "
            "the units")
    raise PlanError(f"the glob {pattern} matches no {doc.plan.unit} of the graph", hint=hint)


def _count(number: int, kind: str) -> str:
    plural = {"class": "classes"}.get(kind, kind + "s")
    return f"{number} {kind if number == 1 else plural}"


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
    if owned and len(owned) == len(operations):
        take(body, "operations")  # `operations: {}` would mean "expose none"; absent means "from the graph"
        return taken  # (taken whole, so the comments after the last one stay where they were)
    for name in owned:
        take(operations, name)
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
        raise PlanError(f"{doc.filename}: no service named {clip(name)}", hint=_services_hint(doc, name))


def _require_target(doc: PlanDocument, name: str) -> None:
    """A move goes into a service that exists: a typo must not create one (`--new` does)."""
    if doc.plan.service(name) is None:
        raise PlanError(f"{doc.filename}: no service named {clip(name)}",
                        hint=f"{_services_hint(doc, name)}; pass --new to create a service named {name}")


def _services_hint(doc: PlanDocument, name: str) -> str:
    names = doc.plan.service_names()
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    known = f"services: {', '.join(names)}" if names else "the plan has no services yet"
    return f"did you mean {close[0]}? {known}" if close else known


def _check_new_service(doc: PlanDocument, name: str, *,
                       hint: str = "choose another name, or use `plan merge` to combine services") -> None:
    _check_service_name(name)
    if doc.plan.service(name) is not None:
        raise PlanError(f"{doc.filename}: service {clip(name)} already exists", hint=hint)


def _check_service_name(name: str) -> None:
    if name in RESERVED:
        command = "keep" if name == MONOLITH else "share"
        raise PlanError(f"{clip(name)} is not a service", hint=f"use `mono2lambda plan {command} MODULE`")
    if not SERVICE_NAME.fullmatch(name):
        raise PlanError(f"invalid service name {clip(name)}",
                        hint="use lowercase letters, digits, '-' and '_', starting with a letter (like orders)")
