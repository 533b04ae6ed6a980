"""Packages that boot on their own: a Django project and a Flask app extracted end to end,
their `src/` alone (a fresh interpreter, `PYTHONPATH=src`, the original tree out of reach)
importing the handler, booting the framework at cold start and answering a sample event;
the modules a package carries narrowed to what its operations reach; sizes reported."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.boundaries.plan import parse_plan
from analyzer.graph import CodeGraph
from extractor.framework import Framework
from extractor.model import build_extraction
from extractor.serve.functions import functions_in_template, worker_environment
from mono2lambda.cli import cli

from .validators import lint_problems, load_yaml, translate

DJANGO = {
    "manage.py": """\
        import os
        import sys

        if __name__ == "__main__":
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
            from django.core.management import execute_from_command_line
            execute_from_command_line(sys.argv)
        """,
    "proj/__init__.py": "",
    "proj/settings.py": """\
        import os

        from proj.base import DATABASES

        SECRET_KEY = os.environ.get("NOTES_SECRET", "test")
        INSTALLED_APPS = ["django.contrib.contenttypes", "notes"]
        USE_TZ = True
        NOTES_PREFIX = os.environ.get("NOTES_PREFIX", "")
        """,
    "proj/base.py": """\
        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
        """,
    "proj/urls.py": "urlpatterns = []\n",
    "notes/__init__.py": "",
    "notes/apps.py": """\
        from django.apps import AppConfig


        class NotesConfig(AppConfig):
            name = "notes"
        """,
    "notes/models.py": """\
        from django.db import models


        class Note(models.Model):
            title = models.CharField(max_length=100)
        """,
    "notes/services.py": """\
        from django.conf import settings

        from notes.models import Note


        def title_length(title: str) -> int:
            return len(settings.NOTES_PREFIX + Note(title=title).title)


        def _export() -> str:
            from notes import reports  # only this unreached helper imports it

            return reports.everything()
        """,
    "notes/reports.py": """\
        def everything() -> str:
            return "all"
        """,
}
DJANGO_PLAN = """\
version: 1
source: site
services:
  notes:
    modules: [notes.services]
    environment:
      NOTES_PREFIX: "ab"
    secrets:
      NOTES_SECRET: ssm:/site/notes-secret
"""

FLASK = {
    "blog/__init__.py": """\
        from flask import Flask

        from blog.extensions import greetings


        def create_app():
            app = Flask("blog")
            app.config["GREETING"] = "hi"
            greetings.init_app(app)
            return app
        """,
    "blog/extensions.py": """\
        class Greetings:
            def init_app(self, app):
                app.extensions["greetings"] = self


        greetings = Greetings()
        """,
    "blog/hello.py": """\
        from flask import current_app


        def greet(name: str) -> str:
            return f"{current_app.config['GREETING']} {name} ({len(current_app.extensions)} extension)"
        """,
}
FLASK_PLAN = """\
version: 1
source: blog
framework:
  flask_app: "blog:create_app"
services:
  hello:
    modules: [blog.hello]
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def extracted(tmp_path: Path, files: dict[str, str], plan: str, name: str) -> tuple[Path, str]:
    """Analyse and extract the app written from `files`, then take the app away: what is left
    of it is only what the packages carry."""
    source = write(tmp_path / name, files)
    (tmp_path / "boundaries.yaml").write_text(plan, encoding="utf-8")
    run("analyze", str(source), "--out", str(tmp_path / "analysis"), "--no-cache")
    output = run("extract", "--plan", str(tmp_path / "boundaries.yaml"), "--graph",
                 str(tmp_path / "analysis" / "graph.json"), "--out", str(tmp_path / "generated"))
    shutil.rmtree(source)
    return tmp_path / "generated", output


