"""`mono2lambda contracts check` fails on a breaking change and passes an additive one."""

from __future__ import annotations

import textwrap
from pathlib import Path

from click.testing import CliRunner

from mono2lambda.cli import cli

CODE = '''
from __future__ import annotations
from decimal import Decimal


def tax_for(amount: Decimal, region: str) -> Decimal:
    return amount * Decimal("0.1")
'''

PLAN = '''
version: 1
source: mini
services:
  tax:
    modules:
      - mini.calc
'''


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def make_monolith(root: Path) -> Path:
    (root / "mini").mkdir(parents=True)
    (root / "mini" / "__init__.py").write_text("")
    (root / "mini" / "calc.py").write_text(textwrap.dedent(CODE))
    (root / "boundaries.yaml").write_text(PLAN.lstrip())
    return root


def check(root: Path, generated: Path) -> tuple[int, str]:
    code, text = run("analyze", str(root), "--out", str(root.parent / "analysis"), "--no-cache")
    assert code == 0, text
    return run("contracts", "check", "--generated", str(generated), "--plan", str(root / "boundaries.yaml"),
               "--graph", str(root.parent / "analysis" / "graph.json"))


def test_breaking_changes_fail_and_additive_ones_pass(tmp_path: Path) -> None:
    root = make_monolith(tmp_path / "mini")
    generated = tmp_path / "generated"
    run("analyze", str(root), "--out", str(tmp_path / "analysis"))
    code, text = run("extract", "--plan", str(root / "boundaries.yaml"), "--graph",
                     str(tmp_path / "analysis" / "graph.json"), "--out", str(generated))
    assert code == 0, text
    assert check(root, generated) == (0, "0 breaking change(s), 0 compatible change(s)\n")

    calc = root / "mini" / "calc.py"
    calc.write_text(calc.read_text().replace("region: str)", "region: str, rounding: int = 2)"))
    code, text = check(root, generated)
    assert code == 0 and "0 breaking change(s)" in text and "rounding" in text

    calc.write_text(calc.read_text().replace("region: str,", "region: int,"))
    code, text = check(root, generated)
    assert code == 1 and "BREAKING: mini.calc.tax_for: request.region" in text

    calc.write_text(calc.read_text().replace("region: int, rounding: int = 2", "region: str, rounding: int"))
    code, text = check(root, generated)
    assert code == 1 and "request.rounding" in text


def test_without_a_manifest_it_says_what_to_point_at(tmp_path: Path) -> None:
    root = make_monolith(tmp_path / "mini")
    code, text = run("contracts", "check", "--generated", str(tmp_path / "nothing"), "--plan",
                     str(root / "boundaries.yaml"))
    assert code == 2 and "manifest.json" in text
