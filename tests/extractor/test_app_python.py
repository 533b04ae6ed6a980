"""The app's own interpreter from extract to serve: `extract --python` makes the templates ask
for its runtime and pins from its environment; `serve`/`prove` run the workers with the
interpreter of the template's runtime (or `--python`) and install the requirements for it.

"The app's python" here is a venv made from this interpreter: another path, no pip, no
site-packages of its own, so a worker that answers with its path shows which one ran it and
an install that worked shows pip installed for it from outside."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from click.testing import CliRunner

from analyzer.boundaries.plan import parse_plan
from analyzer.errors import InputError
from extractor.interpreter import choose, current, distributions, find_runtime, probe
from extractor.requirements import with_runtime_needs
from extractor.serve.deps import package_install
from extractor.serve.functions import load_functions
from extractor.serve.plan import install_missing, plan_serve
from extractor.serve.server import LambdaServer
from mono2lambda.cli import cli

HERE = f"python{sys.version_info[0]}.{sys.version_info[1]}"
APP = {"where/__init__.py": "", "where/place.py": """\
    import sys


    def interpreter() -> str:
        return sys.executable
    """}
PLAN = """\
version: 1
source: app
services:
  place:
    modules: [where.place]
"""


@pytest.fixture(scope="module")
def app_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("app-python") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    return str(folder / "bin" / "python")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app extracted with --python (this interpreter: the template follows its version)."""
    tmp = tmp_path_factory.mktemp("app")
    for name, text in APP.items():
        (tmp / "app" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "app" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (tmp / "boundaries.yaml").write_text(PLAN, encoding="utf-8")
    for args in (["analyze", str(tmp / "app"), "--out", str(tmp / "analysis"), "--no-cache"],
                 ["extract", "--plan", str(tmp / "boundaries.yaml"), "--graph", str(tmp / "analysis" / "graph.json"),
                  "--out", str(tmp / "generated"), "--python", sys.executable]):
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return tmp / "generated"


def test_an_interpreter_is_probed_once_and_a_bad_one_is_a_clear_error(app_python: str, tmp_path: Path) -> None:
    found = probe(app_python)
    assert found.executable == app_python and found.version == current().version and not found.is_current
    assert found.tag == current().tag  # the same Python: wheels installed for one load in the other
    assert probe(sys.executable) == current()
    (tmp_path / "python").write_text("#!/bin/sh\nexit 3\n")
    (tmp_path / "python").chmod(0o755)
    with pytest.raises(InputError, match="cannot run it as Python"):
        probe(str(tmp_path / "python"))


def test_each_runtime_gets_an_interpreter_of_its_version_or_a_note_naming_python(app_python: str) -> None:
    assert find_runtime(HERE) == current()
    chosen, notes = choose([HERE, "python3.99"], None)
    assert chosen[HERE] == current() and chosen["python3.99"] == current()
    assert len(notes) == 1 and "python3.99" in notes[0] and "--python" in notes[0]
    chosen, notes = choose([HERE], app_python)
    assert chosen[HERE].executable == app_python and not notes


def test_the_distributions_are_read_from_the_interpreter_asked(app_python: str) -> None:
    providers, versions = distributions(current())
    assert "pydantic" in providers and "pydantic" in {name.lower() for name in versions}
    providers, versions = distributions(probe(app_python))
    assert "pydantic" not in providers and not versions  # a bare venv: nothing installed


def test_without_python_the_runtime_is_the_default_and_the_plan_can_name_one() -> None:
    plan = parse_plan(PLAN + "    runtime: python3.10\n").plan
    assert plan.service("place") is not None and plan.service("place").runtime == "python3.10"  # type: ignore[union-attr]
    assert parse_plan(PLAN).plan.service("place").runtime is None  # type: ignore[union-attr]


def test_extract_with_python_makes_the_template_ask_for_its_runtime(generated: Path) -> None:
    (spec,) = load_functions(generated)
    assert spec.runtime == HERE


def test_the_dependency_folder_depends_on_the_python(generated: Path, app_python: str, tmp_path: Path) -> None:
    (spec,) = load_functions(generated)
    here = package_install(spec, tmp_path)
    assert package_install(spec, tmp_path, probe(app_python)).target == here.target  # same version and platform
    other = probe(app_python).__class__(app_python, (3, 99), "cpython-399 linux-x86_64")
    assert package_install(spec, tmp_path, other).target != here.target


def test_serve_runs_the_workers_with_the_apps_python(generated: Path, app_python: str, tmp_path: Path) -> None:
    plan = plan_serve(generated, tmp_path / "cache", app_python)
    assert [python.executable for python in (plan.pythons or {}).values()] == [app_python]
    install_missing(plan, lambda install: None)  # pip --python: the app's venv has no pip of its own
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    with LambdaServer(plan, port=0, environ=environ) as server:
        assert call(server.url, "app-place", "where.place.interpreter") == {"result": app_python}
    default = plan_serve(generated, tmp_path / "cache")
    assert [python.executable for python in (default.pythons or {}).values()] == [sys.executable]


def call(url: str, function: str, operation: str) -> Any:
    client = boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing", config=Config(retries={"total_max_attempts": 1},
                                                                         read_timeout=60))
    response = client.invoke(FunctionName=function, Payload=json.dumps({"operation": operation,
                                                                         "arguments": {}}).encode())
    return json.loads(response["Payload"].read())


