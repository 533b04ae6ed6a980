"""What detection hands to the graph: each node's final role (own, else inherited), the
`frameworks` section of graph.json and the declared domains.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .blueprints import blueprints, web_meta
from .django import django_apps, django_meta
from .project import Project
from .vocabulary import MODULE_WIDE


def final_roles(project: Project) -> dict[str, str]:
    """Own roles, then inherited ones: parent definitions, then module-wide module roles."""
    roles = {node: tag[0] for node, tag in project.tags.items()}
    roles.update(project.module_roles)
    untagged = [(qname, parent) for qname, parent in project.nested if qname not in roles]
    for qname, parent in sorted(untagged, key=lambda item: item[0].count(".")):  # parents before children
        inherited = roles.get(parent)
        if inherited and (parent != project.names.module_of[qname] or inherited in MODULE_WIDE):
            roles[qname] = inherited
    for module, role in project.module_roles.items():
        if role in MODULE_WIDE:
            for variable in project.files[module].variables:
                roles.setdefault(variable.qname, role)
    return dict(sorted(roles.items()))


def frameworks_meta(project: Project) -> dict[str, dict[str, Any]]:
    """Per framework in use: role counts, and its apps, settings, blueprints or routers."""
    counts: dict[str, Counter[str]] = {}
    for tag in project.tags.values():
        if tag[1] is not None:
            counts.setdefault(tag[1], Counter())[tag[0]] += 1
    meta: dict[str, dict[str, Any]] = {fw: {"roles": dict(sorted(counts.get(fw, Counter()).items()))}
                                       for fw in project.used | set(counts)}
    if "django" in meta or project.settings:
        meta.setdefault("django", {"roles": {}}).update(django_meta(project))
    for fw in ("flask", "fastapi"):
        if fw in meta:
            meta[fw].update(web_meta(project, fw))
    if "celery" in meta:
        meta["celery"]["apps"] = sorted(q for q, t in project.tags.items() if t == ("extension", "celery"))
    return dict(sorted(meta.items()))


def domains(project: Project) -> list[dict[str, Any]]:
    """Django apps, blueprints and routers: one per package and name (a Django app first),
    sorted by package then name."""
    found: dict[str, dict[str, Any]] = {}
    for domain in django_apps(project) + blueprints(project):
        entry = {k: domain[k] for k in ("name", "kind", "package", "file", "line", "declared")}
        found.setdefault(f"{domain['package']}\0{domain['name']}", entry)
    return [found[k] for k in sorted(found)]
