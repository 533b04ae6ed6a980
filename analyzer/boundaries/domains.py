"""What the developers declared: the role of each unit, and the domain it belongs to.

Proposals start from the structure a team already chose. A unit's domain is, in order:
1. the Django app, Flask blueprint or FastAPI router whose package holds it (the graph's
   `domains`, detected by the analyzer);
2. a declared domain its path mirrors: `api/v1/checks.py` or `graphql/checks/` go with
   the `checks` app;
3. its package: the first name below the project's own package (`orders` in
   `shop.orders.checkout`), looking through layer folders such as `utils/`, `api/` or
   `services/` to the domain below them (`user` in `CTFd.utils.user.auth`).

Module names are relative to the import root, so SRC given as the project root or as the
package folder gives the same domains: modules beside the package (`manage`, `docs.conf`)
are domains of their own and never shift the others' depth.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from ..graph import CodeGraph
from ..roles import layer_of

LAYER_FOLDERS = frozenset({
    "api", "apis", "app", "apps", "blueprints", "common", "components", "constants", "contrib", "controllers",
    "core", "decorators", "domain", "domains", "enums", "errors", "exceptions", "ext", "extensions", "features",
    "graphql", "handlers", "helpers", "http", "internal", "lib", "libs", "mixins", "models", "modules",
    "plugins", "rest", "routes", "schemas", "serializers", "service", "services", "shared", "src", "tasks",
    "types", "util", "utils", "v1", "v2", "v3", "validators", "views", "web",
})
"""Folder names that say what kind of code is inside, not which part of the business."""


@dataclass(frozen=True)
class DomainRef:
    name: str
    how: str  # "django-app" | "blueprint" | "router" | "mirror" | "package"
    package: str  # the declared package, or the package prefix the name was taken from
    explicit: bool = False  # declared in the code itself (an AppConfig, a blueprint), not only in settings

    def is_business(self) -> bool:
        """False for a package named like a layer (`common`, `utils`): it says what kind of
        code is inside, not which domain, so its modules are clustered one by one. A layer
        word declared only in settings is no better: settings may lie outside SRC, and the
        proposal must not change with the folder given. An `AppConfig`, a blueprint, or a
        `models` module of its own makes a package explicit: `core` with its AppConfig, or
        `utils` with its own models, stays a domain from any folder."""
        return self.explicit or self.name not in LAYER_FOLDERS

    def describe(self) -> str:
        kinds = {"django-app": "Django app", "blueprint": "Flask blueprint", "router": "FastAPI router"}
        if self.how in kinds:
            return f"{kinds[self.how]} {self.name!r} ({self.package})"
        if self.how == "mirror":
            return f"mirrors the domain {self.name!r} in its path"
        return f"package {self.package}"


def unit_role(graph: CodeGraph, unit: str) -> str | None:
    """The role the analyzer recorded for a unit (a module, or a class unit and then its module's)."""
    if unit not in graph:
        return None
    role = graph.attr(unit, "role")
    if role is None and graph.attr(unit, "kind") == "class":
        module = graph.module_of(unit)
        role = graph.attr(module, "role") if module else None
    return role


def unit_layer(graph: CodeGraph, unit: str) -> str | None:
    return layer_of(unit_role(graph, unit))


def declared(graph: CodeGraph) -> list[DomainRef]:
    """The domains the analyzer found declared (apps, blueprints, routers), longest package first."""
    found = [DomainRef(str(d["name"]), str(d.get("kind", "django-app")), str(d["package"]),
                       d.get("declared") != "installed-apps")
             for d in graph.meta.get("domains") or () if d.get("name") and d.get("package")]
    return sorted(found, key=lambda d: (-len(d.package), d.package, d.name))


def domain_map(graph: CodeGraph, units: Iterable[str]) -> dict[str, DomainRef]:
    """The domain of each unit (see the module docstring for the three rules)."""
    units = sorted(units)
    known = declared(graph)
    by_name = {_singular(d.name): d for d in reversed(known)}
    by_name.update({_singular(d.package.rsplit(".", 1)[-1]): d for d in reversed(known)
                    if _singular(d.package.rsplit(".", 1)[-1]) not in by_name})
    depth = _root_depths(units)
    packages = {unit.rsplit(".", 1)[0] for unit in units if "." in unit}
    with_models = {unit.removesuffix(".models") for unit in units if unit.endswith(".models")}
    result = {}
    for unit in units:
        parts = unit.split(".")
        below = parts[depth[parts[0]]:]
        ref = (_declared_prefix(unit, known) or _mirrored(below, by_name)
               or _package_domain(parts, depth[parts[0]], packages))
        result[unit] = replace(ref, explicit=True) if ref.package in with_models else ref
    return result


def _declared_prefix(unit: str, known: list[DomainRef]) -> DomainRef | None:
    return next((d for d in known if unit == d.package or unit.startswith(d.package + ".")), None)


def _mirrored(below: list[str], by_name: dict[str, DomainRef]) -> DomainRef | None:
    for part in below:
        found = by_name.get(_singular(part))
        if found is not None:
            return DomainRef(found.name, "mirror", found.package, found.explicit)
    return None


def _package_domain(parts: list[str], depth: int, packages: set[str]) -> DomainRef:
    """The first name below the project's package; a layer folder gives way to the package
    below it (`utils.user`), but not to a plain module (`common.money` stays in `common`)."""
    index = min(depth, len(parts) - 1)
    while parts[index] in LAYER_FOLDERS and index + 1 < len(parts) and ".".join(parts[:index + 2]) in packages:
        index += 1
    return DomainRef(_clean(parts[index]), "package", ".".join(parts[:index + 1]))


def project_packages(units: Iterable[str]) -> set[str]:
    """The project's package path under each top-level name (`wger`, `IPython`): the root
    every domain is found below, when some unit lies below it."""
    units = sorted(units)
    depth = _root_depths(units)
    roots = {".".join(unit.split(".")[:depth[unit.split(".")[0]]]) for unit in units}
    return {root for root in roots if root and any(u.startswith(root + ".") for u in units)}


def _root_depths(units: list[str]) -> dict[str, int]:
    """Per top-level name, how many leading names all its units share (the project's package
    path), so that `wger.core.models` has depth 1 whether or not `manage` sits beside it."""
    groups: dict[str, list[list[str]]] = {}
    for unit in units:
        parts = unit.split(".")
        groups.setdefault(parts[0], []).append(parts)
    return {top: _common_depth(split) for top, split in groups.items()}


def _common_depth(split: list[list[str]]) -> int:
    longest = max(split, key=len)
    depth = 0
    while depth < len(longest) - 1 and all(len(s) <= depth or s[depth] == longest[depth] for s in split):
        depth += 1
    return depth


def _singular(name: str) -> str:
    name = name.lower()
    return name[:-1] if name.endswith("s") and len(name) > 3 else name


def _clean(name: str) -> str:
    return name.lstrip("_") or name
