"""A service that calls another: its package carries the other's modules as proxies and
calls it through the same client, with invoke rights on exactly that function."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from mono2lambda.cli import cli

from .validators import lint_problems, translate

FILES = {
    "mini/__init__.py": "",
    "mini/tax.py": '''
        from __future__ import annotations
        from decimal import Decimal

        CALLS: list[str] = []


        def tax_for(amount: Decimal, region: str) -> Decimal:
            CALLS.append(region)
            return (amount * Decimal("0.07")).quantize(Decimal("0.01")) if region == "CA" else Decimal("0.00")
        ''',
    "mini/billing.py": '''
        from __future__ import annotations
        from decimal import Decimal

        from mini import tax


        class UnknownRegion(Exception):
            pass


        def invoice_total(amount: Decimal, region: str) -> Decimal:
            if len(region) != 2:
                raise UnknownRegion(region)
            return amount + tax.tax_for(amount, region)
        ''',
    "tests/test_billing.py": '''
        from decimal import Decimal

        import pytest

        from mini import billing, tax


        def test_total_includes_tax():
            assert billing.invoice_total(Decimal("100"), "CA") == Decimal("107.00")
            assert tax.CALLS == []  # the monolith's copy never ran: the services did


        def test_errors_come_back_as_the_callers_class():
            with pytest.raises(billing.UnknownRegion):
                billing.invoice_total(Decimal("1"), "California")
        ''',
    "boundaries.yaml": '''
        version: 1
        source: mini
        services:
          billing:
            modules: [mini.billing]
          tax:
            modules: [mini.tax]
        shared: [mini]
        ''',
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_a_service_calls_another_through_its_client(tmp_path: Path) -> None:
    root = tmp_path / "mini"
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text).lstrip())
    assert run("analyze", str(root), "--out", str(tmp_path / "analysis"))[0] == 0
    out = tmp_path / "generated"
    code, text = run("extract", "--plan", str(root / "boundaries.yaml"), "--graph",
                     str(tmp_path / "analysis" / "graph.json"), "--out", str(out))
    assert code == 0, text

    proxy = (out / "billing" / "src" / "mini" / "tax.py").read_text()
    assert '_m2l_client.call("tax", "mini.tax.tax_for"' in proxy
    template = (out / "billing" / "template.yaml").read_text()
    assert lint_problems(template) == []
    role = next(r for r in translate(template)["Resources"].values() if r["Type"] == "AWS::IAM::Role")
    resources = [r["Fn::Sub"] for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]
                 for r in s["Resource"]]
    assert [arn.rsplit(":", 1)[-1] for arn in resources] == ["mini-tax"]

    log = tmp_path / "calls.log"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(M2L_TRANSPORT="local", M2L_CALL_LOG=str(log), POWERTOOLS_LOG_LEVEL="ERROR", PYTHONPATH=".")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                          cwd=out / "monolith", env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert sorted(log.read_text().splitlines()) == [
        "billing mini.billing.invoice_total", "billing mini.billing.invoice_total", "tax mini.tax.tax_for"]
