"""Build script: everything but the compiled build lives in pyproject.toml.

An installed mono2lambda runs its analyzer compiled: building a wheel (`pip install .`,
`pipx install`, `pip wheel .`) compiles the modules listed in analyzer/compiled_modules.py
with mypyc (docs/compiled-build.md). M2L_MYPYC chooses:

    unset  compile when the build can (mypyc importable, a C compiler that works), otherwise
           build pure Python and say why: the same results, a slower `analyze`
    1      compile, or fail the build (`make compiled`, CI)
    0      never compile

An editable install (`pip install -e .`, which `make` does) and an in-place build stay pure
Python: an extension module beside an edited .py file would be imported instead of it; with
M2L_MYPYC=1 they refuse. The mypy release is pinned in pyproject.toml's build requirements and
test extra alike (tests/test_compiled_build.py): code compiled by another release could behave
differently.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.errors import CCompilerError, ExecError

HERE = Path(__file__).parent
CHOICE = os.environ.get("M2L_MYPYC", "")  # "1" must compile, "0" never, unset: when it can
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
    if IN_PLACE_COMMANDS.intersection(sys.argv):
        if CHOICE == "1":
            sys.exit("M2L_MYPYC=1 builds wheels only: an editable or in-place install stays pure Python")
        return []
    if CHOICE == "0" or not BUILD_COMMANDS.intersection(sys.argv):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        return _pure_python("mypyc (part of mypy) is not installed where this build runs")
    # multi_file: a C file per module instead of one for all. The same speed once built (Django, paired
    # runs), a third less compiler time, and files that ParallelBuildExt compiles side by side.
    return mypycify(compiled_module_paths(), opt_level=os.environ.get("MYPYC_OPT_LEVEL", "3"), debug_level="0",
                    multi_file=True)


def _pure_python(why: str) -> list[Extension]:
    """No compiled modules, for `why`; a build that must compile (M2L_MYPYC=1) stops here instead."""
    if CHOICE == "1":
        sys.exit(f"M2L_MYPYC=1, but the analyzer cannot be compiled: {why}")
    print(f"mono2lambda: building pure Python, the analyzer is not compiled ({why}); "
          "the results are the same, analyze is slower (docs/compiled-build.md)", file=sys.stderr)
    return []


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
        except (CCompilerError, ExecError) as error:
            self._drop_built()  # a module's shim without the shared library it loads would not import
            _pure_python(f"the C compiler failed: {error}")
        finally:
            del self.compiler.compile

    def _drop_built(self) -> None:
        for extension in self.extensions:
            Path(self.get_ext_fullpath(extension.name)).unlink(missing_ok=True)


setup(
    ext_modules=extensions(),
    cmdclass={"build_ext": ParallelBuildExt},
    options={"build_ext": {"parallel": os.cpu_count() or 1}},  # and the extensions themselves
)
