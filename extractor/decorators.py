"""What becomes of the decorators of an operation when its module turns into a proxy.

One rule, used by the proxy codemod (on the source) and by extract's hazards (on the
graph's `decorators` text and `role`), so the two never disagree:

- **typing-only** decorators (`overload`, `deprecated(...)`, `final`, `no_type_check`,
  bare or from `typing`, `typing_extensions`, `warnings`) are kept in the proxy: they
  change nothing at run time that the service would have to do; so are `staticmethod`
  and `classmethod` on a method operation (objects.py), which say how it is called.
- a **Celery task** (`@shared_task`, `@<app>.task`, with or without arguments) keeps
  `.delay` and `.apply_async` in the proxy: the decorator becomes
  `@_m2l_client.task(service, operation)`, whose methods invoke the operation
  asynchronously (Lambda's `Event` invocation). A bound task (`bind=True`, first
  parameter `self`) cannot: the task object does not cross the wire.
- a function the framework **registers** (a route, a click/management command, a signal
  receiver: its role is in the web, config or command layer or is `signal`) belongs in
  the monolith: `registered-operation`, blocking.
- a decorator of the **project's own** (analyzer/boundaries/decorating.py) runs in the
  service, where its module travels: one that wraps is dropped from the proxy (it runs once,
  around the operation), one that registers is kept on it too; no hazard.
- **any other** decorator would be dropped from the proxy (it already runs in the
  service) and is reported, never dropped silently: `decorated-operation`, blocking.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from analyzer.boundaries.hazards import ERROR, Finding
from analyzer.roles import layer_of

TYPING = "typing"
METHOD = "method"
TASK = "task"
OTHER = "other"
REGISTERED_OPERATION = "registered-operation"
DECORATED_OPERATION = "decorated-operation"

_TYPING_NAMES = frozenset({"overload", "deprecated", "final", "no_type_check"})
_TYPING_MODULES = ("", "typing.", "typing_extensions.", "warnings.")
_METHOD_NAMES = frozenset({"staticmethod", "classmethod", "builtins.staticmethod", "builtins.classmethod"})
_REGISTERED_LAYERS = frozenset({"web", "config", "command"})
_REGISTERED_ROLES = frozenset({"signal"})
_REGISTERED_NAMES = ("receiver", "route", "command", "group", "connect_via", "get", "post", "put", "patch",
                     "delete", "websocket", "errorhandler")


def decorator_name(text: str) -> str:
    """`app.task` for `@app.task(bind=True)`, `celery.task(...)` or `app.task`."""
    return text.strip().removeprefix("@").split("(", 1)[0].strip().replace(" ", "")


def kind_of(text: str) -> str:
    """TYPING, METHOD, TASK or OTHER, from the decorator's text alone."""
    name = decorator_name(text)
    if name in _METHOD_NAMES:
        return METHOD
    if any(name == prefix + short for prefix in _TYPING_MODULES for short in _TYPING_NAMES):
        return TYPING
    if name in ("shared_task", "celery.shared_task") or (name.endswith(".task") and name.count(".") == 1):
        return TASK
    return OTHER


def is_registered(role: str | None, decorators: Sequence[str]) -> bool:
    """A route, command or signal receiver: the framework calls it, so it stays in the monolith."""
    if role and (role in _REGISTERED_ROLES or layer_of(role) in _REGISTERED_LAYERS):
        return True
    return any(kind_of(d) == OTHER and decorator_name(d).rsplit(".", 1)[-1] in _REGISTERED_NAMES
               and (decorator_name(d) == "receiver" or "." in decorator_name(d)) for d in decorators)


def operation_findings(name: str, attrs: Mapping[str, object], location: str, service: str,
                       project: Mapping[str, str] | None = None) -> list[Finding]:
    """The blocking hazards of one operation's decorators (and registration), from the graph;
    `project` names the project's own decorators on it, which run in the service (no hazard)."""
    decorators = [str(d) for d in attrs.get("decorators") or ()]  # type: ignore[attr-defined]
    role = attrs.get("role")
    role = str(role) if role else None
    if is_registered(role, decorators):
        how = (f"@{', @'.join(decorators)}" if decorators else f"the framework (as a {role})")
        return [Finding(REGISTERED_OPERATION, ERROR, location, name, service,
                        f"{name} is registered by {how}{f' as a {role}' if role and decorators else ''}: the "
                        "framework calls it in the monolith, where the proxy would lose the registration",
                        "keep its module in the monolith (`mono2lambda plan keep`), or move the function out of "
                        "the extracted module")]
    found = []
    for text in decorators:
        kind = kind_of(text)
        if kind == TASK and _first_parameter(attrs) == "self":
            found.append(Finding(DECORATED_OPERATION, ERROR, location, name, service,
                                 f"{name} is a bound Celery task (@{text}, first parameter `self`): the task "
                                 "object cannot cross the wire",
                                 "drop bind=True (retry through Lambda's asynchronous retries), or keep the "
                                 "module in the monolith"))
        elif kind == OTHER and decorator_name(text).rsplit(".", 1)[-1] not in (project or {}):
            found.append(Finding(DECORATED_OPERATION, ERROR, location, name, service,
                                 f"{name} is decorated with @{text}: the proxy would drop it (it runs in the "
                                 "service only), so callers in the monolith would no longer get what it adds",
                                 "move the decorator to a private helper, undecorate the operation, or keep the "
                                 "module in the monolith (docs/extract.md, Decorators)"))
    return found


def _first_parameter(attrs: Mapping[str, object]) -> str | None:
    params = attrs.get("params") or ()
    for p in params:  # type: ignore[attr-defined]
        return str(p["name"])
    return None
