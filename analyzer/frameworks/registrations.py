"""Roles other code gives a definition by handing it to a framework: `add_url_rule`,
`register_error_handler`, `signal.connect(f)`, `admin.site.register(M, A)`, DRF routers,
`add_command`, and the views a Django `urlpatterns` names.

These run after the definitions' own rules, so they only fill in what those left untagged
(first found wins); module-level registrations also count towards the module's shape
(`urls`, `signal`, `admin`).
"""

from __future__ import annotations

from ..facts import Definition, Expr
from .names import calls_in, class_key, expr_path, instance_split
from .project import Project
from .vocabulary import (
    APP_CLASSES,
    INSTANCE_METHODS,
    MODULE_SHAPES,
    REGISTRATIONS,
    ROUTERS,
    WEB_OBJECT_NAMES,
    Tag,
)


def registrations(project: Project) -> None:
    """Every registration call, in definition name then call order (`project.registering`:
    the calls of a method in REGISTRATIONS, in the order the definitions were read)."""
    found = sorted(project.registering, key=lambda item: item[0])  # stable: a definition's calls stay in call order
    for _, definition, site in found:
        _registration(project, definition, site.func, site.args, dict(site.kwargs))


def _registration(project: Project, scope: Definition, func: Expr, args: tuple, kwargs: dict) -> None:
    method = func[2]
    path = project.names.resolve(func, scope) or expr_path(func) or ""
    role = _registered_role(project, path, method)
    if role is None:
        return
    index, keyword, _ = REGISTRATIONS[method]
    argument = args[index] if len(args) > index else kwargs.get(keyword or "")
    target = project.names.local_def(argument, scope) if argument is not None else None
    if target is not None:
        project.set_tag(target, role)
    if scope.kind == "module" and method in MODULE_SHAPES:
        project.shapes[scope.qname][role[0] if role[0] == "admin" else MODULE_SHAPES[method]] += 1


def _registered_role(project: Project, path: str, method: str) -> Tag | None:
    """The role a registration call gives, if `path` is that framework's object."""
    split = instance_split(path)
    key = class_key(project.outside_class(split[0])) if split else ("", "")
    if method == "connect":
        return ("signal", "django" if path.startswith("django.") else None) if "signal" in path.lower() else None
    if method == "register":
        if path in ("django.contrib.admin.site.register", "django.contrib.admin.sites.site.register") or \
                key == ("django", "AdminSite"):
            return ("admin", "django")
        return ("view", "drf") if key[1] in ROUTERS else None
    if method == "add_command":
        return ("command", None) if key in INSTANCE_METHODS or path.endswith("cli.add_command") else None
    if key in APP_CLASSES or (not split and path.split(".", 1)[0] in WEB_OBJECT_NAMES):
        return REGISTRATIONS[method][2], APP_CLASSES.get(key)
    return None


def urlpatterns(project: Project) -> None:
    """Views named in Django urlconfs: `path("x/", views.x)`, `path("y/", Y.as_view())`."""
    for module, facts in project.files.items():
        values = [v.value for v in facts.variables if v.qname == f"{module}.urlpatterns"]
        values += [value for name, value, _ in facts.extended if name == "urlpatterns"]
        scope = facts.definitions[0]
        for call in (c for value in values for c in calls_in(value)):
            name = expr_path(call[1]) or ""
            if name.rsplit(".", 1)[-1] in ("path", "re_path", "url") and len(call[2]) > 1:
                target = project.names.local_def(call[2][1], scope)
                if target is not None:
                    project.set_tag(target, ("view", "django"))
