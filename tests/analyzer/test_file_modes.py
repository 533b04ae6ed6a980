"""Files mono2lambda writes keep an existing file's mode, and new files follow the umask."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.files import write_atomic

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_an_existing_file_keeps_its_mode(tmp_path: Path, umask: None) -> None:
    plan = tmp_path / "boundaries.yaml"
    plan.write_text("old\n", encoding="utf-8")
    plan.chmod(0o644)
    write_atomic(plan, "new\n")
    assert plan.read_text(encoding="utf-8") == "new\n"
    assert mode(plan) == 0o644
    plan.chmod(0o640)
    write_atomic(plan, b"again\n")
    assert mode(plan) == 0o640


def test_a_new_file_follows_the_umask(tmp_path: Path, umask: None) -> None:
    write_atomic(tmp_path / "a.json", "{}")
    assert mode(tmp_path / "a.json") == 0o644
    os.umask(0o077)
    write_atomic(tmp_path / "b.json", "{}")
    assert mode(tmp_path / "b.json") == 0o600
    os.umask(0o002)
    write_atomic(tmp_path / "c.json", "{}")
    assert mode(tmp_path / "c.json") == 0o664
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_plan_edits_keep_the_plan_readable_by_others(tmp_path: Path, umask: None) -> None:
    from analyzer.boundaries.plan import read_plan, write_plan
    from tests.analyzer.test_plan import EXAMPLE

    plan = tmp_path / "boundaries.yaml"
    plan.write_text(EXAMPLE, encoding="utf-8")
    plan.chmod(0o644)
    write_plan(plan, read_plan(plan))
    assert mode(plan) == 0o644
