"""A signed store of blobs (analyzer/blobstore.py): a few changes go to a side file that is read
on top of the bulk only when this user signed it against that very bulk."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analyzer import blobstore
from analyzer.blobstore import BlobFile, load_blobs, save_blobs
from analyzer.cachekey import sealed

KEY = b"k" * 32
OTHER_KEY = b"o" * 32
VERSION = (1, 2, "test")


def _where(folder: Path) -> BlobFile:
    return BlobFile(folder / "things.marshal", b"M2L-THINGS-HMAC-SHA256\n", VERSION)


def _bulk(count: int = 40) -> dict[str, bytes]:
    return {f"key{i}": bytes([i]) * 200 for i in range(count)}


def _saved(folder: Path, blobs: dict[str, bytes]) -> BlobFile:
    where = _where(folder)
    save_blobs(where, KEY, blobs, load_blobs(where, KEY))
    return where


def test_a_first_save_writes_the_bulk_alone(tmp_path: Path) -> None:
    where = _saved(tmp_path, _bulk())
    assert where.path.is_file() and not where.side_path.exists()
    assert load_blobs(where, KEY).blobs == _bulk()


def test_successive_changes_accumulate_in_the_side_file(tmp_path: Path) -> None:
    where = _saved(tmp_path, _bulk())
    bulk_bytes = where.path.read_bytes()
    wanted = _bulk()
    for step in range(4):
        del wanted[f"key{step}"]
        wanted[f"new{step}"] = b"n" * (step + 1)
        wanted["key30"] = bytes([step]) * 10  # the same key changed again and again
        save_blobs(where, KEY, dict(wanted), load_blobs(where, KEY))
        assert where.path.read_bytes() == bulk_bytes and where.side_path.is_file()
        assert load_blobs(where, KEY).blobs == wanted


def test_a_side_file_past_its_bound_is_merged_into_the_bulk(tmp_path: Path) -> None:
    where = _saved(tmp_path, _bulk())
    wanted = {**_bulk(), "big": b"b" * (where.path.stat().st_size // blobstore.SIDE_SHARE + 1)}
    save_blobs(where, KEY, wanted, load_blobs(where, KEY))
    assert not where.side_path.exists()
    assert load_blobs(where, KEY).blobs == wanted


def _with_a_side_file(folder: Path) -> tuple[BlobFile, dict[str, bytes]]:
    where = _saved(folder, _bulk())
    wanted = {**_bulk(), "new": b"new"}
    save_blobs(where, KEY, wanted, load_blobs(where, KEY))
    assert where.side_path.is_file() and load_blobs(where, KEY).blobs == wanted
    return where, wanted


def test_a_tampered_side_file_is_ignored(tmp_path: Path) -> None:
    where, _ = _with_a_side_file(tmp_path)
    data = bytearray(where.side_path.read_bytes())
    data[-3:] = b"bad"
    where.side_path.write_bytes(bytes(data))
    assert load_blobs(where, KEY).blobs == _bulk()


def test_a_side_file_signed_with_another_key_is_ignored(tmp_path: Path) -> None:
    where, _ = _with_a_side_file(tmp_path)
    body = where.side_path.read_bytes()[len(where.side_magic) + 32:]
    where.side_path.write_bytes(sealed(where.side_magic, OTHER_KEY, body))
    assert load_blobs(where, KEY).blobs == _bulk()


def test_a_side_file_made_against_another_bulk_is_ignored(tmp_path: Path) -> None:
    """Signed by this user, but extending another run's bulk: the pair is never mixed."""
    where, _ = _with_a_side_file(tmp_path / "one")
    other = _saved(tmp_path / "two", {**_bulk(), "key5": b"changed"})
    shutil.copyfile(where.side_path, other.side_path)
    assert load_blobs(other, KEY).blobs == {**_bulk(), "key5": b"changed"}


def test_a_side_file_left_from_before_its_bulk_was_rewritten_is_ignored(tmp_path: Path) -> None:
    """A crash between writing the new bulk and removing the side file leaves them unmatched."""
    where, _ = _with_a_side_file(tmp_path)
    left = where.side_path.read_bytes()
    merged = {"only": b"x" * 5000}
    save_blobs(where, KEY, merged, load_blobs(where, KEY))  # past the bound: a new bulk
    assert not where.side_path.exists()
    where.side_path.write_bytes(left)
    assert load_blobs(where, KEY).blobs == merged


@pytest.mark.parametrize("version", [(1, 3, "test"), (1, 2, "other analyzer")])
def test_a_side_file_of_another_version_is_ignored(tmp_path: Path, version: tuple[object, ...]) -> None:
    where, _ = _with_a_side_file(tmp_path)
    newer = BlobFile(where.path, where.magic, version)
    assert load_blobs(newer, KEY).blobs == {}  # the bulk too
    save_blobs(newer, KEY, _bulk(), load_blobs(newer, KEY))
    assert load_blobs(where, KEY).blobs == {}


def test_a_bulk_signed_with_another_key_is_foreign_and_never_decoded(tmp_path: Path) -> None:
    where = _where(tmp_path)
    where.path.write_bytes(sealed(where.magic, OTHER_KEY, b"\xff not marshal"))
    stored = load_blobs(where, KEY)
    assert stored.foreign and stored.blobs == {} and stored.seal is None
