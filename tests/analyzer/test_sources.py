"""`find_sources`: which files a walk finds and the modules it names them."""

from __future__ import annotations

from pathlib import Path

from analyzer.sources import find_sources


def _write(root: Path, *relpaths: str) -> None:
    for relpath in relpaths:
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n", encoding="utf-8")


def test_module_names_in_a_src_layout_and_beside_it(tmp_path: Path) -> None:
    _write(tmp_path, "src/shop/__init__.py", "src/shop/orders.py", "manage.py", "tools/cli.py",
           "src/shop/tests/test_orders.py", "src/shop/migrations/__init__.py", "src/shop/migrations/0001_initial.py")
    tree = find_sources(tmp_path)
    assert [(f.relpath, f.module, f.is_package) for f in tree.files] == [
        ("manage.py", "manage", False), ("src/shop/__init__.py", "shop", True),
        ("src/shop/orders.py", "shop.orders", False), ("tools/cli.py", "tools.cli", False)]
    assert tree.migrations_skipped == 2


def test_a_root_that_is_a_package_names_modules_from_its_parent(tmp_path: Path) -> None:
    _write(tmp_path, "app/__init__.py", "app/core/__init__.py", "app/core/models.py")
    tree = find_sources(tmp_path / "app")
    assert [(f.relpath, f.module) for f in tree.files] == [
        ("__init__.py", "app"), ("core/__init__.py", "app.core"), ("core/models.py", "app.core.models")]


def test_linked_files_are_marked_and_found_once(tmp_path: Path) -> None:
    _write(tmp_path, "app/real.py", "outside/secret.py")
    (tmp_path / "app" / "alias.py").symlink_to(tmp_path / "app" / "real.py")
    (tmp_path / "app" / "leak.py").symlink_to(tmp_path / "outside" / "secret.py")
    (tmp_path / "app" / "broken.py").symlink_to(tmp_path / "app" / "missing.py")
    tree = find_sources(tmp_path / "app")
    assert [(f.relpath, f.linked) for f in tree.files] == [("alias.py", True), ("leak.py", True)]
    assert [(d.file, d.code) for d in tree.diagnostics] == [("broken.py", "unreadable")]
