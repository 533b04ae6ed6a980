"""Every test gets its own database and storage folder, and a pinned clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ingest import clock, db, storage

NOW = datetime(2024, 3, 1, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(db.DATABASE, str(tmp_path / "ingest.sqlite3"))
    monkeypatch.setenv(storage.STORAGE, str(tmp_path / "objects"))
    monkeypatch.setenv(clock.FROZEN_TIME, NOW.isoformat())
    return tmp_path


@pytest.fixture
def now() -> datetime:
    """The pinned time: orders imported in a test are imported on its day."""
    return NOW


@pytest.fixture
def upload() -> Callable[[str, str, str], int]:
    """Puts a file where an upload would (bucket/key), as text; answers its size."""
    def write(bucket: str, key: str, text: str) -> int:
        return storage.write_object(bucket, key, text.encode("utf-8"))
    return write
