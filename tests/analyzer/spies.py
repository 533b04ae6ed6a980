"""Count the calls of an analyzer function, where the build lets a test see them.

A compiled module (docs/compiled-build.md) calls its own functions and its classes' methods directly,
not through the module or class attribute a test could replace: there, `spy` returns None and
`counted` accepts any count, while the rest of the test (the graph equals a cold run's...) still runs."""

from __future__ import annotations

from types import ModuleType

import pytest

from analyzer.compiled_modules import running_compiled


def compiled(module: str) -> bool:
    """Whether this build runs `module` compiled (its functions cannot be replaced from outside)."""
    return module in {name.removesuffix(".__init__") for name in running_compiled()}


def spy(monkeypatch: pytest.MonkeyPatch, owner: ModuleType | type, name: str) -> list[tuple[object, ...]] | None:
    """The arguments of every call of owner.name from now on; None when owner is compiled in this build."""
    if compiled(owner.__name__ if isinstance(owner, ModuleType) else owner.__module__):
        return None
    original = getattr(owner, name)
    calls: list[tuple[object, ...]] = []

    def recorded(*args: object) -> object:
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(owner, name, recorded)
    return calls


def counted(calls: list[tuple[object, ...]] | None, expected: int) -> bool:
    """Whether `expected` calls were seen (always true where they cannot be seen, see spy)."""
    return calls is None or len(calls) == expected
