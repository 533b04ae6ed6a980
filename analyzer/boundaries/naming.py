"""Names of proposed services: from the domains developers declared, never numbered.

A service is named after its pinned service, else its main domain (declared domains before
packages, weighted towards the units that hold operations); layer words read off folders
(`models`, `services`) come last, after the table the service writes most. When two services
would share a name the second takes its next domain, `<domain>-<table>`, or its package path.

Pure: groups of units and what is known about them in, names out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from ..graph import CodeGraph
from .domains import LAYER_FOLDERS, DomainRef
from .placement import MONOLITH, SHARED


@dataclass(frozen=True)
class Naming:
    domains: Mapping[str, DomainRef]
    tables: Mapping[str, Counter]  # unit -> write sites per table
    serving: set[str | None]  # units that hold operations


def name_groups(groups: list[set[str]], pinned: Mapping[str, str], naming: Naming) -> list[str]:
    """A service is named after its pinned service, else its main domain (declared domains
    before packages; the domain its operations come from); when two groups would share a
    name, the second takes its next domain, the table it writes most, or its package path.
    Never `name-2`."""
    order = sorted(range(len(groups)),
                   key=lambda i: (not pins_of(groups[i], pinned), -len(groups[i]), sorted(groups[i])))
    names: dict[int, str] = {}
    for i in order:
        candidates = sorted(pins_of(groups[i], pinned))[:1] or _name_candidates(groups[i], naming)
        taken = set(names.values()) | {MONOLITH, SHARED}
        names[i] = next((c for c in candidates if c not in taken), None) or _unique(candidates[0], sorted(groups[i]),
                                                                                   taken)
    return [names[i] for i in range(len(groups))]


def _name_candidates(group: set[str], naming: Naming) -> list[str]:
    """Domain names by weight: a unit counts 1, 3 when it holds operations, and half as much
    again when its domain was declared (an app or blueprint) rather than read off a package."""
    weights: dict[str, float] = {}
    business: set[str] = set()  # names of real domains (a `core` app with its AppConfig is one)
    for unit in sorted(group):
        ref = naming.domains.get(unit)
        if ref is not None:
            weight = (1 + 2 * (unit in naming.serving)) * (1.5 if ref.how != "package" else 1.0)
            weights[ref.name] = weights.get(ref.name, 0.0) + weight
            if ref.is_business():
                business.add(ref.name)
    ranked = _most_common(weights)
    written: Counter = Counter()
    for unit in group:
        written.update(naming.tables.get(unit, {}))
    tables = _most_common(written)
    domains = [n for n in ranked if n in business or n not in LAYER_FOLDERS]
    layers = [n for n in ranked if n not in domains]  # `models`, `services` read off folders: a last resort
    main = service_name((domains or tables or layers or ["service"])[0])
    return [service_name(n) for n in domains + tables[:1] + layers] + [f"{main}-{service_name(t)}" for t in tables]


def _most_common(counts: Mapping[str, float]) -> list[str]:
    return [name for name, _ in sorted(counts.items(), key=lambda i: (-i[1], i[0]))]


def table_writes(graph: CodeGraph) -> dict[str, Counter[str]]:
    """Each node that writes a table -> how many write sites each table has in it: the one pass
    over the `writes` edges that proposing needs (names, shared libraries, the web layer)."""
    written: dict[str, Counter[str]] = {}
    for source, target, data in graph.dependencies("writes"):
        if target.startswith("table:"):
            written.setdefault(source, Counter())[target.removeprefix("table:")] += data["count"]
    return written


def tables_written(writes: Mapping[str, Counter[str]], unit: Mapping[str, str]) -> dict[str, Counter[str]]:
    """unit -> how many write sites each table has in it (names a service after its data)."""
    written: dict[str, Counter[str]] = {}
    for source, tables in writes.items():
        if source in unit:
            written.setdefault(unit[source], Counter()).update(tables)
    return written


def _unique(base: str, group: list[str], taken: set[str]) -> str:
    """The last resort: the base name and the path of the group's first unit, as long as needed."""
    parts = group[0].split(".")
    for length in range(1, len(parts) + 1):
        candidate = service_name(f"{base}-{'-'.join(parts[-length:])}")
        if candidate not in taken:
            return candidate
    return service_name(f"{base}-{'-'.join(parts)}-{len(group)}")


def service_name(domain: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in domain.lower()).strip("-")
    return cleaned if cleaned and cleaned[0].isalpha() else f"svc-{cleaned or 'unit'}"


def pins_of(group: set[str], pinned: Mapping[str, str]) -> set[str]:
    """The services a group's pinned units are pinned to."""
    return {pinned[u] for u in group if u in pinned}
