"""Registries filled at import: module state every process builds the same way for itself.

`CARRIERS: dict = {}` filled by `@register_carrier("standard")` on the classes of the same
module, or `JOBS` filled by `@periodic(...)` on its functions: the writes run while the
module is imported (its top-level code, class bodies and the decorators applied there),
so every process that imports the module, the monolith and each Lambda execution
environment alike, holds the same registry. That is configuration built per process, not
state the places using it share: no `shared-module-state` or `lambda-module-state`
hazard. The graph marks such a variable `filled_at_import`.

The rule, from the call graph: each function that writes the variable is called only from
the top-level code or class bodies of the variable's own module, or from functions that are
themselves called only so (at any depth). A writer nothing calls (a callback, or a function
only tests or other processes call), or one called from anywhere else at run time, keeps the
variable state; so does a registry other modules fill, since a process that does not import
them would hold less.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .values import Program


def filled_at_import(program: Program, edges: Iterable[tuple[str, str, str]], state: Iterable[str]) -> set[str]:
    """The state variables only import-time code of their own module writes."""
    writers: dict[str, set[str]] = {}
    callers: dict[str, set[str]] = {}
    for source, target, kind in edges:
        if kind == "writes":
            writers.setdefault(target, set()).add(source)
        elif kind == "calls":
            callers.setdefault(target, set()).add(source)
    found = set()
    for variable in state:
        module = program.module_of.get(variable)
        written_by = writers.get(variable)
        if module and written_by and all(_at_import(program, w, module, callers, frozenset()) for w in written_by):
            found.add(variable)
    return found


def _at_import(program: Program, code: str, module: str, callers: Mapping[str, set[str]],
               seen: frozenset[str]) -> bool:
    """Whether `code` runs only while `module` is imported (`seen`: the callers on this path)."""
    if code == module or (program.kind(code) == "class" and program.module_of.get(code) == module):
        return True  # the module's top level, or a class body of it
    if code in seen or program.kind(code) not in ("function", "method"):
        return False
    found = callers.get(code) or set()
    return bool(found) and all(_at_import(program, c, module, callers, seen | {code}) for c in found)
