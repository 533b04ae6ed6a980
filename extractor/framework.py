"""Which framework the monolith boots, and how: Django settings or the Flask app.

Building contracts imports the operations' modules, and a Django app's modules cannot be
imported before `django.setup()` (`AppRegistryNotReady`, `ImproperlyConfigured`), nor a
Flask app's code used outside an application context. The plan's `framework:` key says
how to boot; without it the answer comes from what `analyze` found:
- Django: the `DJANGO_SETTINGS_MODULE` the app's own entry points set (`manage.py`,
  `wsgi.py`, `asgi.py`: `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hc.settings")`),
  else the one settings module the analysis found;
- Flask: only the app the plan names (`framework: {flask_app: "pkg.app:create_app"}`).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.errors import InputError
from analyzer.graph import CodeGraph

SETTINGS_VARIABLE = "DJANGO_SETTINGS_MODULE"


@dataclass(frozen=True)
class Framework:
    django_settings: str | None = None
    flask_app: str | None = None  # "module:attribute": a factory called without arguments, or an app

    def to_json(self) -> dict[str, str]:
        return {k: v for k, v in (("django_settings", self.django_settings), ("flask_app", self.flask_app)) if v}

    def describe(self) -> str:
        parts = [f"Django settings {self.django_settings}"] if self.django_settings else []
        parts += [f"Flask app {self.flask_app}"] if self.flask_app else []
        return ", ".join(parts) or "no framework"


def framework_of(graph: CodeGraph, planned: Mapping[str, str], source: Path) -> Framework:
    """The framework to boot: Django always when the analysis found it (its models cannot be
    imported without it), with the plan's settings or the ones the app's entry points name;
    a Flask app only when the plan names it, since a factory may do more than import
    (connect, register, start): extract notes the app it found instead."""
    found: dict[str, Any] = graph.meta.get("frameworks") or {}
    settings = planned.get("django_settings") or (_django_settings(found["django"], source)
                                                  if "django" in found else None)
    return Framework(settings, planned.get("flask_app"))


def _django_settings(django: Mapping[str, Any], source: Path) -> str:
    entry_points = [source / path for path in django.get("entry_points") or ()]
    named = sorted({name for path in entry_points for name in settings_named_in(path)})
    candidates = named or list(django.get("settings") or ())
    if len(candidates) == 1:
        return str(candidates[0])
    found = ", ".join(candidates) if candidates else "none"
    raise InputError(f"cannot tell which Django settings module to use (found: {found})",
                     hint="say it in the plan: `framework: {django_settings: pkg.settings}`")


def settings_named_in(path: Path) -> list[str]:
    """The settings modules a file names: `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x")`
    or `os.environ["DJANGO_SETTINGS_MODULE"] = "x"` (read, never run)."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "setdefault" and len(node.args) == 2:
            key, value = node.args
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            key, value = node.targets[0].slice, node.value
        else:
            continue
        if _literal(key) == SETTINGS_VARIABLE and _literal(value):
            names.append(str(_literal(value)))
    return names


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
