"""Errors that cross the wire, and the envelope that carries them.

A service answers `{"result": ...}` or `{"error": {...}}`; the error object uses the
keys of Lambda's own error payload (`errorType`, `errorMessage`) so one reader handles
both. `errorType` is the exception's qualified class name: the caller imports that
class from its own code (the monolith keeps every exception class in its proxies) and
raises it again, with the same `args` and attributes.
"""

from __future__ import annotations

import importlib
from typing import Any


class ContractError(Exception):
    """A request or response that does not match the operation's contract."""


class RemoteError(Exception):
    """An error from a service that the caller cannot raise as its own class."""

    def __init__(self, service: str, error_type: str, message: str) -> None:
        super().__init__(f"{service}: {error_type}: {message}")
        self.service = service
        self.error_type = error_type
        self.error_message = message


def encode_error(exc: BaseException) -> dict[str, Any]:
    cls = type(exc)
    return {
        "errorType": f"{cls.__module__}.{cls.__qualname__}",
        "errorMessage": str(exc),
        "args": _jsonable(list(exc.args)),
        "attributes": _jsonable(dict(sorted(getattr(exc, "__dict__", {}).items()))),
    }


def decode_error(service: str, error: dict[str, Any]) -> BaseException:
    """The exception to raise on the caller's side for a service's error object."""
    error_type = str(error.get("errorType", "Exception"))
    message = str(error.get("errorMessage", ""))
    if error_type in ("ContractError", f"{__name__}.ContractError"):
        return ContractError(message)
    cls = _find_class(error_type)
    if cls is None:
        return RemoteError(service, error_type, message)
    exc = cls.__new__(cls)
    exc.args = tuple(error.get("args") or (message,))
    exc.__dict__.update(error.get("attributes") or {})
    return exc


def _find_class(qualified: str) -> type[BaseException] | None:
    module_name, _, name = qualified.rpartition(".")
    if not module_name:
        return None
    try:
        found: Any = importlib.import_module(module_name)
        for part in name.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError):
        return None
    return found if isinstance(found, type) and issubclass(found, BaseException) else None


def _jsonable(value: object) -> Any:
    from pydantic_core import to_jsonable_python  # the service's side only: callers may have no pydantic 2

    return to_jsonable_python(value, fallback=repr)
