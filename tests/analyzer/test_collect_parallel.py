"""Facts read in worker processes are the facts read in this one, however the files are shared out."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer import collect
from analyzer.collect import PARALLEL_THRESHOLD, collect_facts, read_sources
from analyzer.errors import Mono2LambdaError
from analyzer.facts import FileFacts
from analyzer.forked import ForkedItems
from analyzer.sources import find_sources

from .spies import compiled


def _tree(root: Path) -> Path:
    root.mkdir()
    for index in range(PARALLEL_THRESHOLD + 7):
        (root / f"module_{index:02d}.py").write_text(
            f"import os\n\nSTATE = []\n\n\ndef work_{index}(items):\n"
            f"    items.append(os.sep)\n    return helper_{index}(items)\n\n\n"
            f"def helper_{index}(items):\n    STATE.append(items)\n    return len(items)\n")
    (root / "broken.py").write_text("def broken(:\n")
    (root / "binary.py").write_bytes(b"x = 1\x00\n")
    return root


def _facts(root: Path, jobs: int, cache: Path | None = None) -> list[FileFacts]:
    return collect_facts(read_sources(find_sources(root).files), cache, jobs=jobs)[0]


@pytest.mark.parametrize("jobs", [2, 3])
def test_workers_give_the_facts_one_process_gives(tmp_path: Path, jobs: int) -> None:
    root = _tree(tmp_path / "src")
    alone = _facts(root, 1)
    assert _facts(root, jobs) == alone
    assert _facts(root, jobs, tmp_path / "cache") == alone  # encoded for the cache, and read back
    assert _facts(root, jobs, tmp_path / "cache") == alone
    assert sum(not f.parsed for f in alone) == 2


def test_without_fork_a_pool_gives_the_same_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(tmp_path / "src")
    alone = _facts(root, 1)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert _facts(root, 2) == alone


@pytest.mark.skipif(compiled("analyzer.collect"), reason="the worker is made to die by replacing "
                    "analyzer.collect._extract_chunk, which the compiled build calls directly; forked.py, which "
                    "turns the death into an error, is the same Python in both builds")
def test_a_worker_that_dies_is_an_error_not_a_wait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(tmp_path / "src")
    monkeypatch.setattr(collect, "_extract_chunk", lambda jobs: os._exit(3))  # the forked worker inherits it
    claim = collect._claim  # this process claims none: every chunk goes to the worker
    monkeypatch.setattr(collect, "_claim", lambda bounds, from_front: claim(bounds, from_front) if from_front else None)
    with pytest.raises(Mono2LambdaError, match="exit code 3"):
        _facts(root, 2)


def _claim_all(bounds: collect.Bounds) -> Iterator[int]:
    while (index := collect._claim(bounds, from_front=True)) is not None:
        yield index


def test_every_chunk_is_claimed_once_by_one_process() -> None:
    bounds = collect.Bounds(50_000)
    fork = multiprocessing.get_context("fork")
    try:
        workers = [ForkedItems(fork, _claim_all, bounds) for _ in range(2)]
        mine = list(iter(lambda: collect._claim(bounds, from_front=False), None))
        theirs = [list(worker.rest("claiming", hint="none")) for worker in workers]
    finally:
        bounds.close()
    assert sorted(mine + theirs[0] + theirs[1]) == list(range(50_000))
    assert mine == sorted(mine, reverse=True) and all(found == sorted(found) for found in theirs)


def test_no_file_descriptor_is_left_open(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src")
    _facts(root, 2)
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    _facts(root, 2)
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before
