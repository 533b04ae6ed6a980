"""Session-wide test settings: the analysis cache's signing key lives in a temporary folder,
never in the user's own cache folder (analyzer/cachekey.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from analyzer.cachekey import KEY_DIR_VARIABLE
from analyzer.compiled_modules import COMPILED_MODULES, running_compiled


def pytest_configure(config: pytest.Config) -> None:
    """A run that expects the compiled build (M2L_EXPECT_COMPILED=1, `make test-compiled`) stops at once
    if the analyzer it imported is not that build, e.g. the source tree beside the tests."""
    if os.environ.get("M2L_EXPECT_COMPILED") == "1" and running_compiled() != COMPILED_MODULES:
        import analyzer

        raise pytest.UsageError(f"M2L_EXPECT_COMPILED=1, but the analyzer imported from {analyzer.__file__} "
                                f"runs {len(running_compiled())} of {len(COMPILED_MODULES)} modules compiled")


@pytest.fixture(autouse=True, scope="session")
def _cache_key_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    previous = os.environ.get(KEY_DIR_VARIABLE)
    os.environ[KEY_DIR_VARIABLE] = str(tmp_path_factory.mktemp("m2l-key"))
    yield
    if previous is None:
        os.environ.pop(KEY_DIR_VARIABLE, None)
    else:
        os.environ[KEY_DIR_VARIABLE] = previous


# Sample applications that the analyzer reads as data (tests/assets): never collected as tests.
collect_ignore = ["assets"]
