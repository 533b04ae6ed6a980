"""Hostile source trees: every bad file becomes a diagnostic at its file:line, the good
files beside it are still analyzed, nothing is executed, and the tree is left untouched.

The corpus is generated per test session in a temporary folder (no binary assets).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.errors import InputError
from analyzer.graph import CodeGraph
from analyzer.parse import extract_facts
from analyzer.pipeline import AnalysisResult, AnalyzeOptions, analyze
from analyzer.sources import find_sources
from mono2lambda.cli import cli

BIG_BYTES = 5_000_000
DEEP_CALLS = 1_000  # h()()()...: parses, but is deeper than any walker's recursion budget

# (file, code, line) that the corpus below must produce; each line is where the problem is.
EXPECTED_DIAGNOSTICS = [
    ("py2.py", "syntax-error", 3),
    ("merge.py", "syntax-error", 4),
    ("binary.py", "binary-file", 1),
    ("bad_utf8.py", "bad-encoding", 4),
    ("bad_coding.py", "bad-encoding", 1),
    ("big.py", "too-large", 1),
    ("empty.py", "empty-module", 1),
    ("deep_parens.py", "syntax-error", 3),
    ("deep_calls.py", "too-deep", 5),
    ("broken.py", "unreadable", 1),
    ("cycle_a.py", "unreadable", 1),
    ("cycle_b.py", "unreadable", 1),
    ("loop/up", "symlink-skipped", 1),
]
# Functions that live beside the bad files and must still be in the graph.
GOOD_FUNCTIONS = [
    "good.helper", "good.caller", "user.use_alias", "escapes.pattern",
    "nspkg.sub.mod.ns_func", "my-folder.tool.dashed", "loop.inner.inner",
    "pkg.pkg_func", "boom.never_called",
]


@dataclass
class Corpus:
    src: Path
    sentinels: tuple[Path, ...]
    big_function_line: int


def write_corpus(src: Path, sentinel_dir: Path) -> Corpus:
    src.mkdir(parents=True)
    files: dict[str, str | bytes] = {
        "good.py": "def helper():\n    return 1\n\n\ndef caller():\n    return helper()\n",
        "user.py": "from good import helper as h\n\n\ndef use_alias():\n    return h()\n",
        # an invalid escape is a warning, not an error
        "escapes.py": 'import re\n\n\ndef pattern():\n    return re.compile("\\d+")\n',
        "py2.py": "import os\n\nprint 'x'\n",
        "merge.py": ("def a():\n    return 1\n\n"
                     "<<<<<<< HEAD\nX = 1\n=======\nX = 2\n>>>>>>> feature\n"),
        "binary.py": b"\x7fELF\x02\x01\x01\x00\x00\x00def f(): pass\n",
        "bad_utf8.py": b"X = 1\nY = 2\n\nS = '\xff\xfe not utf-8'\n",
        "bad_coding.py": "# -*- coding: klingon -*-\nX = 1\n",
        "empty.py": "",
        "deep_parens.py": "import os\n\nX = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n",
        "long_chain.py": "X = 1" + " + 1" * 100_000 + "\n",
        "deep_calls.py": "import os\n\n\ndef g():\n    return h" + "()" * DEEP_CALLS + "\n",
        "nspkg/sub/mod.py": "def ns_func():\n    return 2\n",  # no __init__.py anywhere
        "my-folder/tool.py": "def dashed():\n    return 3\n",  # not an identifier
        "loop/inner.py": "def inner():\n    return 4\n",
    }
    sentinels = (sentinel_dir / "executed_module", sentinel_dir / "executed_package")
    files["boom.py"] = (f"open({str(sentinels[0])!r}, 'w').write('ran')\n\n\n"
                        "def never_called():\n    return 5\n")
    files["pkg/__init__.py"] = (f"import pathlib\npathlib.Path({str(sentinels[1])!r}).touch()\n\n\n"
                                "def pkg_func():\n    return 6\n")
    row = "# generated: " + "x" * 86 + "\n"
    head = row * (BIG_BYTES // len(row) + 1)
    files["big.py"] = head + "\n\ndef generated_lookup(key):\n    return key\n"
    for relpath, content in files.items():
        path = src / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    os.symlink("..", src / "loop" / "up")  # a folder symlink loop
    os.symlink("does_not_exist.py", src / "broken.py")
    os.symlink("cycle_b.py", src / "cycle_a.py")  # a file symlink loop
    os.symlink("cycle_a.py", src / "cycle_b.py")
    return Corpus(src, sentinels, head.count("\n") + 3)


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under root, without following links: content (or link target) and mtime."""
    state: dict[str, tuple] = {}
    for directory, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(directory) / name
            info = path.lstat()
            if path.is_symlink():
                state[str(path)] = ("link", os.readlink(path), info.st_mtime_ns)
            elif path.is_dir():
                state[str(path)] = ("dir", info.st_mtime_ns)
            else:
                state[str(path)] = ("file", path.read_bytes(), info.st_mtime_ns)
    state[str(root)] = ("dir", root.lstat().st_mtime_ns)
    return state


