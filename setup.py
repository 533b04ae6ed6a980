"""Build script: everything but the optional compiled build lives in pyproject.toml.

A plain `pip install .` or `pip install -e .` compiles nothing: the package is pure Python.
With M2L_MYPYC=1 the analyzer modules in analyzer/compiled_modules.py are compiled with mypyc
into the wheel (`make compiled`; docs/compiled-build.md), e.g.

    M2L_MYPYC=1 .venv/bin/pip wheel --no-build-isolation --no-deps . -w dist/compiled

The build uses the mypy pinned by the test extra (code compiled by another mypyc release could
behave differently): `make compiled` builds without isolation with the dev venv's, a plain
`M2L_MYPYC=1 pip install .` gets it into its isolated build environment. An editable install or
an in-place build refuses to compile: an extension module beside an edited .py file would shadow it.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent
# What a compiled build needs besides the C compiler and Python's headers; the mypy pin is the test extra's
# (tests/test_compiled_build.py). With build isolation (`M2L_MYPYC=1 pip install .`) pip installs these into the
# build environment; with --no-build-isolation they must be installed already.
MYPYC_BUILD_REQUIRES = ["mypy==2.4.1", "setuptools>=77"]
IN_PLACE_COMMANDS = {"editable_wheel", "develop", "--inplace", "-i"}
BUILD_COMMANDS = {"bdist_wheel", "build", "build_ext", "install"}  # not metadata or sdist: no C needed there


def compiled_module_paths() -> list[str]:
    """The source files listed in analyzer/compiled_modules.py (read without importing the package)."""
    namespace: dict[str, object] = {}
    exec((HERE / "analyzer" / "compiled_modules.py").read_text(), namespace)
    names = namespace["COMPILED_MODULES"]
    assert isinstance(names, tuple)
    return [f"{name.replace('.', '/')}.py" for name in names]


def extensions() -> list[Extension]:
    if os.environ.get("M2L_MYPYC") != "1":
        return []
    if IN_PLACE_COMMANDS.intersection(sys.argv):
        sys.exit("M2L_MYPYC=1 builds wheels only: an editable or in-place install stays pure Python")
    if not BUILD_COMMANDS.intersection(sys.argv):
        return []
    from mypyc.build import mypycify

    # multi_file: a C file per module instead of one for all. The same speed once built (Django, paired
    # runs), a third less compiler time, and files that ParallelBuildExt compiles side by side.
    return mypycify(compiled_module_paths(), opt_level=os.environ.get("MYPYC_OPT_LEVEL", "3"), debug_level="0",
                    multi_file=True)


class ParallelBuildExt(build_ext):
    """build_ext that compiles an extension's C files side by side, one per core: mypyc's output is one
    extension of many files, which build_ext's own parallel option (across extensions) leaves in turn."""

    def build_extensions(self) -> None:
        compile_files = self.compiler.compile

        def compile_each(sources: list[str], *args: object, **kwargs: object) -> list[str]:
            with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
                objects = pool.map(lambda source: compile_files([source], *args, **kwargs), sources)
                return [path for made in objects for path in made]

        self.compiler.compile = compile_each
        try:
            super().build_extensions()
        finally:
            del self.compiler.compile


setup(
    ext_modules=extensions(),
    cmdclass={"build_ext": ParallelBuildExt},
    options={"build_ext": {"parallel": os.cpu_count() or 1}},  # and the extensions themselves
    setup_requires=MYPYC_BUILD_REQUIRES if os.environ.get("M2L_MYPYC") == "1" else [],
)