def answer(package: Path, event: dict[str, object], env: dict[str, str] | None = None) -> dict[str, object]:
    """The handler's answer in a fresh interpreter with only the package's src/ on its path."""
    script = ("import json, sys\nimport handler\n"
              "print(json.dumps(handler.handler(json.loads(sys.argv[1]), None)))\n")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "DJANGO", "AWS_"))}
    environ.update({"PYTHONPATH": "src", "POWERTOOLS_LOG_LEVEL": "ERROR", **(env or {})})
    done = subprocess.run([sys.executable, "-B", "-c", script, json.dumps(event)], cwd=package, env=environ,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def sample(package: Path, operation: str) -> dict[str, object]:
    return json.loads((package / "events" / f"{operation}.json").read_text())  # type: ignore[no-any-return]


def test_a_django_package_boots_django_from_its_own_src(tmp_path: Path) -> None:
    pytest.importorskip("django")
    generated, output = extracted(tmp_path, DJANGO, DJANGO_PLAN, "site")
    package = generated / "notes"
    src = {p.relative_to(package / "src").as_posix() for p in (package / "src").rglob("*.py")}
    assert {"proj/settings.py", "proj/base.py", "notes/apps.py", "notes/models.py"} <= src
    assert "notes/reports.py" not in src  # only an unreached helper imports it
    assert "proj/urls.py" not in src and "manage.py" not in src

    template = load_yaml((package / "template.yaml").read_text())
    variables = template["Resources"]["NotesFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["DJANGO_SETTINGS_MODULE"] == "proj.settings"
    assert variables["NOTES_PREFIX"] == "ab"
    assert "NOTES_SECRET" not in variables  # resolved at cold start, never written into the template
    assert not lint_problems((package / "template.yaml").read_text())
    translate((package / "template.yaml").read_text())
    handler = (package / "src" / "handler.py").read_text()
    assert "boot(BOOT)" in handler and "ssm:/site/notes-secret" in handler

    event = {**sample(package, "notes.services.title_length"), "arguments": {"title": "abc"}}
    assert answer(package, event, {"NOTES_PREFIX": "ab", "NOTES_SECRET": "set-locally"}) == {"result": 5}

    manifest = json.loads((generated / "manifest.json").read_text())
    size = manifest["services"]["notes"]["size"]
    files = [p for p in (package / "src").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert 0 < size["zipped"] < size["unzipped"] == sum(p.stat().st_size for p in files)
    assert size["files"] == len(files)
    assert manifest["services"]["notes"]["boot"] == {"django_settings": "proj.settings"}
    assert "package notes:" in output and "zipped" in output


def test_a_secret_that_cannot_be_read_fails_the_cold_start_naming_it(tmp_path: Path) -> None:
    pytest.importorskip("django")
    generated, _ = extracted(tmp_path, DJANGO, DJANGO_PLAN, "site")
    script = "import handler\n"
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "DJANGO", "AWS_"))}
    environ.update({"PYTHONPATH": "src", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x",
                    "AWS_SECRET_ACCESS_KEY": "x", "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
                    "AWS_MAX_ATTEMPTS": "1"})
    done = subprocess.run([sys.executable, "-c", script], cwd=generated / "notes", env=environ,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "ssm:/site/notes-secret" in done.stderr and "NOTES_SECRET" in done.stderr


def test_serve_gives_a_worker_the_templates_framework_and_plan_variables(tmp_path: Path) -> None:
    pytest.importorskip("django")
    generated, _ = extracted(tmp_path, DJANGO, DJANGO_PLAN, "site")
    package = generated / "notes"
    [spec] = functions_in_template(load_yaml((package / "template.yaml").read_text()), package)
    environment = worker_environment(spec, {"NOTES_PREFIX": "from the shell"})
    assert environment["DJANGO_SETTINGS_MODULE"] == "proj.settings"
    assert environment["NOTES_PREFIX"] == "from the shell"  # as with `sam local`, the shell wins
    assert worker_environment(spec, {})["NOTES_PREFIX"] == "ab"


def test_a_flask_package_runs_its_operations_in_the_apps_context(tmp_path: Path) -> None:
    generated, _ = extracted(tmp_path, FLASK, FLASK_PLAN, "blog")
    package = generated / "hello"
    src = {p.relative_to(package / "src").as_posix() for p in (package / "src").rglob("*.py")}
    assert {"blog/__init__.py", "blog/extensions.py", "blog/hello.py"} <= src
    variables = load_yaml((package / "template.yaml").read_text())["Resources"]["HelloFunction"]["Properties"][
        "Environment"]["Variables"]
    assert variables["FLASK_APP"] == "blog:create_app"
    event = {**sample(package, "blog.hello.greet"), "arguments": {"name": "ann"}}
    assert answer(package, event) == {"result": "hi ann (1 extension)"}


def graph_of(modules: dict[str, list[tuple[str, int]]], code: dict[str, tuple[int, int]],
             calls: list[tuple[str, str]] = ()) -> CodeGraph:  # type: ignore[assignment]
    """modules: name -> [(imported module, line)]; code: function -> (line, end_line)."""
    graph = CodeGraph()
    for module in modules:
        graph.add_symbol(module, "module", module=module, file=module.replace(".", "/") + ".py", line=1)
    for function, (line, end) in code.items():
        graph.add_symbol(function, "function", module=function.rpartition(".")[0], line=line, end_line=end,
                         file="x.py", params=[])
    for module, imports in modules.items():
        for target, line in imports:
            graph.add_dependency(module, target, "imports", lines=[line])
    for source, target in calls:
        graph.add_dependency(source, target, "calls")
    return graph


def test_only_modules_an_operation_can_reach_are_copied() -> None:
    graph = graph_of(
        {"app": [], "app.api": [("app.util", 1), ("app.report", 12), ("app.late", 22)], "app.util": [("app.deep", 1)],
         "app.deep": [], "app.report": [("app.heavy", 1)], "app.heavy": [], "app.late": [], "app.other": []},
        {"app.api.get": (3, 9), "app.api._export": (10, 14), "app.api._helper": (20, 24)},
        calls=[("app.api.get", "app.api._helper")])
    plan = parse_plan("version: 1\nsource: app\nservices:\n  api:\n    modules: [app.api]\n").plan
    [service] = build_extraction(graph, plan, framework=Framework()).services
    # util (top-level import) and what it imports at its top level; late (imported inside a helper
    # that get calls); never report or heavy (only _export, which nothing calls, imports them)
    assert service.copied == ("app", "app.deep", "app.late", "app.util")


def test_a_flask_app_the_plan_does_not_name_is_not_booted_but_noted(tmp_path: Path) -> None:
    plan = FLASK_PLAN.replace('framework:\n  flask_app: "blog:create_app"\n', "")
    generated, output = extracted(tmp_path, FLASK, plan, "blog")
    assert "note: package hello imports Flask but boots no app (found: blog.create_app)" in " ".join(output.split())
    assert "boot(" not in (generated / "hello" / "src" / "handler.py").read_text()
    variables = load_yaml((generated / "hello" / "template.yaml").read_text())["Resources"]["HelloFunction"][
        "Properties"].get("Environment", {}).get("Variables", {})
    assert "FLASK_APP" not in variables
