"""Framework roles: what each module, class, function and variable is *for*, read from the
source alone (facts of every file; nothing is imported or run).

Later stages decide by layer (`analyzer/roles.py`): views and settings stay in the monolith,
models and tasks make services. So this package names, for Django, Django REST framework,
Flask, FastAPI, Celery, SQLAlchemy, Graphene and Strawberry, the role of each definition,
the role of each module as a whole, the frameworks in use and the domains the developers
declared (Django apps, Flask blueprints, FastAPI routers). Pure and linear in the size of
the facts.

A definition's role, first found wins:
1. its decorators (`@bp.route`, `@shared_task`, `@receiver`, `@admin.register`, `@pytest.fixture`);
2. for a class, its bases, followed through local classes (`class Post(TimeStamped)`);
3. its shape: app factories, `*Config` classes of UPPER_CASE settings, function views (first
   parameter `request`) in a views module, classes mapped to a table;
4. what other code does with it: `urlpatterns`, `add_url_rule`, `signal.connect(f)`,
   `admin.site.register(M, A)`, DRF routers, settings' MIDDLEWARE and context processors.
Methods and nested code without a role take their parent's; top-level code without one takes
its module's when the whole file is of one kind (`MODULE_WIDE`: migrations, commands, ...).

The modules, in the order `detect` uses them:
- `vocabulary`: the tables of known bases, decorators, instance methods and conventions;
- `names`: what a written name stands for, following imports (`Names`);
- `project`: the state the detectors share (`Project`);
- `definitions`: rules 1-3, and variables by the instance they hold;
- `registrations`: rule 4 for calls and Django urlconfs;
- `django`: settings modules, what settings say, Django apps;
- `module_roles`: a module's role as a whole;
- `blueprints`: Flask and FastAPI applications, blueprints and routers;
- `results`: final roles, the `frameworks` of graph.json and the declared domains.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..facts import FileFacts
from .definitions import DefinitionRoles
from .django import settings_lists, settings_modules
from .module_roles import module_roles
from .project import Project
from .registrations import registrations, urlpatterns
from .results import domains, final_roles, frameworks_meta

__all__ = ["Detection", "detect"]


@dataclass
class Detection:
    """What `detect` found: node id -> role, the `frameworks` and `domains` of graph.json."""

    roles: dict[str, str] = field(default_factory=dict)
    frameworks: dict[str, dict[str, Any]] = field(default_factory=dict)
    domains: list[dict[str, Any]] = field(default_factory=list)


def detect(files: list[FileFacts], tables: Iterable[str] = ()) -> Detection:
    """Roles, frameworks and declared domains of a program (`tables`: classes and `Table`
    variables the data model maps to a table, models whatever their bases).

    The order of the steps matters: a node keeps the first role found for it."""
    project = Project([f for f in files if f.parsed], set(tables))
    project.settings = settings_modules(project)
    DefinitionRoles(project).run()
    registrations(project)
    urlpatterns(project)
    settings_lists(project)
    module_roles(project)
    return Detection(final_roles(project), frameworks_meta(project), domains(project))
