"""The vocabulary of framework roles, and the layer each role belongs to.

The analyzer records a `role` on module, class, function and method nodes (detected from
the source alone by `frameworks.py`); later stages decide by *layer*, not by role, so a
new role only needs a line here. The layers:

- `web`: the HTTP and API surface (views, routes, urls, forms, serializers, resolvers,
  middleware, template helpers). It stays in the monolith and calls the services.
- `config`: settings, config classes, app factories, app configs, wsgi/asgi and manage
  entry points: what boots the framework.
- `admin`, `command`, `migration`, `test`: admin sites, CLI and management commands,
  schema migrations, test helpers. None of them is a service.
- `library`: framework extensions and plain helpers every domain uses (`db = SQLAlchemy()`).
- `domain`: models, tasks, signals: the code services are made of (a module of signal
  receivers stays with the framework that calls it, see `REGISTERED_ROLES`).
"""

from __future__ import annotations

ROLE_LAYERS: dict[str, str] = {
    # web
    "view": "web",  # Django function or class-based views, DRF viewsets/APIViews, Flask/FastAPI routes
    "urls": "web",  # Django urlconfs (`urlpatterns`)
    "form": "web",
    "serializer": "web",  # DRF serializers, marshmallow schemas
    "resolver": "web",  # GraphQL schema types, queries, mutations and resolvers (Graphene, Strawberry)
    "middleware": "web",
    "template-tag": "web",
    "context-processor": "web",
    "blueprint": "web",  # Flask blueprints and FastAPI routers
    # config
    "settings": "config",  # Django settings modules
    "config": "config",  # Flask config classes and modules
    "app-config": "config",  # Django AppConfig classes and apps.py
    "app-factory": "config",  # Flask app objects and factories (`create_app`)
    "entry-point": "config",  # manage.py, wsgi.py, asgi.py
    # others that are never a service
    "admin": "admin",
    "command": "command",  # Django management commands, click/Flask CLI groups and commands
    "migration": "migration",  # Django migrations, Alembic revisions and env.py
    "test-helper": "test",  # factories, fixtures, test base classes shipped with the code
    # libraries
    "extension": "library",  # `db = SQLAlchemy()`, `celery = Celery()`, `login_manager = LoginManager()`
    # domain
    "model": "domain",  # Django models, SQLAlchemy mapped classes
    "task": "domain",  # Celery tasks
    "signal": "domain",  # signal definitions and receivers
}

LAYERS = ("web", "config", "admin", "command", "migration", "test", "library", "domain")

STAYS_IN_MONOLITH = frozenset({"web", "config", "admin", "command", "migration", "test"})
"""Layers that `propose` keeps out of services by default (`--cluster-web` clusters `web`)."""

REGISTERED_ROLES = frozenset({"signal"})
"""Domain roles the framework reaches by registration (signal receivers): a proxy would lose
the registration, so a module of them stays in the monolith too, and calls the services."""


def is_operation_role(role: str | None) -> bool:
    """Whether a function with this role can become an operation `extract` produces: plain code,
    models' helpers and tasks can; code the framework calls by registration cannot."""
    return role not in REGISTERED_ROLES and layer_of(role) not in STAYS_IN_MONOLITH


def layer_of(role: str | None) -> str | None:
    """The layer of a role; None for no role (plain code, treated as domain) or an unknown one."""
    return ROLE_LAYERS.get(role) if role else None
