"""Co-change from git history: parsing the log (pure), pairs and their Jaccard index,
and `analyze` of a temporary git repository recording `cochange` edges."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from analyzer.cochange import COMMIT_MARK, HistoryOptions, cochange_pairs, git_head, parse_log
from analyzer.graph import CodeGraph
from analyzer.pipeline import AnalyzeOptions, analyze

MODULES = {"app/orders.py": "app.orders", "app/billing.py": "app.billing", "app/users.py": "app.users",
           "app/__init__.py": "app"}


def test_parse_log() -> None:
    text = f"{COMMIT_MARK}abc\n\napp/orders.py\napp/billing.py\n{COMMIT_MARK}def\n\n{COMMIT_MARK}0f0\n\nREADME.md\n"
    assert parse_log(text) == [["app/orders.py", "app/billing.py"], ["README.md"]]
    assert parse_log("") == []


def test_pairs_are_jaccard_over_commits() -> None:
    commits = [["app/orders.py", "app/billing.py"], ["app/orders.py", "app/billing.py", "README.md"],
               ["app/orders.py"], ["app/users.py", "app/orders.py"], ["app/users.py"]]
    pairs = cochange_pairs(commits, MODULES)
    assert pairs == {("app.billing", "app.orders"): (2, 0.5)}  # orders in 4 commits, billing in 2, both in 2
    assert ("app.orders", "app.users") not in pairs  # one common commit: below min_shared


def test_large_commits_are_left_out() -> None:
    commits = [["app/orders.py", "app/billing.py", "app/users.py"]] * 3
    assert cochange_pairs(commits, MODULES, HistoryOptions(max_files=2)) == {}
    assert len(cochange_pairs(commits, MODULES, HistoryOptions(max_files=3))) == 3


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(root), "PATH": "/usr/bin:/bin"})


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_analyze_records_cochange_edges_of_a_repository(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    _git(root, "init", "-q")
    (root / "app" / "__init__.py").write_text("")
    for step in range(3):  # orders and billing change together three times; users alone
        (root / "app" / "orders.py").write_text(f"def place(): return {step}\n")
        (root / "app" / "billing.py").write_text(f"def charge(): return {step}\n")
        _git(root, "add", ".")
        _git(root, "commit", "-q", "-m", f"step {step}")
        (root / "app" / "users.py").write_text(f"def login(): return {step}\n")
        _git(root, "add", ".")
        _git(root, "commit", "-q", "-m", f"users {step}")
    assert git_head(root) is not None
    assert git_head(root / "app") is None  # a folder inside a repository: not its own history
    result = analyze(root, tmp_path / "out", AnalyzeOptions(use_cache=False))
    graph = CodeGraph.load(result.graph_path)
    edges = {(s, t): d for s, t, d in graph.dependencies("cochange")}
    assert edges[("app.billing", "app.orders")]["count"] == 3
    assert edges[("app.billing", "app.orders")]["weight"] == 1.0
    assert ("app.orders", "app.users") not in edges  # never in the same commit
    assert graph.meta["history"]["commits"] == 6
    off = analyze(root, tmp_path / "off", AnalyzeOptions(use_cache=False, history=HistoryOptions(enabled=False)))
    assert not list(CodeGraph.load(off.graph_path).dependencies("cochange"))
