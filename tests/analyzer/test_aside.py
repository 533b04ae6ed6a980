"""The work done aside (aside.py) in a forked process while the program is built gives what the
run makes itself without it: the same graph and the same cache files, and an aside process that
dies is an error at once, never a wait."""

from __future__ import annotations

import marshal
import os
from pathlib import Path

import pytest

from analyzer import aside
from analyzer.cachekey import SIGNATURE_BYTES
from analyzer.collect import CACHE_FILE
from analyzer.errors import Mono2LambdaError
from analyzer.factcodec import decode_facts
from analyzer.nodecache import NODES_FILE
from analyzer.pipeline import AnalyzeOptions, analyze

from .spies import compiled

FILES = 12


def _tree(root: Path) -> Path:
    root.mkdir()
    for index in range(FILES):
        (root / f"module_{index:02d}.py").write_text(
            f'"""Module {index}."""\nimport os\n\nSTATE = []\n\n\nclass Thing{index}:\n'
            f"    def work(self, items: list, *, flag=True) -> int:\n        STATE.append(items)\n"
            f"        return helper_{index}(items)\n\n\n"
            f"def helper_{index}(items):\n    items.append(os.sep)\n    return len(items)\n")
    (root / "broken.py").write_text("def broken(:\n")
    return root


def _analyze(root: Path, out: Path, jobs: int, use_cache: bool = True) -> dict[str, object]:
    analyze(root, out, AnalyzeOptions(jobs=jobs, use_cache=use_cache, history=AnalyzeOptions().history))
    written: dict[str, object] = {"graph.json": (out / "graph.json").read_bytes()}
    if use_cache:
        written.update((path.name, _cache_file(path)) for path in (out / "cache").glob("*.marshal"))
    return written


def _cache_file(path: Path) -> object:
    """The file's bytes; on the compiled build, what the blobs of the facts and node caches hold.
    marshal writes an object met twice as a back-reference only while something else holds a reference
    to it, and the compiled code holds other references than the Python code: equal content, bytes that
    can differ."""
    data = path.read_bytes()
    decode = {CACHE_FILE: decode_facts, NODES_FILE: marshal.loads}.get(path.name)
    if decode is None or not compiled("analyzer.build"):
        return data
    document = marshal.loads(data[data.index(b"\n") + 1 + SIGNATURE_BYTES:])
    return {**document, "blobs": {key: decode(blob) for key, blob in document["blobs"].items()}}


@pytest.mark.parametrize("use_cache", [True, False])
def test_the_work_aside_gives_the_graph_and_caches_one_process_gives(tmp_path: Path, use_cache: bool,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(tmp_path / "src")
    alone = _analyze(root, tmp_path / "alone", jobs=1, use_cache=use_cache)
    started: list[object] = []
    start = aside.start_aside
    monkeypatch.setattr(aside, "ASIDE_FILES", 2)
    monkeypatch.setattr("analyzer.pipeline.start_aside",
                        lambda *args: started.append(start(*args)) or started[-1])
    assert _analyze(root, tmp_path / "aside", jobs=2, use_cache=use_cache) == alone
    assert len(started) == 1 and isinstance(started[0], aside.Aside)
    started.clear()
    open_files = len(os.listdir("/proc/self/fd"))  # once multiprocessing has set itself up
    assert _analyze(root, tmp_path / "again", jobs=2, use_cache=use_cache) == alone
    started.clear()
    assert len(os.listdir("/proc/self/fd")) == open_files
    if use_cache:
        assert {"facts.marshal", "nodes.marshal"} <= alone.keys()
        (root / "module_03.py").write_text("def changed():\n    return 3\n")
        assert _analyze(root, tmp_path / "aside", jobs=2) == _analyze(root, tmp_path / "alone", jobs=1)
        assert started[0] is None  # one file parsed: this process did the work itself


def test_an_aside_process_that_dies_is_an_error_not_a_wait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(tmp_path / "src")
    monkeypatch.setattr(aside, "ASIDE_FILES", 1)
    monkeypatch.setattr(aside, "_work", lambda *args: os._exit(3))  # the forked process inherits it
    with pytest.raises(Mono2LambdaError, match=r"stopped without its result \(exit code 3\)"):
        analyze(root, tmp_path / "out", AnalyzeOptions(jobs=2))