@dataclass
class Run:
    corpus: Corpus
    result: AnalysisResult
    graph: CodeGraph
    before: dict[str, tuple]
    after: dict[str, tuple]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    base = tmp_path_factory.mktemp("bad_input")
    corpus = write_corpus(base / "src", base)
    before = snapshot(corpus.src)
    result = analyze(corpus.src, base / "out", AnalyzeOptions(jobs=1))
    return Run(corpus, result, result.load_graph(), before, snapshot(corpus.src))


def diagnostics_of(graph: CodeGraph, file: str) -> list[dict]:
    return [d for d in graph.diagnostics if d["file"] == file]


@pytest.mark.parametrize(("file", "code", "line"), EXPECTED_DIAGNOSTICS,
                         ids=[e[0] for e in EXPECTED_DIAGNOSTICS])
def test_each_bad_file_has_a_diagnostic_at_its_line(run: Run, file: str, code: str,
                                                     line: int) -> None:
    found = [(d["code"], d["line"]) for d in diagnostics_of(run.graph, file)]
    assert (code, line) in found, f"{file}: expected {code} at line {line}, got {found}"


def test_diagnostics_say_what_is_wrong(run: Run) -> None:
    messages = {d["file"]: d["message"] for d in run.graph.diagnostics}
    assert "Python 2" in messages["py2.py"]
    assert "merge conflict" in messages["merge.py"]
    assert "NUL" in messages["binary.py"]
    assert "utf-8" in messages["bad_utf8.py"].lower()
    assert "klingon" in messages["bad_coding.py"]
    assert "--max-file-size" in messages["big.py"]


def test_too_deep_to_parse_is_a_diagnostic(run: Run) -> None:
    [diagnostic] = diagnostics_of(run.graph, "long_chain.py")
    assert diagnostic["severity"] == "error"
    assert diagnostic["code"] in {"parse-error", "too-deep", "syntax-error"}
    assert diagnostic["line"] == 1  # the only line


def test_unparsable_files_contribute_no_symbols(run: Run) -> None:
    for module in ("py2", "merge", "binary", "bad_utf8", "big", "deep_parens", "deep_calls"):
        assert module not in run.graph, module
    assert "empty" in run.graph.nodes("module")  # empty is not broken


def test_good_files_beside_bad_ones_are_analyzed(run: Run) -> None:
    functions = set(run.graph.nodes("function"))
    missing = [f for f in GOOD_FUNCTIONS if f not in functions]
    assert not missing, f"not in the graph: {missing}"
    assert run.graph.has_dependency("good.caller", "good.helper", "calls")
    assert run.graph.has_dependency("user.use_alias", "good.helper", "calls")


def test_clean_files_have_no_diagnostics(run: Run) -> None:
    noisy = {d["file"] for d in run.graph.diagnostics}
    clean = {"good.py", "user.py", "escapes.py", "nspkg/sub/mod.py", "my-folder/tool.py",
             "loop/inner.py", "boom.py", "pkg/__init__.py"}
    assert not clean & noisy


def test_symlink_loop_is_not_followed(run: Run) -> None:
    files = [d["file"] for d in run.graph.diagnostics] + [
        run.graph.node(m)["file"] for m in run.graph.nodes("module")]
    assert not [f for f in files if f.startswith("loop/up/")]
    assert run.graph.nodes("module").count("loop.inner") == 1


def test_analyzed_code_is_never_executed(run: Run) -> None:
    for sentinel in run.corpus.sentinels:
        assert not sentinel.exists(), f"analyzed code ran: {sentinel} was created"


def test_source_tree_is_not_modified(run: Run) -> None:
    assert run.after == run.before


def test_nothing_is_written_inside_src(run: Run) -> None:
    assert set(run.after) == set(run.before)
    assert not list(run.corpus.src.rglob("*.tmp"))
    assert not list(run.corpus.src.rglob("__pycache__"))
    assert not (run.corpus.src / ".mono2lambda").exists()
    assert run.result.graph_path.is_file()
    assert run.corpus.src not in run.result.graph_path.parents