def test_what_the_runtime_needs_is_pinned_from_here_when_the_apps_environment_lacks_it() -> None:
    merged = with_runtime_needs({"Django": "6.0.8", "pydantic": "2.0.1"})
    assert merged["django"] == "6.0.8" and merged["pydantic"] == "2.0.1"  # the app's own version wins
    assert merged["aws-lambda-powertools"] == metadata.version("aws-lambda-powertools")


DJANGO = {
    "proj/__init__.py": "",
    "proj/settings.py": """\
        SECRET_KEY = "test"
        INSTALLED_APPS = ["django.contrib.contenttypes", "markdown_it", "notes"]
        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
        """,
    "notes/__init__.py": "",
    "notes/services.py": """\
        from django.conf import settings


        def apps() -> int:
            return len(settings.INSTALLED_APPS)
        """,
}


def test_a_django_package_requires_the_apps_django_imports_by_name(tmp_path: Path) -> None:
    """`markdown_it` is in INSTALLED_APPS only: django.setup() imports it at cold start, and with it
    `mdurl` (another distribution), which only booting shows."""
    for name, text in DJANGO.items():
        (tmp_path / "site" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "site" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (tmp_path / "boundaries.yaml").write_text("version: 1\nsource: site\nframework: {django_settings: proj.settings}\n"
                                              "services:\n  notes:\n    modules: [notes.services]\n")
    for args in (["analyze", str(tmp_path / "site"), "--out", str(tmp_path / "analysis"), "--no-cache"],
                 ["extract", "--plan", str(tmp_path / "boundaries.yaml"), "--graph",
                  str(tmp_path / "analysis" / "graph.json"), "--out", str(tmp_path / "generated")]):
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    lines = (tmp_path / "generated" / "notes" / "requirements.txt").read_text().splitlines()
    assert f"markdown-it-py=={metadata.version('markdown-it-py')}" in lines
    assert f"mdurl=={metadata.version('mdurl')}" in lines
    assert any(line.startswith("Django==") for line in lines)


def test_an_app_python_without_pydantic_2_gets_it_for_reading_types(app_python: str, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The bare venv has no pydantic (CTFd's has 1.6): extract installs this environment's pydantic for it,
    once, and reads the types with it; the app's environment is not changed."""
    monkeypatch.chdir(tmp_path)  # the default cache, .mono2lambda/serve-cache, is relative
    for name, text in APP.items():
        (tmp_path / "app" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "app" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (tmp_path / "boundaries.yaml").write_text(PLAN, encoding="utf-8")
    CliRunner().invoke(cli, ["analyze", str(tmp_path / "app"), "--out", str(tmp_path / "analysis"), "--no-cache"])
    result = CliRunner().invoke(cli, ["extract", "--plan", str(tmp_path / "boundaries.yaml"), "--graph",
                                      str(tmp_path / "analysis" / "graph.json"), "--out", str(tmp_path / "generated"),
                                      "--python", app_python], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "has no pydantic: its types are read with pydantic==" in result.output
    contract = json.loads((tmp_path / "generated/place/contracts/where.place.interpreter.json").read_text())
    assert contract["response"] == {"type": "string"}
    assert "pydantic" not in distributions(probe(app_python))[0]
