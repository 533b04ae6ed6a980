"""Moving one exact name into a list as a line edit, where the lines around it are plain.

The comment-keeping edits (edit.py) parse the plan into ruamel's round-trip tree, change
it and dump it; on a plan of a few thousand modules parsing and dumping are most of an
edit's time (the selection page makes one per move). The most common edit, one exact
name from one list of modules to another (or a name listed nowhere into a list), does not
need the tree when the lines around it hold no comment: it is one line removed and one
inserted where the name sorts, with the neighbours' indentation. `splice_move` does
that, parses the new text (as every edit does, which proves it valid and gives true line
numbers), and checks that the plan it means is the old one with just that name moved.
Whatever is not that simple returns None and the edit goes through the tree: a pin or
operations to carry along, a list the move would empty or one that does not exist yet, a
name listed twice, a quoted or flow-style entry, a comment or blank line touching either
place.
"""

from __future__ import annotations

from dataclasses import replace

from ..placement import MONOLITH, SHARED
from .document import PlanDocument, parse_plan
from .model import Plan


def splice_move(doc: PlanDocument, unit: str, source: str | None, target: str) -> PlanDocument | None:
    """The document with `unit` moved from the list of `source` (None: it is listed nowhere) to
    the list of `target`, or None."""
    lists = _lists(doc.plan)
    new = lists.get(target)
    if not new or unit in new or _carries(doc.plan, unit) or "\r" in doc.text:  # ruamel would write \n line ends
        return None
    lines = doc.text.splitlines(keepends=True)
    changed: dict[str, tuple[str, ...]] = {}
    taken = None
    if source is not None:
        old = lists.get(source, ())
        if old.count(unit) != 1 or len(old) < 2:
            return None
        taken = _item_line(doc, lines, source, old.index(unit), unit)
        if taken is None or not _plain_after(lines, taken):
            return None
        changed[source] = tuple(name for name in old if name != unit)
    position = next((index for index, name in enumerate(new) if name > unit), len(new))
    at = _insertion(doc, lines, target, new, position)
    if at is None:
        return None
    neighbour = lines[at] if position < len(new) else lines[at - 1]
    edited = lines[:at] + [f"{neighbour[: len(neighbour) - len(neighbour.lstrip(' '))]}- {unit}\n"] + lines[at:]
    if taken is not None:
        del edited[taken + (1 if at <= taken else 0)]
    changed[target] = (*new[:position], unit, *new[position:])
    result = parse_plan("".join(edited), doc.filename)
    return result if result.plan == _with_lists(doc.plan, changed) else None


def _insertion(doc: PlanDocument, lines: list[str], place: str, names: tuple[str, ...], position: int) -> int | None:
    """The 0-based line a new item at `position` of a place's list goes on, if no comment is in the way."""
    if position < len(names):  # before that item, which must follow another item or the list's key
        at = _item_line(doc, lines, place, position, names[position])
        before = lines[at - 1] if at else ""
        return at if at and (before.lstrip().startswith("- ") or before.rstrip().endswith(":")) else None
    last = _item_line(doc, lines, place, len(names) - 1, names[-1])  # after the last, which nothing may follow
    return last + 1 if last is not None and _plain_after(lines, last) else None


def _lists(plan: Plan) -> dict[str, tuple[str, ...]]:
    lists = {service.name: service.modules for service in plan.services}
    return {**lists, MONOLITH: plan.monolith, SHARED: plan.shared}


def _with_lists(plan: Plan, changed: dict[str, tuple[str, ...]]) -> Plan:
    services = tuple(replace(service, modules=changed[service.name]) if service.name in changed else service
                     for service in plan.services)
    return replace(plan, services=services, monolith=changed.get(MONOLITH, plan.monolith),
                   shared=changed.get(SHARED, plan.shared))


def _carries(plan: Plan, unit: str) -> bool:
    """Whether moving `unit` carries a pin or operations along (the tree edit does that)."""
    return any(unit in service.pinned or any(operation.function.startswith(unit + ".")
                                             for operation in service.operations or ())
               for service in plan.services)


def _item_line(doc: PlanDocument, lines: list[str], place: str, index: int, name: str) -> int | None:
    """The 0-based line of item `index` of a place's list, if it is exactly `- name` (plain, no comment)."""
    path: tuple[str | int, ...] = (place, index) if place in (MONOLITH, SHARED) else (
        "services", place, "modules", index)
    line = doc.line(*path)
    if line is None or line > len(lines):
        return None
    text = lines[line - 1]
    return line - 1 if text.endswith("\n") and text.strip() == f"- {name}" else None


def _plain_after(lines: list[str], index: int) -> bool:
    """The line after `index` is no comment and no blank line (ruamel would tie those to the item)."""
    after = lines[index + 1] if index + 1 < len(lines) else ""
    return after == "" or (after.strip() != "" and not after.lstrip().startswith("#"))
