"""The analysis cache sits next to the analysed code: a pickle planted there must never run."""

from __future__ import annotations

import os
import pickle
import stat
from pathlib import Path

import pytest

from analyzer.cachekey import KEY_DIR_VARIABLE, KEY_FILE
from analyzer.collect import CACHE_FILE, CACHE_MAGIC, LEGACY_CACHE_FILE
from analyzer.pipeline import AnalyzeOptions, analyze
from analyzer.reuse import RESOLUTION_FILE, RESOLUTION_MAGIC


class _Planted:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (str(self.marker), "pwned"))  # type: ignore[return-value]


def _tree(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "core.py").write_text("def f():\n    return 1\n")
    return root


def _planted_tree(tmp_path: Path, file: str, magic: bytes, signed_with_a_foreign_key: bool) -> tuple[Path, Path]:
    """A tree whose cache folder holds a pickle that writes `tmp_path/marker` when it is loaded."""
    root = _tree(tmp_path / "repo")
    payload = pickle.dumps(_Planted(tmp_path / "marker"))
    if signed_with_a_foreign_key:
        payload = magic + b"\0" * 32 + payload
    (root / ".mono2lambda" / "cache").mkdir(parents=True)
    (root / ".mono2lambda" / "cache" / file).write_bytes(payload)
    return root, root / ".mono2lambda"


@pytest.mark.parametrize("signed_with_a_foreign_key", [False, True])
def test_a_planted_cache_pickle_is_never_loaded(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                signed_with_a_foreign_key: bool) -> None:
    root, out = _planted_tree(tmp_path, CACHE_FILE, CACHE_MAGIC, signed_with_a_foreign_key)
    result = analyze(root, out, AnalyzeOptions(jobs=1))
    assert not (tmp_path / "marker").exists()
    assert result.stats.parsed == result.stats.files and result.stats.cache_note
    assert "ignored: not signed" in capsys.readouterr().err
    # the rewritten cache is signed and is used by the next run
    (root / "app" / "core.py").write_text("def f():\n    return 2\n")
    again = analyze(root, out, AnalyzeOptions(jobs=1))
    assert again.stats.cached >= 1 and again.stats.cache_note is None


def test_the_facts_cache_of_an_older_format_is_removed_when_the_new_one_is_written(tmp_path: Path) -> None:
    """An upgraded user's cache folder does not keep the old facts file (megabytes) for ever."""
    root, out = _planted_tree(tmp_path, LEGACY_CACHE_FILE, CACHE_MAGIC, signed_with_a_foreign_key=True)
    analyze(root, out, AnalyzeOptions(jobs=1))
    assert not (tmp_path / "marker").exists()
    assert (out / "cache" / CACHE_FILE).is_file() and not (out / "cache" / LEGACY_CACHE_FILE).exists()


def test_the_key_is_made_private_outside_the_tree(tmp_path: Path) -> None:
    key_file = Path(os.environ[KEY_DIR_VARIABLE]) / KEY_FILE
    analyze(_tree(tmp_path / "repo"), tmp_path / "out", AnalyzeOptions(jobs=1))
    assert key_file.is_file() and stat.S_IMODE(key_file.stat().st_mode) == 0o600


@pytest.mark.parametrize("signed_with_a_foreign_key", [False, True])
def test_a_planted_resolution_pickle_is_never_loaded(tmp_path: Path, signed_with_a_foreign_key: bool) -> None:
    root, out = _planted_tree(tmp_path, RESOLUTION_FILE, RESOLUTION_MAGIC, signed_with_a_foreign_key)
    result = analyze(root, out, AnalyzeOptions(jobs=1))
    assert not (tmp_path / "marker").exists()
    assert result.resolved is not None and result.resolved[0] == result.resolved[1]
    # the rewritten file is signed and used by the next run
    (root / "app" / "other.py").write_text("def g():\n    return 3\n")
    again = analyze(root, out, AnalyzeOptions(jobs=1))
    assert again.resolved is not None and again.resolved[0] < again.resolved[1]
