"""Pin and unpin a unit: comment-keeping edits of a service's `pinned` list.

A pin tells `propose` to keep a unit in its service. Only a unit a service owns can be
pinned (check.py reports a pin outside the service's modules), so `pin` pins a unit to
the service it is in now; `move` carries the pin along when the unit moves.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from ...errors import PlanError
from ..placement import RESERVED
from .assign import assign
from .document import PlanDocument
from .edit import Edit
from .yamltree import new_seq, put, take


def pin(doc: PlanDocument, unit: str) -> Edit:
    """Pin `unit` to the service the plan puts it in."""
    place = assign(doc.plan, [unit]).place_of(unit)
    if place in RESERVED:
        raise PlanError(f"{unit} is in {place}, not in a service, so it cannot be pinned",
                        hint="move it into a service first; a pin keeps a unit in its service")
    if is_pinned(doc, unit):
        return Edit(doc, f"{unit} is already pinned to {place}; nothing changed")
    tree = doc.edited_tree()
    body = tree["services"][place]
    if body.get("pinned") is None:
        body["pinned"] = new_seq()
    pinned = body["pinned"]
    position = next((index for index, item in enumerate(pinned) if str(item) > unit), len(pinned))
    put(pinned, None, unit, position=position)
    return Edit(doc.with_tree(tree), f"pinned {unit} to {place}")


def unpin(doc: PlanDocument, unit: str) -> Edit:
    """Remove the exact pins of `unit`; a glob pin is a person's choice and stays (an error says where)."""
    exact = [service.name for service in doc.plan.services if unit in service.pinned]
    if not exact:
        _refuse_glob_pin(doc, unit)
        return Edit(doc, f"{unit} is not pinned; nothing changed")
    tree = doc.edited_tree()
    for name in exact:
        body = tree["services"][name]
        take(body["pinned"], list(body["pinned"]).index(unit))
        if not body["pinned"]:
            take(body, "pinned")
    return Edit(doc.with_tree(tree), f"unpinned {unit} from {', '.join(exact)}")


def is_pinned(doc: PlanDocument, unit: str) -> bool:
    """Whether any service pins `unit`, by its name or by a glob."""
    return any(fnmatchcase(unit, pattern) for service in doc.plan.services for pattern in service.pinned)


def _refuse_glob_pin(doc: PlanDocument, unit: str) -> None:
    for service in doc.plan.services:
        for index, pattern in enumerate(service.pinned):
            if fnmatchcase(unit, pattern):
                line = doc.line("services", service.name, "pinned", index)
                raise PlanError(f"{doc.filename}:{line}: {unit} is pinned by the glob {pattern} of "
                                f"service {service.name!r}",
                                hint="edit that glob in the file to unpin some of the units it matches")
