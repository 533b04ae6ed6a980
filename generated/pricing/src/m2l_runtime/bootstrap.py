"""Boot the monolith's framework before its modules are imported: Django settings and
`django.setup()`, or the Flask app (made by its factory) with an application context
pushed for the life of the process.

`extract` runs this in the child that imports the monolith to read its types, and a
service's handler runs it once at cold start, outside the handler function, so both see
the code as the app itself would. The configuration is a plain mapping:
`{"django_settings": "hc.settings"}` or `{"flask_app": "pkg.app:create_app"}` (a factory
called without arguments, or an app object), and in a package `"secrets"`: environment
variable -> `ssm:/path` (SSM Parameter Store, decrypted) or `secretsmanager:name-or-arn`
(Secrets Manager's SecretString); `"sqlalchemy_session": "pkg.db:session_scope"` names the
session factory the handler opens an operation's own unit of work with (orm.py). Secrets
are read with boto3 (part of the Lambda runtime) and exported before the framework
starts, so settings read them as any variable. A
variable already set is left alone and not fetched: locally (`mono2lambda serve`, the
package's tests) set it in the shell, or point boto3 at an emulator with
AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL_SECRETS_MANAGER.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import Any

from . import orm

_PUSHED: list[Any] = []  # the Flask application context stays pushed while the process lives


class BootError(RuntimeError):
    """The framework could not be started; the message says which setting to check."""


def boot(framework: Mapping[str, Any] | None) -> None:
    if not framework:
        return
    export_secrets(framework.get("secrets") or {})
    if framework.get("django_settings"):
        _boot_django(framework["django_settings"])
        orm.configure_django()
    if framework.get("flask_app"):
        _boot_flask(framework["flask_app"])
    orm.configure(framework.get("sqlalchemy_session"))


def export_secrets(secrets: Mapping[str, str]) -> None:
    """Each secret's value as its environment variable, unless the variable is already set."""
    clients: dict[str, Any] = {}
    for variable, reference in sorted(secrets.items()):
        if variable in os.environ:
            continue
        os.environ[variable] = _read_secret(variable, reference, clients)


def _read_secret(variable: str, reference: str, clients: dict[str, Any]) -> str:
    store, _, name = reference.partition(":")
    try:
        if store not in clients:
            import boto3

            clients[store] = boto3.client("secretsmanager" if store == "secretsmanager" else "ssm")
        if store == "ssm":
            value = clients[store].get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        elif store == "secretsmanager":
            value = clients[store].get_secret_value(SecretId=name)["SecretString"]
        else:
            raise ValueError(f"unknown secret store {store!r} (ssm: or secretsmanager:)")
    except Exception as exc:
        raise BootError(f"could not read the secret {reference!r} for {variable}: {type(exc).__name__}: {exc} "
                        f"(locally, set {variable} in the environment instead)") from exc
    return str(value)


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
