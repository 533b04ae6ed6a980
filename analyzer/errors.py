"""The one error hierarchy of mono2lambda.

    Mono2LambdaError          every error we raise on purpose; the CLI maps it to an exit code
    +-- InputError            the user's input is wrong (a path, an option, a file): exit 2
    |   +-- PlanError         the plan file is wrong or an edit of it cannot be made
    +-- CacheError            the analysis cache cannot be used (it is then rebuilt)

Every error says where, what, and how to fix it (`hint`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def clip(value: object, limit: int = 80) -> str:
    """`repr(value)`, cut to `limit` characters: an error message never prints a user's value whole."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


class Mono2LambdaError(Exception):
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(Mono2LambdaError):
    exit_code = 2


class CacheError(Mono2LambdaError):
    pass


class PlanError(InputError):
    """The plan file (boundaries.yaml) is wrong, or an edit of it cannot be made.

    The message starts with `file:line:` when the problem has a place in the file;
    `problems` keeps every problem found (structural validation reports them all at
    once, so a person fixes a file in one pass, not one error per run)."""

    def __init__(self, message: str, *, hint: str | None = None, problems: Sequence[Any] = ()) -> None:
        super().__init__(message, hint=hint)
        self.problems = tuple(problems)
