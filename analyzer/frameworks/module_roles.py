"""The role of a module as a whole (documented in docs/graph-format.md).

Its location when that decides (migrations/, management/commands/, templatetags/,
manage/wsgi/asgi, Alembic revisions, Django settings); otherwise its content (`pick_role`:
roles that stay in the monolith outrank domain and library ones, then the name convention,
the largest layer, the most common role); a module with no framework content keeps its
conventional role (views.py, models.py, ...) only when a framework is in use. Plain modules
get none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from itertools import chain

from ..facts import FileFacts
from ..roles import ROLE_LAYERS
from .project import Project
from .vocabulary import CONVENTIONS, ENTRY_POINTS, LAYER_TIES, PACKAGE_CONVENTIONS, PRECEDENCE, SERVICE_LAYERS


def module_roles(project: Project) -> None:
    """Fill `project.module_roles`, once every definition and registration is tagged."""
    for module in sorted(project.files):
        role = module_role(project, project.files[module])
        if role:
            project.module_roles[module] = role


def module_role(project: Project, facts: FileFacts) -> str | None:
    """Where the file is, else what it holds, else what it is called (see the module's docstring)."""
    module = facts.module
    forced = location_role(facts, project.migration_dirs) or _alembic_role(facts)
    if forced is not None:
        return forced
    if module in project.settings:
        return "settings"
    tags = project.tags
    content = project.shapes[module] + Counter(
        tags[node][0] for node in chain(project.names.top_level[module], (v.qname for v in facts.variables))
        if node in tags)
    named = convention(module)
    if named == "settings":
        named = "config"  # a settings module that is not Django's: Flask or plain configuration
    if content:  # the roles of its top-level definitions and variables, and its registrations
        return pick_role(content, named)
    if named == "config" and not any(v.qname.rsplit(".", 1)[1].isupper() for v in facts.variables):
        return None  # a config module holds settings, not only functions
    return named if named and project.used else None


def _alembic_role(facts: FileFacts) -> str | None:
    """Alembic revisions and env.py, wherever their folder is."""
    names = {v.qname.rsplit(".", 1)[1] for v in facts.variables}
    if {"revision", "down_revision"} <= names and any(
            d.parent == facts.module and d.qname.rsplit(".", 1)[1] == "upgrade" for d in facts.definitions):
        return "migration"
    imports = facts.definitions[0].scope.imports if facts.definitions else []
    if facts.module.rsplit(".", 1)[-1] == "env" and any(i.module.startswith("alembic") for i in imports):
        return "migration"
    return None


def convention(module: str) -> str | None:
    """The role a module's name suggests: `blog.views`, `blog.views.posts`, `shop.settings_dev`."""
    parts = module.split(".")
    last = parts[-1]
    if last.startswith("settings") or last.endswith("settings") or "settings" in parts[:-1]:
        return "settings"
    if last in CONVENTIONS:
        return CONVENTIONS[last]
    return next((CONVENTIONS[p] for p in reversed(parts[:-1]) if p in PACKAGE_CONVENTIONS), None)


def location_role(facts: FileFacts, migration_dirs: Collection[str]) -> str | None:
    """Roles a file's place decides, whatever it holds (`migration_dirs`: see sources.py)."""
    folders = facts.path.split("/")[:-1]
    parts = facts.module.split(".")
    if migration_dirs and any("/".join(folders[:i]) in migration_dirs for i in range(1, len(folders) + 1)):
        return "migration"  # (none, unless --include-migrations brought them in)
    if "commands" in folders and "management" in folders[:folders.index("commands")][-1:]:
        return "command"
    if facts.is_package and folders[-1:] == ["management"]:  # the package that holds management/commands
        return "command"
    if "templatetags" in folders or parts[-1] == "templatetags":
        return "template-tag"
    if parts[-1] in ENTRY_POINTS:
        return "entry-point"
    return None


def pick_role(content: Counter[str], preferred: str | None) -> str | None:
    """A module's role from its definitions' roles. Roles that stay in the monolith (web,
    config, admin, ...) outrank domain and library ones (a view that writes tables is still
    web code); then the conventional role if present; else the layer with most definitions
    (`LAYER_TIES` on a tie) and its most common role (`PRECEDENCE` on a tie)."""
    kept = Counter({r: n for r, n in content.items() if ROLE_LAYERS.get(r) not in SERVICE_LAYERS}) or content
    if not kept:
        return None
    if preferred in kept:
        return preferred
    layers: Counter[str] = Counter()
    for role, count in kept.items():
        layers[ROLE_LAYERS.get(role, "")] += count
    layer = min(layers, key=lambda x: (-layers[x], _rank(LAYER_TIES, x)))
    return min((r for r in kept if ROLE_LAYERS.get(r, "") == layer),
               key=lambda r: (-kept[r], PRECEDENCE.get(r, len(PRECEDENCE)), r))


def _rank(order: tuple[str, ...], item: str) -> int:
    return order.index(item) if item in order else len(order)
