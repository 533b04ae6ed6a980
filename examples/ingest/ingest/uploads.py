"""Bulk imports: CSV files of orders (`order_id,sku,quantity`, with that header) that
partners upload. Each upload is imported whole or not at all."""

from __future__ import annotations

import csv
import io

from . import db, ledger, storage
from .errors import IngestError, UploadRejected

MAX_UPLOAD_BYTES = 1_000_000
COLUMNS = ["order_id", "sku", "quantity"]


def ingest_file(bucket: str, key: str, size: int) -> int:
    """Import every order of the uploaded file `bucket`/`key`; the number of new orders.

    `size` is checked before the file is read, so an oversized upload costs nothing."""
    if size == 0:
        return 0
    if size > MAX_UPLOAD_BYTES:
        raise UploadRejected(key, f"{size} bytes is over the {MAX_UPLOAD_BYTES}-byte limit")
    rows = _rows(key, storage.read_object(bucket, key))
    try:
        with db.connect() as connection:
            added = sum(ledger.record_order(connection, *row, source=f"upload:{bucket}/{key}") for row in rows)
            connection.execute("INSERT OR REPLACE INTO uploads (bucket, key, size, added) VALUES (?, ?, ?, ?)",
                               (bucket, key, size, added))
    except IngestError as exc:  # one bad order rejects the file: the transaction is rolled back
        raise UploadRejected(key, str(exc)) from exc
    return added


def _rows(key: str, data: bytes) -> list[tuple[str, str, int]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
    if reader.fieldnames != COLUMNS:
        raise UploadRejected(key, f"the header is {reader.fieldnames}, expected {COLUMNS}")
    rows = []
    for line, row in enumerate(reader, start=2):
        try:
            rows.append((row["order_id"], row["sku"], int(row["quantity"])))
        except (TypeError, ValueError) as exc:
            raise UploadRejected(key, f"line {line}: {exc}") from exc
    return rows
