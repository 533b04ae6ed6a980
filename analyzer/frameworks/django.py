"""Django's project-level declarations: which modules are settings, what the settings say
(INSTALLED_APPS, ROOT_URLCONF, MIDDLEWARE, TEMPLATES) and the apps the developers declared.

Settings are read from the facts like any other code: a settings module is one that assigns
Django's own settings (or common ones, in a module named like settings), or star-imports one.
"""

from __future__ import annotations

from typing import Any

from ..facts import Definition, Expr, FileFacts
from .module_roles import convention
from .names import strings_in
from .project import Project
from .vocabulary import COMMON_SETTINGS, DJANGO_SETTINGS


def settings_modules(project: Project) -> list[str]:
    """Django settings: modules assigning Django's own settings, or common ones in a module
    named like settings, or star-importing a settings module (split settings)."""
    django = "django" in project.used
    found = {m for m, f in project.files.items() if _is_settings(f, django)}
    changed = True
    while changed:  # settings/__init__.py: `from .production import *`
        extra = {m for m in project.files if m not in found and set(project.names.stars[m]) & found}
        found |= extra
        changed = bool(extra)
    return sorted(found)


def _is_settings(facts: FileFacts, django: bool) -> bool:
    assigned = {v.qname.rsplit(".", 1)[1] for v in facts.variables} | {n for n, _, _ in facts.extended}
    if assigned & {"INSTALLED_APPS", "ROOT_URLCONF"} or (django and assigned & DJANGO_SETTINGS):
        return True
    return django and convention(facts.module) == "settings" and len(assigned & COMMON_SETTINGS) >= 2


def setting(project: Project, name: str) -> list[str]:
    """Every string a settings module puts into a setting, in module then line order."""
    found: list[str] = []
    for module in project.settings:
        facts = project.files[module]
        values = [v.value for v in facts.variables if v.qname == f"{module}.{name}"]
        values += [value for target, value, _ in facts.extended if target == name]
        for value in values:
            found += [s for s in _strings(project, value, module) if s not in found]
    return found


def _strings(project: Project, value: Expr, module: str, depth: int = 0) -> list[str]:
    """Strings of a value, with names of other lists (`BASE_APPS + LOCAL_APPS`) followed."""
    if value[0] == "name" and depth < 5:
        path = project.names.member(module, value[1])
        variable = project.variables.get(path or "")
        return _strings(project, variable.value, variable.qname.rsplit(".", 1)[0], depth + 1) if variable else []
    if value[0] in ("add", "seq") and depth < 5:
        items = value[1:] if value[0] == "add" else value[1]
        return [s for item in items for s in _strings(project, item, module, depth + 1)]
    return list(strings_in(value))


def settings_lists(project: Project) -> None:
    """Middleware and context processors the settings name (MIDDLEWARE, TEMPLATES)."""
    for entry in setting(project, "MIDDLEWARE") + setting(project, "MIDDLEWARE_CLASSES"):
        target = project.local_name(entry)
        if target is not None:
            project.set_tag(target, ("middleware", "django"))
    for entry in setting(project, "TEMPLATES"):
        target = project.local_name(entry)
        if target is not None and project.defs[target].kind == "function":
            project.set_tag(target, ("context-processor", "django"))


def django_meta(project: Project) -> dict[str, Any]:
    """graph.json's `frameworks.django` beyond role counts: settings, apps, entry points."""
    urlconf = setting(project, "ROOT_URLCONF")
    meta: dict[str, Any] = {
        "settings": project.settings,
        "installed_apps": setting(project, "INSTALLED_APPS"),
        "entry_points": sorted(f.path for m, f in project.files.items()
                               if project.module_roles.get(m) == "entry-point"),
        "apps": sorted(d["name"] for d in django_apps(project)),
    }
    if urlconf:
        meta["root_urlconf"] = urlconf[0]
    return meta


def django_apps(project: Project) -> list[dict[str, Any]]:
    """Local Django apps: AppConfig classes, and packages listed in INSTALLED_APPS."""
    apps: dict[str, dict[str, Any]] = {}
    for qname in sorted(q for q, t in project.tags.items() if t[0] == "app-config" and project.defs.get(q)):
        app = _app_config(project, project.defs[qname])
        if app is not None:
            apps.setdefault(app["package"], app)
    for entry in setting(project, "INSTALLED_APPS"):
        package = project.local_module(entry)
        if package is not None and package not in apps and package in project.names.packages \
                and not _is_project_package(project, package, apps):
            facts = project.files.get(package)
            apps[package] = {"name": entry.rsplit(".", 1)[-1], "kind": "django-app", "package": package,
                             "file": facts.path if facts else None, "line": 1, "declared": "installed-apps"}
    return [apps[p] for p in sorted(apps)]


def _is_project_package(project: Project, package: str, apps: dict[str, Any]) -> bool:
    """The project's own package listed as an app (for its templates): it holds the settings
    or the other apps, so it is no domain of its own."""
    inside = [*project.settings, *apps]
    return any(m.startswith(package + ".") for m in inside)


def _app_config(project: Project, definition: Definition) -> dict[str, Any] | None:
    attrs = {k: v[0][1] for k, v in definition.class_attrs.items() if v[0][0] == "str"}
    module = project.names.module_of[definition.qname]
    if "name" in attrs:
        package = project.local_module(attrs["name"])
    else:
        package = module if project.files[module].is_package else module.rpartition(".")[0] or None
    if package is None:
        return None  # configures an app whose code is elsewhere (`django.contrib.admin`)
    name = attrs.get("label") or (attrs.get("name") or package).rsplit(".", 1)[-1]
    return {"name": name, "kind": "django-app", "package": package, "file": project.files[module].path,
            "line": definition.line, "declared": "app-config"}
