"""[tool.mono2lambda] in pyproject.toml: the defaults of every command's options."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from analyzer.errors import InputError
from mono2lambda.cli import cli
from mono2lambda.config import KEYS, PLAN_COMMANDS, Config, link_for, load_config
from mono2lambda.plan_commands import plan

SETTINGS = """\
[project]
name = "app"

[tool.mono2lambda]
source = "src/app"
out = "build/m2l"
plan = "architecture/boundaries.yaml"
exclude = ["app/generated/*"]
include_tests = true
include_migrations = false
weights = { write_write = 12, call = 2.5 }
seed = 7
services = 3
report_links = "vscode://file/{path}:{line}"
region = "eu-west-1"
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def write(folder: Path, text: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_key_is_read_and_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    write(tmp_path, SETTINGS)
    (tmp_path / "sub").mkdir()
    config = load_config(cwd=tmp_path / "sub")
    assert config.path == tmp_path / "pyproject.toml"
    assert set(config.values) == set(KEYS)
    assert config.get("source") == "../src/app" and config.get("plan") == "../architecture/boundaries.yaml"
    defaults = config.default_map()
    assert defaults["analyze"] == {"src": "../src/app", "out_dir": "../build/m2l", "exclude": ["app/generated/*"],
                                   "include_tests": True, "include_migrations": False}
    assert defaults["propose"] == {"graph_path": "../build/m2l/graph.json",
                                   "plan_path": "../architecture/boundaries.yaml",
                                   "weights": ["write_write=12", "call=2.5"], "seed": 7, "services": 3}
    assert defaults["plan"]["score"] == defaults["check"] == defaults["report"]
    for command in ("deploy", "destroy", "serve", "invoke"):
        assert defaults[command] == {"region": "eu-west-1"}
    assert defaults["extract"]["region"] == "eu-west-1" and "region" not in defaults["contracts"]["check"]
    assert link_for(config.get("report_links"), "shop/a.py", 3) == "vscode://file/shop/a.py:3"


def test_no_table_or_no_file_means_no_settings(tmp_path: Path) -> None:
    write(tmp_path, "[project]\nname = 'x'\n")
    assert load_config(cwd=tmp_path) == Config(tmp_path / "pyproject.toml")
    assert Config().default_map() == {}


@pytest.mark.parametrize(("text", "expected"), [
    ("sorce = 'src'", ["'sorce'", "valid keys: source, out, plan, exclude"]),
    ("exclude = 'x/*'", ["exclude = 'x/*'", "list of strings"]),
    ("include_tests = 1", ["include_tests", "boolean"]),
    ("seed = '1'", ["seed", "integer"]),
    ("services = 0", ["services = 0"]),
    ("weights = { pull = 1 }", ["unknown weight 'pull'", "write_write"]),
    ("report_links = 'x/{file}'", ["report_links", "{path}"]),
])
def test_a_bad_setting_is_an_input_error_naming_file_and_key(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = write(tmp_path, f"[tool.mono2lambda]\n{text}\n")
    with pytest.raises(InputError) as caught:
        load_config(cwd=tmp_path)
    message = str(caught.value)
    assert caught.value.exit_code == 2 and str(path) in message and "[tool.mono2lambda" in message
    for part in expected:
        assert part in message, message


def test_the_command_line_stops_on_a_bad_file_with_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "[tool.mono2lambda]\nsorce = 'src'\n")
    monkeypatch.chdir(tmp_path)
    result = run("analyze")
    assert result.exit_code == 2
    assert "pyproject.toml: [tool.mono2lambda] has unknown key 'sorce'" in result.stderr
    assert "Traceback" not in result.output
    write(tmp_path, "[tool.mono2lambda\n")
    assert run("analyze").exit_code == 2
    assert run("--config", str(tmp_path / "missing.toml"), "analyze").exit_code == 2


def test_commands_take_their_defaults_from_the_settings_and_flags_win(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "src" / "app").mkdir(parents=True)
    (tmp_path / "src" / "app" / "a.py").write_text("def f() -> int:\n    return 1\n")
    (tmp_path / "src" / "app" / "test_a.py").write_text("def test_f() -> None:\n    pass\n")
    write(tmp_path, '[tool.mono2lambda]\nsource = "src/app"\nout = "build/m2l"\nplan = "b.yaml"\n'
                    "include_tests = true\nseed = 3\n")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "deep" / "er")  # found from the current folder upwards
    analyzed = run("analyze", "--jobs", "1")
    assert analyzed.exit_code == 0, analyzed.output
    assert (tmp_path / "build" / "m2l" / "graph.json").exists()
    assert "Analyzed app: 2 files" in " ".join(analyzed.stdout.split())  # include_tests
    proposed = run("propose")
    assert proposed.exit_code == 0, proposed.output
    assert (tmp_path / "b.yaml").exists()
    assert run("plan", "show").exit_code == 0
    flags = run("analyze", "--jobs", "1", "--out", str(tmp_path / "other"))
    assert flags.exit_code == 0 and (tmp_path / "other" / "graph.json").exists()
    help_text = " ".join(run("propose", "--help").output.split())
    assert "[default: 3]" in help_text  # --help shows the project's defaults
    other = write(tmp_path / "deep", '[tool.mono2lambda]\nout = "x"\n')
    assert "[default: ../x]" in " ".join(run("--config", str(other), "analyze", "--help").output.split())


def test_the_plan_commands_listed_are_the_plan_group() -> None:
    assert sorted(plan.commands) == sorted(PLAN_COMMANDS)
