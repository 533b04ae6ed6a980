"""Uploaded files, laid out like S3: `<root>/<bucket>/<key>`.

The root is INGEST_STORAGE (default: `ingest-objects` in the temporary folder). The
back office's upload command writes here and `uploads.ingest_file` reads from here, by
the same bucket and key an S3 notification names; a port to AWS would read the object
with boto3 instead (not part of this example).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

STORAGE = "INGEST_STORAGE"


def root() -> Path:
    return Path(os.environ.get(STORAGE) or Path(tempfile.gettempdir()) / "ingest-objects")


def object_path(bucket: str, key: str) -> Path:
    path = (root() / bucket / key).resolve()
    if root().resolve() not in path.parents:
        raise ValueError(f"{bucket}/{key} is outside the storage folder")
    return path


def write_object(bucket: str, key: str, data: bytes) -> int:
    path = object_path(bucket, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def read_object(bucket: str, key: str) -> bytes:
    return object_path(bucket, key).read_bytes()
