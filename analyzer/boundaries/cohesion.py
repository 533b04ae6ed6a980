"""What the ties say before clustering: units too weakly tied to place, and domains too
coupled to stand apart.

Two rules of `propose`, both measured in the weights' own unit (one call site pulls 1.0):
- a unit tied to the rest of the free code by less than one call site in all (a few
  imports, similar words, commits in common) has no conversation with any service; placing
  it would follow package proximity alone, so it stays in the monolith;
- a declared domain is a service of its own unless it and another domain are more tied to
  each other than either is to itself, and merging them raises the modularity: then the
  two are one part of the business that happens to sit in two packages.

Pure functions over a `UnitGraph`'s ties.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

MIN_TIE = 1.0
"""The weakest tie that places a unit: one call site (five imports, or similar words, or
commits in common, are each weaker)."""

Ties = Callable[[str], Mapping[str, float]]  # a unit -> its tied units and weights


def weakly_tied(units: Iterable[str], neighbours: Ties, anchored: set[str]) -> set[str]:
    """The units whose ties to the other units still in play sum to less than `MIN_TIE`,
    found again after each removal (a unit tied only to such units is weak too). Units
    in `anchored` (pinned, or held by a declared domain of several units) are never
    removed, but ties to them count."""
    remaining = set(units)
    weak: set[str] = set()
    changed = True
    while changed:
        changed = False
        for unit in sorted(remaining - anchored):
            total = sum(w for other, w in neighbours(unit).items() if other in remaining and other != unit)
            if total < MIN_TIE:
                remaining.discard(unit)
                weak.add(unit)
                changed = True
    return weak


def merge_coupled(members: Mapping[str, set[str]], neighbours: Ties, units: Iterable[str]) -> dict[str, set[str]]:
    """Domains (name -> units) merged while two of them are more tied to each other than
    either is to itself (the weight between them exceeds both inner weights, and at least
    one call site) and merging them raises the modularity of the graph of `units`; the
    pair most tied relative to its inner weights first. The merged domain keeps the
    larger one's name."""
    groups = {name: set(found) for name, found in members.items()}
    strength = {u: sum(neighbours(u).values()) for u in units}
    total = sum(strength.values())  # twice the graph's weight
    while total > 0:
        inner, between = _weights(groups, neighbours)
        degree = {name: sum(strength.get(u, 0.0) for u in found) for name, found in groups.items()}
        pairs = [(weight / max(inner[a], inner[b], MIN_TIE), a, b) for (a, b), weight in between.items()
                 if weight >= MIN_TIE and weight > max(inner[a], inner[b])
                 and weight * total > degree[a] * degree[b]]  # modularity gain > 0
        if not pairs:
            break
        _, a, b = max(pairs)
        keep, drop = (a, b) if (len(groups[a]), b) >= (len(groups[b]), a) else (b, a)
        groups[keep] |= groups.pop(drop)
    return groups


def _weights(groups: Mapping[str, set[str]],
             neighbours: Ties) -> tuple[dict[str, float], dict[tuple[str, str], float]]:
    """Each group's inner weight, and the weight between each pair of groups (sorted names)."""
    group_of = {u: name for name, units in groups.items() for u in units}
    inner = dict.fromkeys(groups, 0.0)
    between: dict[tuple[str, str], float] = {}
    for unit, name in group_of.items():
        for other, weight in neighbours(unit).items():
            other_name = group_of.get(other)
            if other_name == name:
                inner[name] += weight / 2  # each inner tie is seen from both ends
            elif other_name is not None and name < other_name:
                between[(name, other_name)] = between.get((name, other_name), 0.0) + weight
    return inner, between


def detach_loose(group: set[str], anchored: set[str], neighbours: Ties) -> list[set[str]]:
    """A community around an anchor (a domain, a pin), with each piece of its other units
    (held together by ties of at least one call site) tied to the rest of it by less than
    one call site taken out as a group of its own. Modularity joins small pieces to any community they touch at all (its
    resolution limit); a tie that weak should not decide which service they go to."""
    if not group & anchored:
        return [group]
    core, loose = set(group), []
    for piece in _pieces(group - anchored, neighbours):
        if sum(w for u in piece for v, w in neighbours(u).items() if v in group and v not in piece) < MIN_TIE:
            core -= piece
            loose.append(piece)
    return [core, *sorted(loose, key=min)]


def _pieces(units: set[str], neighbours: Ties) -> list[set[str]]:
    """The connected pieces of `units` under their ties of at least `MIN_TIE` to each other."""
    seen: set[str] = set()
    pieces = []
    for start in sorted(units):
        if start in seen:
            continue
        piece, todo = {start}, [start]
        while todo:
            for other, weight in neighbours(todo.pop()).items():
                if weight >= MIN_TIE and other in units and other not in piece:
                    piece.add(other)
                    todo.append(other)
        seen |= piece
        pieces.append(piece)
    return pieces
