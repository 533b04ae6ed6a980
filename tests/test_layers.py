"""Dependencies point one way: mono2lambda -> extractor -> analyzer.

Two guards: import-linter's layers contract (pyproject.toml, [tool.importlinter]), and a
plain `ast` scan of the analyzer that works even without the tool.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ANALYZER = ROOT / "analyzer"
HIGHER_LAYERS = ("mono2lambda", "extractor")


def test_import_linter_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.exists(), "import-linter is a test dependency: pip install -e '.[test]'"
    result = subprocess.run([str(lint_imports), "--no-cache", "--no-logo"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_layers_contract_orders_front_above_analyzer() -> None:
    """The contract lint-imports checks is the design's (not removed, not reordered)."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    config = pyproject["tool"]["importlinter"]
    layers = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    assert layers, "no layers contract in pyproject.toml [tool.importlinter]"
    order = [name for name in ("mono2lambda", "extractor", "analyzer") if name in layers[0]]
    assert order[0] == "mono2lambda" and order[-1] == "analyzer", layers[0]
    assert [layer for layer in layers[0] if layer in order] == order
    assert {"mono2lambda", "analyzer"} <= set(config["root_packages"])


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """Absolute module names imported anywhere in a module (function-level imports too)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and _dynamic_import(node) is not None:
            found.append((node.lineno, _dynamic_import(node)))
    return found


def _dynamic_import(call: ast.Call) -> str | None:
    """`__import__("x")` and `importlib.import_module("x")` with a literal name."""
    name = getattr(call.func, "id", getattr(call.func, "attr", None))
    if name not in ("__import__", "import_module") or not call.args:
        return None
    first = call.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def layer_violations(package: Path, forbidden: tuple[str, ...]) -> list[str]:
    violations = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, module in imported_modules(tree):
            if module.split(".")[0] in forbidden:
                violations.append(f"{path.relative_to(package.parent)}:{line}: imports {module}")
    return violations


def test_analyzer_imports_neither_the_front_nor_the_extractor() -> None:
    assert sorted(ANALYZER.glob("*.py")), "analyzer package not found"
    violations = layer_violations(ANALYZER, HIGHER_LAYERS)
    assert not violations, ("the analyzer must not depend on higher layers:\n"
                            + "\n".join(violations))


def test_the_scan_catches_a_violation(tmp_path: Path) -> None:
    """The guard itself works: each way of importing a higher layer is reported, with its line."""
    package = tmp_path / "analyzer"
    package.mkdir()
    (package / "bad.py").write_text(
        "import os\nimport mono2lambda.cli\n\n\ndef f():\n    from extractor import deploy\n"
        "    return __import__('mono2lambda')\n")
    (package / "fine.py").write_text("from . import mono2lambda\nimport mono2lambdas\n")
    assert layer_violations(package, HIGHER_LAYERS) == [
        "analyzer/bad.py:2: imports mono2lambda.cli",
        "analyzer/bad.py:6: imports extractor",
        "analyzer/bad.py:7: imports mono2lambda",
    ]


def test_the_graph_stage_never_imports_the_boundary_stage() -> None:
    """analyzer/*.py (the graph stage) may not import analyzer/boundaries/, by any spelling."""
    violations = []
    for path in sorted(ANALYZER.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [alias.name for alias in node.names]
                relative = node.level == 1 and "boundaries" in (names[0].split(".")[0], *names[1:])
                if relative or (node.level == 0 and names[0].startswith("analyzer.boundaries")):
                    violations.append(f"{path.name}:{node.lineno}")
            elif isinstance(node, ast.Import) and any(a.name.startswith("analyzer.boundaries") for a in node.names):
                violations.append(f"{path.name}:{node.lineno}")
    assert not violations, "the graph stage imports the boundary stage at " + ", ".join(violations)
