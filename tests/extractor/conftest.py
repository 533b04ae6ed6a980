"""Fixtures shared by the extractor's tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def pip_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where `serve` installs the packages' requirements: once for the whole test session."""
    return tmp_path_factory.mktemp("serve-cache")
