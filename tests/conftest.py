"""Session-wide test settings: the analysis cache's signing key lives in a temporary folder,
never in the user's own cache folder (analyzer/cachekey.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from analyzer.cachekey import KEY_DIR_VARIABLE


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
