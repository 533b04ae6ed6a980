"""From a plan to a `Placement`: which entry of the plan wins each unit.

Precedence, most specific first: an exact name beats any glob; between globs, the
longer pattern wins (`shop.orders.admin.*` beats `shop.orders.*`). Two entries equally
specific in *different* places leave the unit ambiguous: an error, never a silent pick.
A unit no entry matches stays in the monolith.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ...errors import PlanError
from ..placement import MONOLITH, SHARED, Placement
from .model import Plan, is_glob

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Entry:
    """One module name or glob of the plan, with the place it puts units and where it is written."""

    pattern: str
    place: str
    path: Path  # the entry's path in the YAML tree, for line numbers

    @property
    def exact(self) -> bool:
        return not is_glob(self.pattern)

    def matches(self, unit: str) -> bool:
        return unit == self.pattern if self.exact else fnmatchcase(unit, self.pattern)

    def specificity(self) -> tuple[bool, int]:
        return (self.exact, len(self.pattern))

    def describe(self) -> str:
        where = self.place if self.place in (MONOLITH, SHARED) else f"service {self.place!r}"
        return f"{self.pattern!r} in {where}"


def entries_of(plan: Plan) -> list[Entry]:
    """Every module entry, in file order: services first, then monolith and shared."""
    entries = [Entry(pattern, service.name, ("services", service.name, "modules", index))
               for service in plan.services for index, pattern in enumerate(service.modules)]
    for place, patterns in ((MONOLITH, plan.monolith), (SHARED, plan.shared)):
        entries += [Entry(pattern, place, (place, index)) for index, pattern in enumerate(patterns)]
    return entries


def winners(entries: Iterable[Entry], unit: str) -> list[Entry]:
    """The most specific entries matching `unit`, one per place (more than one: ambiguous)."""
    matching = [entry for entry in entries if entry.matches(unit)]
    if not matching:
        return []
    best = max(entry.specificity() for entry in matching)
    by_place: dict[str, Entry] = {}
    for entry in matching:
        if entry.specificity() == best:
            by_place.setdefault(entry.place, entry)
    return list(by_place.values())


def resolve(entries: list[Entry], units: Iterable[str]) -> Iterator[tuple[str, list[Entry]]]:
    """(unit, winning entries) for every unit; an empty list means no entry matches it.

    Exact entries are looked up by name (an exact entry beats every glob), so a plan of
    1,000 exact names resolves 1,000 units in milliseconds instead of a million matches."""
    exact: dict[str, list[Entry]] = {}
    globs: list[Entry] = []
    for entry in entries:
        (exact.setdefault(entry.pattern, []) if entry.exact else globs).append(entry)
    for unit in units:
        yield unit, winners(exact.get(unit) or globs, unit)


def assign(plan: Plan, units: list[str]) -> Placement:
    """The place of every unit (total over `units`); raises PlanError on an ambiguous unit."""
    places: dict[str, str] = {}
    for unit, found in resolve(entries_of(plan), units):
        if len(found) > 1:
            raise ambiguity_error(unit, found)
        places[unit] = found[0].place if found else MONOLITH
    includes = {op.function: op.include for service in plan.services for op in service.operations or ()
                if op.include}
    return Placement(places, plan.unit, includes)


def ambiguity_error(unit: str, found: list[Entry]) -> PlanError:
    named = " and ".join(entry.describe() for entry in found)
    return PlanError(f"{unit} is matched equally by {named}",
                     hint=f"list {unit} by its exact name in the one place it belongs, or remove one of the entries")
