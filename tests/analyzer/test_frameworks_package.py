"""The analyzer's sub-packages are part of it: the code fingerprint that keys caches covers
analyzer/frameworks/, and the package keeps to the graph stage's import rule."""

from __future__ import annotations

import ast
from pathlib import Path

import analyzer
from analyzer import _code_fingerprint, _fingerprinted_files
from analyzer.frameworks import Detection, detect

ANALYZER = Path(analyzer.__file__).resolve().parent


def test_the_fingerprint_covers_the_frameworks_package_but_not_boundaries() -> None:
    names = [path.relative_to(ANALYZER).as_posix() for path in _fingerprinted_files(ANALYZER)]
    assert "frameworks/__init__.py" in names and "frameworks/definitions.py" in names
    assert "graph.py" in names and not any(name.startswith("boundaries/") for name in names)
    assert names == sorted(names)


def test_a_change_in_the_sub_package_changes_the_fingerprint(tmp_path: Path) -> None:
    for relative in ("__init__.py", "frameworks/__init__.py", "frameworks/names.py", "boundaries/report.py"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x = 1\n")
    before = _code_fingerprint(tmp_path)
    assert _code_fingerprint(tmp_path) == before  # deterministic
    (tmp_path / "boundaries/report.py").write_text("x = 2\n")
    assert _code_fingerprint(tmp_path) == before  # the boundary stage does not shape analyses
    (tmp_path / "frameworks/names.py").write_text("x = 2\n")
    assert _code_fingerprint(tmp_path) != before


def test_the_fingerprint_of_the_installed_analyzer_is_its_version() -> None:
    expected = f"{analyzer.GRAPH_SCHEMA}+{_code_fingerprint()}"
    assert expected == analyzer.ANALYZER_VERSION


def absolute_imports(tree: ast.AST, package: str) -> list[tuple[int, str]]:
    """Every module an import names, relative ones made absolute (`..boundaries` in
    `analyzer.frameworks` is `analyzer.boundaries`); `from x import y` names x and x.y."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            base = ".".join([*parts, *([node.module] if node.module else [])])
            found += [(node.lineno, base)] + [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def test_the_import_scan_makes_relative_imports_absolute() -> None:
    tree = ast.parse("from ..boundaries import report\nfrom . import names\nfrom .. import boundaries\n")
    assert absolute_imports(tree, "analyzer.frameworks") == [
        (1, "analyzer.boundaries"), (1, "analyzer.boundaries.report"),
        (2, "analyzer.frameworks"), (2, "analyzer.frameworks.names"),
        (3, "analyzer"), (3, "analyzer.boundaries")]


def test_the_frameworks_package_never_imports_the_boundary_stage() -> None:
    """tests/test_layers.py scans analyzer/*.py; this covers the sub-package too."""
    violations = [f"{path.name}:{line}" for path in sorted((ANALYZER / "frameworks").glob("*.py"))
                  for line, module in absolute_imports(ast.parse(path.read_text(encoding="utf-8")),
                                                       "analyzer.frameworks")
                  if module == "analyzer.boundaries" or module.startswith("analyzer.boundaries.")]
    assert not violations, "analyzer/frameworks imports the boundary stage at " + ", ".join(violations)


def test_detect_and_detection_stay_importable_from_analyzer_frameworks() -> None:
    assert detect([]) == Detection()
