"""Contracts are built in the app's own context: Django settings and `django.setup()` before
its modules are imported, a Flask app when the plan names one, hints imported under
`if TYPE_CHECKING:`, a relative source, and the app's own interpreter (`--python`)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analyzer.boundaries.plan import parse_plan
from analyzer.boundaries.plan.model import Invocation
from analyzer.errors import InputError
from analyzer.graph import CodeGraph
from analyzer.pipeline import AnalyzeOptions, analysed_source, analyze
from extractor.contracts import contract_document, describe_operations
from extractor.framework import Framework, framework_of, settings_named_in
from extractor.model import OperationSpec


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def operation(module: str, function: str) -> OperationSpec:
    return OperationSpec(name=f"{module}.{function}", module=module, function=function, location=f"{module}.py:1",
                         invocation=Invocation("sync"), signature="()")


DJANGO_PROJECT = {
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
        SECRET_KEY = "test"
        INSTALLED_APPS = ["django.contrib.contenttypes", "notes"]
        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
        USE_TZ = True
        """,
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
        from notes.models import Note


        def title_length(title: str) -> int:
            return len(Note(title=title).title)
        """,
}


def test_django_settings_come_from_the_apps_own_entry_point(tmp_path: Path) -> None:
    root = write(tmp_path, DJANGO_PROJECT)
    assert settings_named_in(root / "manage.py") == ["proj.settings"]
    graph = CodeGraph()
    graph.meta = {"frameworks": {"django": {"entry_points": ["manage.py"], "settings": ["proj.settings", "other"]}}}
    assert framework_of(graph, {}, root) == Framework(django_settings="proj.settings")
    assert framework_of(graph, {"django_settings": "mine"}, root).django_settings == "mine"


def test_two_settings_and_no_entry_point_ask_for_the_plan_key(tmp_path: Path) -> None:
    graph = CodeGraph()
    graph.meta = {"frameworks": {"django": {"settings": ["proj.settings.dev", "proj.settings.prod"]}}}
    with pytest.raises(InputError, match="cannot tell which Django settings") as error:
        framework_of(graph, {}, tmp_path)
    assert "framework: {django_settings:" in error.value.hint


def test_a_flask_app_found_by_the_analysis_is_booted_only_when_the_plan_names_it() -> None:
    graph = CodeGraph()
    graph.meta = {"frameworks": {"flask": {"apps": ["blog.create_app", "admin.create_app"]}}}
    assert framework_of(graph, {}, Path(".")) == Framework()  # two apps found: no guess, no error
    assert framework_of(graph, {"flask_app": "blog:create_app"}, Path(".")).flask_app == "blog:create_app"


def test_a_django_apps_contracts_are_built_after_django_setup(tmp_path: Path) -> None:
    pytest.importorskip("django")
    root = write(tmp_path, DJANGO_PROJECT)
    op = operation("notes.services", "title_length")
    without = describe_operations(root, [op])
    assert "error" in without[op.name]  # the models cannot be imported before setup
    described = describe_operations(root, [op], framework={"django_settings": "proj.settings"})
    assert described[op.name]["request"]["properties"]["title"]["type"] == "string"
    assert described[op.name].get("django_atomic") is True, "Django is booted: it would run in its own atomic()"
    assert contract_document("notes", op, described[op.name], boots_django=True)["transaction"] == "own"
    assert "transaction" not in contract_document("notes", op, described[op.name], boots_django=False), \
        "a package that does not boot Django runs it in autocommit"


def test_a_framework_that_will_not_start_is_an_input_error_naming_the_plan_key(tmp_path: Path) -> None:
    pytest.importorskip("django")
    root = write(tmp_path, DJANGO_PROJECT)
    with pytest.raises(InputError, match="could not start the monolith's framework") as error:
        describe_operations(root, [operation("notes.services", "title_length")],
                            framework={"django_settings": "proj.missing"})
    assert "framework:" in error.value.hint


def test_a_flask_app_named_in_the_plan_gives_operations_an_application_context(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "blog/__init__.py": """\
            from flask import Flask


            def create_app():
                app = Flask("blog")
                app.config["GREETING"] = "hi"
                return app
            """,
        "blog/hello.py": """\
            from flask import current_app

            GREETING = current_app.config["GREETING"]  # needs an application context at import


            def greet(name: str) -> str:
                return f"{GREETING} {name}"
            """,
    })
    op = operation("blog.hello", "greet")
    assert "error" in describe_operations(root, [op])[op.name]
    assert "request" in describe_operations(root, [op], framework={"flask_app": "blog:create_app"})[op.name]


def test_hints_imported_under_type_checking_resolve(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "shop/__init__.py": "",
        "shop/types.py": """\
            from dataclasses import dataclass


            @dataclass
            class Money:
                cents: int
            """,
        "shop/pricing.py": """\
            from __future__ import annotations

            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from .types import Money


            def double(amount: Money) -> Money:
                return amount
            """,
    })
    described = describe_operations(root, [operation("shop.pricing", "double")])
    assert "request" in described["shop.pricing.double"], described


def test_a_relative_source_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "app", {"calc.py": "def add(a: int, b: int) -> int:\n    return a + b\n"})
    monkeypatch.chdir(tmp_path)
    assert "request" in describe_operations(Path("app"), [operation("calc", "add")])["calc.add"]


def test_python_without_pydantic_says_what_is_supported(tmp_path: Path) -> None:
    write(tmp_path / "src", {"calc.py": "def add(a: int, b: int) -> int:\n    return a + b\n"})
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True)
    with pytest.raises(InputError, match="cannot build contracts") as error:
        describe_operations(tmp_path / "src", [operation("calc", "add")], python=str(tmp_path / "bare/bin/python"))
    assert "3.10 or newer" in error.value.hint


def test_the_plan_keeps_a_framework_key() -> None:
    doc = parse_plan("version: 1\nsource: hc\nframework:\n  django_settings: hc.settings\nservices: {}\n")
    assert dict(doc.plan.framework) == {"django_settings": "hc.settings"}


def test_extract_finds_the_source_the_analysis_read_and_only_a_sealed_one(tmp_path: Path) -> None:
    app = write(tmp_path / "app", {"calc.py": "def add(a: int, b: int) -> int:\n    return a + b\n"})
    graph = analyze(app, tmp_path / "out", AnalyzeOptions(jobs=1)).graph_path
    assert analysed_source(graph) == app.resolve()
    summary = graph.parent / "summary.json"
    document = json.loads(summary.read_text(encoding="utf-8"))
    summary.write_text(json.dumps({**document, "source": "../elsewhere"}), encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    assert analysed_source(graph) is None  # a summary this user's analyze did not seal is not believed
