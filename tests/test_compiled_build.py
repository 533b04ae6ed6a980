"""The optional compiled build (docs/compiled-build.md): the suite runs against either build.

`make test-compiled` sets M2L_EXPECT_COMPILED=1; tests/conftest.py then stops the run before any test if
the analyzer was imported from source, so a "compiled" run can never pass on pure Python by mistake."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from analyzer.compiled_modules import COMPILED_MODULES, running_compiled

ROOT = Path(__file__).resolve().parent.parent


def test_every_listed_module_exists_in_the_source_tree() -> None:
    for name in COMPILED_MODULES:
        assert (ROOT / f"{name.replace('.', '/')}.py").is_file(), name


def test_the_build_is_what_the_run_expects() -> None:
    compiled = running_compiled()
    if os.environ.get("M2L_EXPECT_COMPILED") == "1":
        assert compiled == COMPILED_MODULES
        spec = importlib.util.find_spec("analyzer.values")
        assert spec is not None and spec.origin is not None
        assert not Path(spec.origin).is_relative_to(ROOT / "analyzer"), f"the source tree's analyzer: {spec.origin}"
    else:
        assert compiled == ()


def test_the_build_requires_the_test_extras_mypy() -> None:
    """A wheel is compiled by the mypy of pyproject.toml's build requirements, `make compiled` by the dev venv's
    (the test extra's): both must be the same release, or the two ways give different code."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    test_extra = pyproject["project"]["optional-dependencies"]["test"]
    build_requires = pyproject["build-system"]["requires"]
    assert [pin for pin in test_extra if pin.startswith("mypy")] == [pin for pin in build_requires
                                                                     if pin.startswith("mypy")] == ["mypy==2.4.1"]


def test_version_says_which_build_runs() -> None:
    from click.testing import CliRunner

    from mono2lambda.cli import cli

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    expected = f"compiled, {len(COMPILED_MODULES)} of {len(COMPILED_MODULES)} modules" \
        if os.environ.get("M2L_EXPECT_COMPILED") == "1" else "pure Python"
    assert result.output.startswith("mono2lambda, version ")
    assert result.output.endswith(f"(analyzer: {expected})\n")
