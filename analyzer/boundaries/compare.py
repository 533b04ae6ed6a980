"""How close two placements are: for measuring a proposal against a known ground truth."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from math import comb


def adjusted_rand_index(found: Mapping[str, str], truth: Mapping[str, str]) -> float:
    """Agreement of two labelings of the same items, corrected for chance (Hubert and
    Arabie, 1985): 1.0 is identical, about 0 is what random labels would give. Only items
    labelled in `truth` count."""
    items = sorted(truth)
    if len(items) < 2:
        return 1.0
    pairs = Counter((found.get(i), truth[i]) for i in items)
    rows = Counter(found.get(i) for i in items)
    cols = Counter(truth[i] for i in items)
    index = sum(comb(n, 2) for n in pairs.values())
    row_sum = sum(comb(n, 2) for n in rows.values())
    col_sum = sum(comb(n, 2) for n in cols.values())
    expected = row_sum * col_sum / comb(len(items), 2)
    maximum = (row_sum + col_sum) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def recovered(found: Mapping[str, str], truth: Mapping[str, str]) -> list[str]:
    """Ground-truth groups found exactly: all their items in one place, which holds no item
    of another group (items the truth does not label are ignored)."""
    groups: dict[str, set[str]] = {}
    for item, label in truth.items():
        groups.setdefault(label, set()).add(item)
    places: dict[str, set[str]] = {}
    for item, place in found.items():
        if item in truth:
            places.setdefault(place, set()).add(item)
    return sorted(label for label, items in groups.items()
                  if len({found.get(i) for i in items}) == 1
                  and places.get(found.get(next(iter(items))) or "", set()) == items)