def test_second_run_keeps_the_diagnostics(run: Run, tmp_path: Path) -> None:
    again = analyze(run.corpus.src, run.result.graph_path.parent, AnalyzeOptions(jobs=1))
    assert again.reused
    assert again.summary["diagnostics"] == run.result.summary["diagnostics"]
    assert snapshot(run.corpus.src) == run.before


def test_raising_the_size_limit_parses_the_big_file(run: Run, tmp_path: Path) -> None:
    options = AnalyzeOptions(jobs=1, max_file_bytes=10 * BIG_BYTES, use_cache=False)
    graph = analyze(run.corpus.src, tmp_path / "out", options).load_graph()
    assert not diagnostics_of(graph, "big.py")
    assert graph.node("big.generated_lookup")["line"] == run.corpus.big_function_line
    assert "good.helper" in graph.nodes("function")


def test_bad_files_in_the_worker_pool(run: Run, tmp_path: Path) -> None:
    """Enough files to go parallel: a bad file in a worker is still just a diagnostic."""
    src = tmp_path / "src"
    for path in run.corpus.src.rglob("*.py"):
        relpath = path.relative_to(run.corpus.src)
        if path.is_symlink() or relpath.parts[0] in {"loop", "big.py"}:
            continue
        (src / relpath).parent.mkdir(parents=True, exist_ok=True)
        (src / relpath).write_bytes(path.read_bytes())
    for index in range(80):
        (src / f"filler_{index:02d}.py").write_text(f"def work_{index}():\n    return {index}\n")
    serial = analyze(src, tmp_path / "serial", AnalyzeOptions(jobs=1, use_cache=False)).load_graph()
    parallel = analyze(src, tmp_path / "parallel",
                       AnalyzeOptions(jobs=2, use_cache=False)).load_graph()
    assert parallel.diagnostics == serial.diagnostics
    found = {(d["file"], d["code"], d["line"]) for d in parallel.diagnostics}
    assert ("py2.py", "syntax-error", 3) in found
    assert "filler_79.work_79" in parallel.nodes("function")
    assert parallel.to_json() == serial.to_json()


def test_cli_reports_bad_files_without_a_traceback(run: Run, tmp_path: Path) -> None:
    args = ["analyze", str(run.corpus.src), "--out", str(tmp_path / "out"), "--jobs", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output  # files did not parse
    assert "Traceback" not in result.output
    assert "py2.py:3: error" in result.output
    assert "merge.py:4: error" in result.output
    assert snapshot(run.corpus.src) == run.before


def test_cli_max_file_size_option(run: Run, tmp_path: Path) -> None:
    args = ["analyze", str(run.corpus.src), "--out", str(tmp_path / "out"), "--format", "json",
            "--jobs", "1", "--max-file-size", str(10 * BIG_BYTES)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output  # the corpus holds files that do not parse
    assert '"too-large"' not in result.stdout
    assert '"too-large"' in CliRunner().invoke(cli, args[:-2] + ["--no-cache"]).stdout


def test_warnings_as_errors_do_not_break_valid_code() -> None:
    """`python -W error` (or a strict pytest config) must not make an invalid escape fail."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        facts = extract_facts(b'import re\nP = re.compile("\\d+")\n', "w.py", "w", False)
    assert facts.parsed
    assert not facts.diagnostics


def test_missing_src_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        find_sources(tmp_path / "nowhere")
    assert caught.value.exit_code == 2
    with pytest.raises(InputError):
        analyze(tmp_path / "nowhere", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_folder_without_python_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# not code\n")
    (tmp_path / "data.txt").write_text("1,2,3\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "cached.py").write_text("x = 1\n")  # skipped folders do not count
    with pytest.raises(InputError, match="no Python files"):
        find_sources(tmp_path)


@pytest.mark.parametrize("case", ["missing", "no-python", "a-file"])
def test_cli_input_errors_exit_2_with_one_line(tmp_path: Path, case: str) -> None:
    src = tmp_path / "src"
    if case == "no-python":
        src.mkdir()
        (src / "notes.txt").write_text("nothing to see\n")
    elif case == "a-file":
        src.write_text("def f(): pass\n")
    result = CliRunner().invoke(cli, ["analyze", str(src), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and str(src) in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_new_broken_symlink_is_reported_on_the_next_run(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.py").write_text("def f():\n    return 1\n")
    analyze(src, tmp_path / "out", AnalyzeOptions(jobs=1))
    os.symlink("missing.py", src / "broken.py")
    again = analyze(src, tmp_path / "out", AnalyzeOptions(jobs=1))
    assert [d["code"] for d in again.summary["diagnostics"]] == ["unreadable"]
