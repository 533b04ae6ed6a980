"""Flask and FastAPI declarations: the applications (app objects and factories) and the
blueprints and routers the developers declared, which become domains.

A blueprint is a module variable holding a `Blueprint`, `Namespace` or `APIRouter`; its
name is the one it was given, else (routers) its first tag, its prefix or its module.
"""

from __future__ import annotations

from typing import Any

from ..facts import Expr
from .names import class_key, strings_in
from .project import Project
from .vocabulary import APP_CLASSES, BLUEPRINTS


def web_meta(project: Project, framework: str) -> dict[str, Any]:
    """graph.json's `frameworks.flask` or `.fastapi` beyond role counts: apps and blueprints or routers."""
    apps = sorted(q for q, t in project.tags.items() if t == ("app-factory", framework)
                  and (q in project.defs or q in project.app_objects))
    declared = [d for d in blueprints(project) if d["framework"] == framework]
    key = "blueprints" if framework == "flask" else "routers"
    return {"apps": apps, key: sorted(({"name": d["name"], "variable": d["variable"], "module": d["package"]}
                                       for d in declared), key=lambda d: (d["name"], d["variable"]))}


def blueprints(project: Project) -> list[dict[str, Any]]:
    """Every blueprint and router variable, in name order."""
    found = []
    for qname in sorted(q for q, t in project.tags.items() if t[0] == "blueprint" and q in project.variables):
        variable = project.variables[qname]
        module = qname.rsplit(".", 1)[0]
        value = variable.value
        path = project.outside_class(project.names.resolve(value[1], project.defs[module]) or "")
        kind = BLUEPRINTS.get(class_key(path), "blueprint")
        found.append({"name": _blueprint_name(value, module, kind), "kind": kind, "package": module,
                      "file": project.files[module].path, "line": variable.line, "variable": qname,
                      "declared": "instance",
                      "framework": APP_CLASSES.get(class_key(path), "flask")})
    return found


def _blueprint_name(value: Expr, module: str, kind: str) -> str:
    """`Blueprint("auth", ...)` -> auth; a router: its first tag, its prefix, or its module."""
    args, kwargs = value[2], dict(value[3])
    if kind == "blueprint" and args and args[0][0] == "str":
        return str(args[0][1])
    if kind == "blueprint" and kwargs.get("name", ("",))[0] == "str":
        return str(kwargs["name"][1])
    tags = list(strings_in(kwargs.get("tags", ("other",))))
    prefix = next(strings_in(kwargs.get("prefix", ("other",))), "").strip("/").replace("/", ".")
    parts = module.split(".")
    generic = parts[-1] in ("router", "routes", "routers", "api", "views", "endpoints", "__init__")
    return tags[0] if tags else prefix or (parts[-2] if generic and len(parts) > 1 else parts[-1])
