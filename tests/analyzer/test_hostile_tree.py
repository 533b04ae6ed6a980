"""Odd files in the analysed tree cost one diagnostic each, never the run: a file name that is
not UTF-8, and a symbolic link to a file outside the tree (never read)."""

from __future__ import annotations

import os
from pathlib import Path

from analyzer.pipeline import AnalyzeOptions, analyze


def test_a_non_utf8_file_name_is_skipped_with_a_diagnostic(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "ok.py").write_text("def f():\n    return 1\n")
    os.close(os.open(os.fsencode(root) + b"/bad\xff.py", os.O_WRONLY | os.O_CREAT, 0o644))
    result = analyze(root, tmp_path / "out", AnalyzeOptions(jobs=1))
    graph = result.load_graph()
    assert any(name.endswith("ok.f") for name in graph.nodes("function"))
    assert "bad-file-name" in (tmp_path / "out" / "graph.json").read_text(encoding="utf-8")


def test_a_symlink_to_a_file_outside_the_tree_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere.py"
    secret.write_text("def outside_secret():\n    return 'hunter2'\n")
    root = tmp_path / "app"
    root.mkdir()
    (root / "ok.py").write_text("def f():\n    return 1\n")
    (root / "link.py").symlink_to(secret)
    (root / "inner.py").symlink_to(root / "ok.py")  # inside the tree: analysed once, as before
    analyze(root, tmp_path / "out", AnalyzeOptions(jobs=1))
    text = (tmp_path / "out" / "graph.json").read_text(encoding="utf-8")
    assert "outside_secret" not in text and "symlink-outside" in text


def test_a_graph_shipped_in_the_output_folder_is_never_reused(tmp_path: Path) -> None:
    """A repository can ship `.mono2lambda/` with a summary whose run key matches its code
    (the key is computable by anyone) and a forged graph.json: it is analysed again instead."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "ok.py").write_text("def f():\n    return 1\n")
    out = tmp_path / "out"
    assert not analyze(root, out, AnalyzeOptions(jobs=1)).reused
    assert analyze(root, out, AnalyzeOptions(jobs=1)).reused  # our own graph: sealed, reused
    graph = out / "graph.json"
    original = graph.read_text(encoding="utf-8")
    graph.write_text(original.replace('"ok.f"', '"ok.forged"'), encoding="utf-8")
    assert graph.read_text(encoding="utf-8") != original
    again = analyze(root, out, AnalyzeOptions(jobs=1))
    assert not again.reused
    assert "forged" not in graph.read_text(encoding="utf-8")
