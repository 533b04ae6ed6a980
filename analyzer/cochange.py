"""Co-change: modules that change in the same commits belong together, even where no call
connects them (a model and the serializer kept in step with it).

From `git log` of the analysed tree: for each pair of modules, the Jaccard index of
the sets of commits that touched each, `|both| / |either|`. Commits that touch more
than `max_files` analysed files (reformatting, renames, vendoring) say nothing about
cohesion and are left out; a pair needs `min_shared` common commits to count. The
result becomes `cochange` edges between modules (see docs/graph-format.md).

Reading the history is the only impure step (`read_history`, a `git` subprocess run
in the background while the analysis works; no network); `parse_log` and
`cochange_pairs` are pure.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

from .graph import CodeGraph

if TYPE_CHECKING:  # imported where git runs: a tree that is no work tree's top does without it
    import subprocess

COMMIT_MARK = "\x1e"  # starts each commit's record in the log text (a byte no path holds)
GIT_TIMEOUT_S = 60


@dataclass(frozen=True)
class HistoryOptions:
    enabled: bool = True
    since: str | None = None  # anything `git log --since` takes ("2.years", "2023-01-01")
    max_commits: int = 2000  # the most recent commits read
    max_files: int = 30  # commits touching more analysed files are left out
    min_shared: int = 2  # pairs changed together fewer times are left out
    min_jaccard: float = 0.05


DEFAULT_HISTORY = HistoryOptions()


def parse_log(text: str) -> list[list[str]]:
    """`git log --name-only --format=<COMMIT_MARK>%H` output -> the files of each commit."""
    commits: list[list[str]] = []
    for record in text.split(COMMIT_MARK)[1:]:
        lines = record.splitlines()
        files = [line.strip() for line in lines[1:] if line.strip()]
        if files:
            commits.append(files)
    return commits


def cochange_pairs(commits: Iterable[list[str]], module_of_path: Mapping[str, str],
                   options: HistoryOptions = DEFAULT_HISTORY) -> dict[tuple[str, str], tuple[int, float]]:
    """(module a, module b) with a < b -> (commits changing both, Jaccard index over commits)."""
    touched: Counter[str] = Counter()
    shared: Counter[tuple[str, str]] = Counter()
    for files in commits:
        paths = {f for f in files if f in module_of_path}
        if not paths or len(paths) > options.max_files:
            continue
        modules = sorted({module_of_path[p] for p in paths})
        touched.update(modules)
        shared.update(combinations(modules, 2))
    pairs: dict[tuple[str, str], tuple[int, float]] = {}
    for (a, b), both in shared.items():
        if both < options.min_shared:
            continue
        jaccard = both / (touched[a] + touched[b] - both)
        if jaccard >= options.min_jaccard:
            pairs[(a, b)] = (both, round(jaccard, 3))
    return pairs


class History:
    """`git log` of a source tree, started in the background; `commits()` waits for it."""

    def __init__(self, process: subprocess.Popen | None, head: str | None) -> None:
        self._process = process
        self.head = head  # the commit analysed, part of the run key (None without history)

    def commits(self) -> list[list[str]]:
        if self._process is None:
            return []
        import subprocess

        try:
            out, _ = self._process.communicate(timeout=GIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.communicate()
            return []
        return parse_log(out) if self._process.returncode == 0 else []

    def cancel(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.communicate()


NO_HISTORY = History(None, None)


def git_head(root: Path) -> str | None:
    """The commit checked out, when `root` is the top folder of a git work tree.

    A tree inside a larger repository (an example folder, a vendored app) is not read:
    its history is the larger project's, and would make the graph change with every
    commit to it. Such a top folder holds `.git` (a folder, or a file in a linked work tree or
    a submodule), unless git is told where the repository is: without either, git is not run."""
    if not (root / ".git").exists() and "GIT_DIR" not in os.environ and "GIT_WORK_TREE" not in os.environ:
        return None
    import subprocess

    try:
        found = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel", "HEAD"],
                               capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = found.stdout.split()
    if found.returncode != 0 or len(lines) != 2:
        return None
    try:
        if Path(lines[0]).resolve() != root.resolve():
            return None
    except OSError:
        return None
    return lines[1]


def read_history(root: Path, options: HistoryOptions = DEFAULT_HISTORY) -> History:
    """Start `git log` over `root` (paths relative to it), if root is a git work tree's top."""
    if not options.enabled:
        return NO_HISTORY
    head = git_head(root)
    if head is None:
        return NO_HISTORY
    command = ["git", "-C", str(root), "-c", "core.quotepath=off", "log", "--no-merges", "--no-renames",
               "--name-only", f"--format={COMMIT_MARK}%H", "-n", str(max(options.max_commits, 1))]
    if options.since:
        command.append(f"--since={options.since}")
    import subprocess

    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                   encoding="utf-8", errors="replace")
    except OSError:
        return NO_HISTORY
    return History(process, head)


def add_cochange_edges(graph: CodeGraph, commits: list[list[str]], module_of_path: Mapping[str, str],
                       options: HistoryOptions = DEFAULT_HISTORY) -> int:
    """Record `cochange` edges (module -> module, source < target): `count` commits changed
    both, `weight` is the Jaccard index. Returns how many edges were added."""
    added = 0
    for (a, b), (both, jaccard) in sorted(cochange_pairs(commits, module_of_path, options).items()):
        if a in graph and b in graph:
            graph.add_dependency(a, b, "cochange", count=both, weight=jaccard)
            added += 1
    if commits:
        graph.meta["history"] = {"commits": len(commits), "max_files": options.max_files,
                                 "since": options.since, "max_commits": options.max_commits}
    return added
