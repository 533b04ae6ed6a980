"""The back office's database: sqlite3 from the standard library.

The file comes from INGEST_DATABASE (default: `ingest.sqlite3` in the temporary folder,
the only writable place on Lambda too). Extracted services read the same setting, so
they share the monolith's database. Every `connect()` opens its own connection and
closes it: nothing is kept in module state, so nothing is shared by accident.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

DATABASE = "INGEST_DATABASE"
SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY,
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    day TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS uploads (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    size INTEGER NOT NULL,
    added INTEGER NOT NULL,
    PRIMARY KEY (bucket, key)
);
CREATE TABLE IF NOT EXISTS daily_summaries (
    day TEXT PRIMARY KEY,
    orders INTEGER NOT NULL,
    units INTEGER NOT NULL
);
"""


def database_path() -> str:
    return os.environ.get(DATABASE) or os.path.join(tempfile.gettempdir(), "ingest.sqlite3")


@contextmanager
def connect() -> Iterator[sqlite3.Connection]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    connection = sqlite3.connect(database_path())
    try:
        connection.executescript(SCHEMA)
        with connection:
            yield connection
    finally:
        connection.close()
