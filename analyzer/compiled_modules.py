"""Which analyzer modules the optional compiled build compiles with mypyc, and which this install runs compiled.

setup.py reads COMPILED_MODULES (with M2L_MYPYC=1); docs/compiled-build.md says why each is here."""

from __future__ import annotations

import importlib.machinery
import importlib.util

COMPILED_MODULES: tuple[str, ...] = (
    "analyzer.values", "analyzer.memo", "analyzer.parse", "analyzer.exprs", "analyzer.resolve", "analyzer.bindings",
    "analyzer.arguments", "analyzer.data", "analyzer.build", "analyzer.factcodec",
    "analyzer.collect", "analyzer.relationships", "analyzer.graph", "analyzer.summary", "analyzer.result_changes",
    "analyzer.result_reads", "analyzer.registries", "analyzer.resources", "analyzer.fieldpickle",
    "analyzer.blobstore", "analyzer.sources", "analyzer.roles",
    "analyzer.frameworks.__init__", "analyzer.frameworks.blueprints", "analyzer.frameworks.definitions",
    "analyzer.frameworks.django", "analyzer.frameworks.inputs", "analyzer.frameworks.module_roles",
    "analyzer.frameworks.names", "analyzer.frameworks.project", "analyzer.frameworks.registrations",
    "analyzer.frameworks.results", "analyzer.frameworks.vocabulary",
)


def running_compiled() -> tuple[str, ...]:
    """The modules of COMPILED_MODULES that this install loads from extension modules: empty for pure Python."""
    return tuple(name for name in COMPILED_MODULES if _is_extension(name.removesuffix(".__init__")))


def _is_extension(module: str) -> bool:
    spec = importlib.util.find_spec(module)
    origin = spec.origin if spec is not None else None
    return origin is not None and origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
