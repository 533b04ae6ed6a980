"""Plan, then execute: what `serve` will run, and what it must install first.

`plan_serve` reads the templates and the cache and says which functions there are, which
dependency folder each gets, which folders are still to install, and what may behave
differently here than on AWS (`notes`). `install_missing` then runs the pip installs;
only after that does the server start.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..interpreter import Interpreter, choose, current
from .deps import Install, missing, package_install, run_install, runtime_install
from .functions import FunctionSpec, load_functions


@dataclass(frozen=True)
class ServePlan:
    functions: tuple[FunctionSpec, ...]
    dependencies: Mapping[str, Install]  # by function name
    runtimes: Mapping[str, Install]  # what the Lambda runtime provides, by function name
    to_install: tuple[Install, ...] = ()
    notes: tuple[str, ...] = ()
    pythons: Mapping[str, Interpreter] | None = None  # the interpreter of each function's workers, by name

    def python_of(self, function: str) -> Interpreter:
        return (self.pythons or {}).get(function) or current()


def plan_serve(generated: Path, cache: Path, python: str | None = None) -> ServePlan:
    """`python`: the interpreter every worker runs (the app's own); by default, one of the runtime each
    template asks for (see interpreter.py)."""
    specs = tuple(load_functions(generated))
    chosen, python_notes = choose((spec.runtime for spec in specs), python)
    pythons = {spec.name: chosen[spec.runtime] for spec in specs}
    dependencies = {spec.name: package_install(spec, cache.resolve(), pythons[spec.name]) for spec in specs}
    runtimes = {spec.name: runtime_install(cache.resolve(), pythons[spec.name]) for spec in specs}
    return ServePlan(specs, dependencies, runtimes, tuple(missing([*dependencies.values(), *runtimes.values()])),
                     (*python_notes, *_notes(specs)), pythons)


def install_missing(plan: ServePlan, progress: Callable[[Install], None]) -> None:
    for install in plan.to_install:
        progress(install)
        run_install(install)


def _notes(specs: tuple[FunctionSpec, ...]) -> list[str]:
    return [f"{spec.name}: {name} is an intrinsic function in the template and has no value here; "
            f"set it in serve's environment" for spec in specs for name in spec.unresolved]
