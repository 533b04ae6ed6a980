"""Plan, then execute: what `serve` will run, and what it must install first.

`plan_serve` reads the templates and the cache and says which functions there are, which
dependency folder each gets, which folders are still to install, and what may behave
differently here than on AWS (`notes`). `install_missing` then runs the pip installs;
only after that does the server start.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .deps import Install, missing, package_install, run_install, runtime_install
from .functions import FunctionSpec, load_functions


@dataclass(frozen=True)
class ServePlan:
    functions: tuple[FunctionSpec, ...]
    dependencies: Mapping[str, Install]  # by function name
    runtime: Install  # what the Lambda runtime provides, for every function
    to_install: tuple[Install, ...] = ()
    notes: tuple[str, ...] = ()


def plan_serve(generated: Path, cache: Path) -> ServePlan:
    specs = tuple(load_functions(generated))
    dependencies = {spec.name: package_install(spec, cache.resolve()) for spec in specs}
    runtime = runtime_install(cache.resolve())
    return ServePlan(specs, dependencies, runtime, tuple(missing([*dependencies.values(), runtime])),
                     tuple(_notes(specs)))


def install_missing(plan: ServePlan, progress: Callable[[Install], None]) -> None:
    for install in plan.to_install:
        progress(install)
        run_install(install)


def _notes(specs: tuple[FunctionSpec, ...]) -> list[str]:
    here = f"python{sys.version_info.major}.{sys.version_info.minor}"
    other = sorted({spec.runtime for spec in specs if spec.runtime and spec.runtime != here})
    notes = [f"the templates ask for {', '.join(other)}; the workers run {here} (the Python serve runs with)"
             ] if other else []
    notes += [f"{spec.name}: {name} is an intrinsic function in the template and has no value here; "
              f"set it in serve's environment" for spec in specs for name in spec.unresolved]
    return notes
