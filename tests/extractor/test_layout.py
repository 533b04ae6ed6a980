"""What the plan says about a service's Lambda layout: one function per operation, the runtime."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from mono2lambda.cli import cli

from .validators import lint_problems, load_yaml

CODE = '''
from __future__ import annotations


def rate_for(region: str) -> int:
    return 7 if region == "CA" else 5


def tax_for(amount: int, region: str) -> int:
    return amount * rate_for(region) // 100
'''

PLAN = '''
version: 1
source: mini
services:
  tax:
    functions: per-operation
    runtime: python3.11
    modules:
      - mini.calc
'''


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_one_function_per_operation_with_the_planned_runtime(tmp_path: Path) -> None:
    root = tmp_path / "mini"
    (root / "mini").mkdir(parents=True)
    (root / "mini" / "__init__.py").write_text("")
    (root / "mini" / "calc.py").write_text(textwrap.dedent(CODE))
    (root / "boundaries.yaml").write_text(PLAN.lstrip())
    assert run("analyze", str(root), "--out", str(tmp_path / "analysis"))[0] == 0
    code, text = run("extract", "--plan", str(root / "boundaries.yaml"), "--graph",
                     str(tmp_path / "analysis" / "graph.json"), "--out", str(tmp_path / "generated"))
    assert code == 0, text
    template = (tmp_path / "generated" / "tax" / "template.yaml").read_text()
    assert lint_problems(template) == []
    resources = load_yaml(template)["Resources"].values()
    functions = {r["Properties"]["FunctionName"] for r in resources if r["Type"] == "AWS::Serverless::Function"}
    assert functions == {"mini-tax-rate-for", "mini-tax-tax-for"}
    assert load_yaml(template)["Globals"]["Function"]["Runtime"] == "python3.11"
    config = json.loads((tmp_path / "generated" / "monolith" / "m2l_runtime" / "services.json").read_text())
    assert config["services"]["tax"]["operations"] == {"mini.calc.rate_for": "mini-tax-rate-for",
                                                       "mini.calc.tax_for": "mini-tax-tax-for"}


def test_an_unknown_layout_is_a_plan_error_at_its_line(tmp_path: Path) -> None:
    root = tmp_path / "mini"
    (root / "mini").mkdir(parents=True)
    (root / "mini" / "__init__.py").write_text("")
    (root / "mini" / "calc.py").write_text(textwrap.dedent(CODE))
    (root / "boundaries.yaml").write_text(PLAN.lstrip().replace("per-operation", "per-module"))
    assert run("analyze", str(root), "--out", str(tmp_path / "analysis"))[0] == 0
    code, text = run("extract", "--plan", str(root / "boundaries.yaml"), "--graph",
                     str(tmp_path / "analysis" / "graph.json"), "--out", str(tmp_path / "generated"))
    assert code == 2 and "boundaries.yaml:5" in text and "per-service, per-operation" in text
