"""Boot the monolith's framework before its modules are imported: Django settings and
`django.setup()`, or the Flask app (made by its factory) with an application context
pushed for the life of the process.

`extract` runs this in the child that imports the monolith to read its types, and a
service's handler runs it once at cold start, outside the handler function, so both see
the code as the app itself would. The configuration is a plain mapping:
`{"django_settings": "hc.settings"}` or `{"flask_app": "pkg.app:create_app"}` (a factory
called without arguments, or an app object).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import Any

_PUSHED: list[Any] = []  # the Flask application context stays pushed while the process lives


class BootError(RuntimeError):
    """The framework could not be started; the message says which setting to check."""


def boot(framework: Mapping[str, str] | None) -> None:
    if not framework:
        return
    if framework.get("django_settings"):
        _boot_django(framework["django_settings"])
    if framework.get("flask_app"):
        _boot_flask(framework["flask_app"])


def _boot_django(settings: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    try:
        import django

        django.setup()
    except Exception as exc:
        raise BootError(f"django.setup() with DJANGO_SETTINGS_MODULE={os.environ['DJANGO_SETTINGS_MODULE']} "
                        f"failed: {type(exc).__name__}: {exc}") from exc


def _boot_flask(target: str) -> None:
    module_name, _, attribute = target.partition(":")
    try:
        found = getattr(importlib.import_module(module_name), attribute or "app")
        app = found if hasattr(found, "app_context") else found()
        context = app.app_context()
        context.push()
    except Exception as exc:
        raise BootError(f"could not make the Flask app {target!r}: {type(exc).__name__}: {exc}") from exc
    _PUSHED.append(context)
