"""The command line starts small: command modules are imported when they run, and `--help`
still lists every command with its own one-line help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from mono2lambda.cli import LAZY_COMMANDS, cli
from mono2lambda.lazy import LazyGroup

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("boto3", "botocore", "samtranslator", "libcst", "networkx", "igraph", "jinja2", "rich", "extractor",
         "analyzer.pipeline")


def test_the_lazy_table_says_what_each_command_says() -> None:
    assert isinstance(cli, LazyGroup)
    for name in LAZY_COMMANDS:
        command = cli.load(name)
        assert command.name == name
        assert LAZY_COMMANDS[name].short_help == command.get_short_help_str(10**6), name


def test_help_lists_every_command_as_if_all_were_loaded() -> None:
    lazy_help = CliRunner().invoke(cli, ["--help"], terminal_width=100).output
    eager = click.Group(cli.name, params=cli.params, help=cli.help, context_settings=cli.context_settings)
    for name in cli.list_commands(click.Context(cli)):
        eager.add_command(cli.get_command(click.Context(cli), name), name)  # type: ignore[arg-type]
    assert lazy_help == CliRunner().invoke(eager, ["--help"], terminal_width=100).output
    for name in ("analyze", "propose", "report", "demo", *LAZY_COMMANDS):
        assert f"\n  {name} " in lazy_help


def _imported_after(*arguments: str) -> set[str]:
    code = ("import sys\nfrom mono2lambda.cli import cli\n"
            f"try:\n    cli({list(arguments)!r}, prog_name='mono2lambda')\nexcept SystemExit:\n    pass\n"
            f"print('imported:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("imported:"), result.stdout
    return set(filter(None, line.removeprefix("imported:").split(",")))


def test_help_and_plan_show_import_nothing_heavy() -> None:
    assert _imported_after("--help") == set()
    graph = REPO / "tests" / "golden" / "shop-graph.json"
    plan = REPO / "examples" / "shop" / "boundaries.yaml"
    assert _imported_after("plan", "show", "--graph", str(graph), "--plan", str(plan)) == set()
    assert "extractor" in _imported_after("serve", "--help")  # the command, loaded when asked for
