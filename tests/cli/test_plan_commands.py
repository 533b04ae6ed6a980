"""`mono2lambda plan ...` through click's CliRunner: output, exit codes, the file on disk."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from mono2lambda.cli import cli
from mono2lambda.plan_commands import plan
from tests.analyzer.snippets import graph_of
from tests.analyzer.test_plan import EXAMPLE, SHOP


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    graph = graph_of(SHOP)
    graph.meta["root"] = "shop"
    graph_path, plan_path = tmp_path / "graph.json", tmp_path / "boundaries.yaml"
    graph_path.write_text(graph.dumps(), encoding="utf-8")
    plan_path.write_text(EXAMPLE, encoding="utf-8")
    return plan_path, graph_path


def app() -> click.Group:
    """The real root group (for --debug and exit-code handling) with the plan group added."""
    group = click.Group(params=list(cli.params), commands=dict(cli.commands))
    group.add_command(plan)
    return group


def run(files: tuple[Path, Path], *args: str) -> Result:
    plan_path, graph_path = files
    return CliRunner().invoke(app(), ["plan", *args, "--plan", str(plan_path), "--graph", str(graph_path)])


def test_show_lists_services_monolith_and_shared(files: tuple[Path, Path]) -> None:
    result = run(files, "show")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "service orders (3)\n  shop.cart\n  shop.orders.checkout\n  shop.orders.history\n"
        "service payments (1)\n  shop.payments\n"
        "monolith (5)\n  shop\n  shop.common\n  shop.orders\n  shop.web\n  shop.web.views\n"
        "shared (1)\n  shop.common.money\n")


def test_move_writes_the_file_and_says_what_changed(files: tuple[Path, Path]) -> None:
    result = run(files, "move", "shop.cart", "basket", "--new")
    assert result.exit_code == 0, result.output
    assert result.output == "moved shop.cart from orders to basket\n"
    text = files[0].read_text(encoding="utf-8")
    assert "  basket:\n    modules:\n      - shop.cart  # cart eol\n" in text
    assert "# payments talk to the bank" in text


@pytest.mark.parametrize(("args", "check"), [
    (("merge", "orders", "payments"), "merged payments into orders"),
    (("split", "orders", "--into", "basket=shop.cart", "--into", "hist=shop.orders.history"), "split orders"),
    (("rename", "payments", "billing"), "renamed service payments to billing"),
    (("keep", "shop.cart"), "moved shop.cart from orders to monolith"),
    (("share", "shop.payments"), "moved shop.payments from payments to shared"),
])
def test_each_edit_keeps_the_comments(files: tuple[Path, Path], args: tuple[str, ...], check: str) -> None:
    result = run(files, *args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(check)
    text = files[0].read_text(encoding="utf-8")
    for comment in ("# Service boundaries for shop.", "# MB, 128..10240", "# units that stay in the monolith"):
        assert comment in text


def test_an_invalid_plan_stops_with_its_line(files: tuple[Path, Path]) -> None:
    files[0].write_text(EXAMPLE.replace("memory: 512 ", "memory: 64  "), encoding="utf-8")
    result = run(files, "move", "shop.cart", "basket")
    assert result.exit_code == 2
    assert f"{files[0]}:13: `memory` must be a whole number of MB from 128 to 10240" in result.output
    assert "memory: 64" in files[0].read_text(encoding="utf-8")


def test_a_plan_that_does_not_fit_the_graph_stops_before_editing(files: tuple[Path, Path]) -> None:
    files[0].write_text(EXAMPLE.replace("- shop.payments ", "- shop.payment  "), encoding="utf-8")
    result = run(files, "keep", "shop.cart")
    assert result.exit_code == 2
    assert f"{files[0]}:24: shop.payment is not a module of the graph (did you mean shop.payments?)" in result.output


def test_an_edit_that_would_break_the_plan_is_not_written(files: tuple[Path, Path]) -> None:
    result = run(files, "move", "shop.nope", "payments")
    assert result.exit_code == 2
    assert "not written" in result.output and "shop.nope is not a module of the graph" in result.output
    assert files[0].read_text(encoding="utf-8") == EXAMPLE


def test_warnings_are_printed_and_the_edit_goes_on(files: tuple[Path, Path]) -> None:
    files[0].write_text(EXAMPLE.replace("source: shop   ", "source: other  "), encoding="utf-8")
    result = run(files, "keep", "shop.cart")
    assert result.exit_code == 0
    assert f"{files[0]}:3: warning: the plan is for 'other' but the graph is of 'shop'" in result.output


def test_show_exits_2_on_errors(files: tuple[Path, Path]) -> None:
    files[0].write_text(EXAMPLE.replace("  - shop.web.*", "  - shop.cart"), encoding="utf-8")
    result = run(files, "show")
    assert result.exit_code == 2
    assert f"{files[0]}:26: error: shop.cart is claimed by" in result.output


@pytest.mark.parametrize(("args", "words"), [
    (("merge", "orders", "nope"), "no service named 'nope'"),
    (("split", "orders", "--into", "basket"), "expected NAME=MODULE"),
    (("move", "shop.cart", "Basket"), "invalid service name"),
    (("move", "shop.cart", "basket"), "no service named 'basket' (services: orders, payments; pass --new"),
    (("move", "shop.cart", "paymnts"), "(did you mean payments? services: orders, payments; pass --new"),
    (("move", "shop.cart", "payments", "--new"), "service 'payments' already exists (drop --new"),
    (("keep", "shop.ordrs.*"), "the glob shop.ordrs.* matches no module of the graph (did you mean shop.orders"),
    (("move", "zzz.*", "orders"), "the glob zzz.* matches no module of the graph"),
    (("share", "shop.nothing?"), "the glob shop.nothing? matches no module"),
])
def test_usage_errors_exit_2(files: tuple[Path, Path], args: tuple[str, ...], words: str) -> None:
    result = run(files, *args)
    assert result.exit_code == 2
    assert words in result.output
    assert files[0].read_text(encoding="utf-8") == EXAMPLE


def test_missing_files_exit_2(tmp_path: Path, files: tuple[Path, Path]) -> None:
    result = run((tmp_path / "none.yaml", files[1]), "show")
    assert result.exit_code == 2 and "no such plan file" in result.output
    result = run((files[0], tmp_path / "none.json"), "show")
    assert result.exit_code == 2 and "mono2lambda analyze" in result.output


def test_a_glob_moves_every_unit_it_matches(files: tuple[Path, Path]) -> None:
    files[0].write_text(EXAMPLE.replace("      - shop.payments   # the gateway\n",
                                        "      - shop.orders.history\n      - shop.payments   # the gateway\n"),
                        encoding="utf-8")
    result = run(files, "keep", "shop.orders.*")
    assert result.exit_code == 0, result.output
    assert result.output == ("moved 2 modules matching shop.orders.* to monolith: 1 from orders, 1 from payments; "
                             "2 operations dropped\n")
    text = files[0].read_text(encoding="utf-8")
    assert "monolith:               # units that stay in the monolith\n  - shop.orders.*\n  - shop.web.*\n" in text
    assert "shop.orders.history" not in text and "# the cart belongs with orders" in text
    shown = run(files, "show")
    assert shown.exit_code == 0 and "monolith (7)\n" in shown.output


@pytest.mark.parametrize(("args", "output"), [
    (("move", "shop.orders.*", "basket", "--new"), "moved 2 modules matching shop.orders.* to basket: 2 from orders\n"),
    (("share", "shop.c*"), "moved 2 modules matching shop.c* to shared: 1 from orders, 1 from monolith; "
                           "1 already there\n"),
    (("keep", "shop.w*"), "shop.w* matches 2 modules, all already in monolith; nothing changed\n"),
])
def test_globs_through_each_command(files: tuple[Path, Path], args: tuple[str, ...], output: str) -> None:
    result = run(files, *args)
    assert result.exit_code == 0, result.output
    assert result.output == output


def test_help_explains_globs_and_new() -> None:
    result = CliRunner().invoke(app(), ["plan", "move", "--help"])
    assert result.exit_code == 0
    assert "--new" in result.output and "glob" in result.output and "'shop.orders.*'" in result.output
    for command in ("keep", "share"):
        assert "glob" in CliRunner().invoke(app(), ["plan", command, "--help"]).output
