"""`analyze` after a change re-resolves only the modules the change can reach (analyzer/reuse.py),
and the graph it writes is byte for byte the one a run without the cache writes."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer.data import DataModel
from analyzer.pipeline import GRAPH_FILE, AnalysisResult, AnalyzeOptions, analyze

from .spies import counted, spy

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"

# A small program with the shapes a change can travel through: re-exports in a package's
# __init__, a star import, a class hierarchy across files, callbacks bound to another module's
# parameters, a registry other modules fill, module state written from elsewhere, a decorator.
TREE = {
    "app/__init__.py": "from app.helpers import compute, Helper\n",
    "app/helpers.py": (
        "from app.base import Base\n\n\n"
        "def compute(x):\n    return x + 1\n\n\n"
        "def unused():\n    return 0\n\n\n"
        "class Helper(Base):\n    def run(self):\n        return self.step()\n"
    ),
    "app/base.py": (
        "class Base:\n    def step(self):\n        return 1\n\n    def run(self):\n        return self.step()\n\n\n"
        "class Other:\n    def step(self):\n        return 2\n\n    def extra(self):\n        return 3\n"
    ),
    "app/shapes.py": (
        "from app.base import Base\n\n\n"
        "class Square(Base):\n    def step(self):\n        return 4\n"
    ),
    "app/star.py": "from app.names import *\n\n\ndef use():\n    return named()\n\n\ndef use_later():\n"
                   "    return pending()\n",
    "app/names.py": "def named():\n    return 1\n",
    "app/events.py": (
        "HANDLERS = {}\n\n\n"
        "def register(name, fn):\n    HANDLERS[name] = fn\n\n\n"
        "def publish(name):\n    return HANDLERS[name]()\n\n\n"
        "def call_later(fn):\n    return fn()\n"
    ),
    "app/orders.py": (
        "from app import compute, Helper\n"
        "from app.events import register, call_later\n"
        "from app.state import COUNTS\n"
        "from app.decorators import logged\n\n\n"
        "def on_paid():\n    return compute(2)\n\n\n"
        "register('paid', on_paid)\n\n\n"
        "@logged\n"
        "def place():\n    COUNTS.append(1)\n    call_later(on_paid)\n    return Helper().run()\n"
    ),
    "app/state.py": "COUNTS = []\n",
    "app/decorators.py": (
        "def logged(fn):\n    def inner(*args):\n        return fn(*args)\n    return inner\n"
    ),
    "app/levels.py": "class Meter:\n    level = 0\n\n\ndef bump():\n    Meter.level = 1\n",  # a rebound class attribute
    "app/report.py": (
        "from app.orders import place\nfrom app.extra import later\n\n\n"
        "def total():\n    return place() + later()\n"
    ),
}

Change = Callable[[Path], None]


def _edit(path: str, old: str, new: str) -> Change:
    def change(root: Path) -> None:
        file = root / path
        text = file.read_text()
        assert old in text, (path, old)
        file.write_text(text.replace(old, new, 1))
    return change


def _write(path: str, text: str) -> Change:
    def change(root: Path) -> None:
        (root / path).write_text(text)
    return change


def _append(path: str, text: str) -> Change:
    def change(root: Path) -> None:
        with (root / path).open("a") as file:
            file.write(text)
    return change


def _delete(path: str) -> Change:
    def change(root: Path) -> None:
        (root / path).unlink()
    return change


CHANGES: dict[str, Change] = {
    "body edit": _edit("app/helpers.py", "return x + 1", "return x + len(str(x))"),
    "appended function": _write("app/helpers.py", (TREE["app/helpers.py"] + "\n\ndef added(v=None):\n"
                                                    "    return (v, 1)\n")),
    "renamed function others call": _edit("app/helpers.py", "def compute(x)", "def calculate(x)"),
    "new import": _edit("app/names.py", "def named():\n    return 1\n",
                        "from app.base import Other\n\n\ndef named():\n    return Other().extra()\n"),
    "deleted file": _delete("app/names.py"),
    "new file": _write("app/extra.py", "from app.base import Other\n\n\ndef later():\n    return Other().step()\n"),
    "changed base class": _edit("app/helpers.py", "class Helper(Base)", "class Helper(Other)"),
    "changed base import": _edit("app/helpers.py", "from app.base import Base\n",
                                 "from app.base import Base, Other\n"),
    "new subclass": _edit("app/shapes.py", "class Square(Base)", "class Square(Base):\n    pass\n\n\n"
                          "class Circle(Base)"),
    "callback changed": _edit("app/orders.py", "call_later(on_paid)", "call_later(place)"),
    "registry filled elsewhere": _write("app/shapes.py", TREE["app/shapes.py"] + (
        "\n\nfrom app.events import register\n\n\ndef shaped():\n    return Square().step()\n\n\n"
        "register('shape', shaped)\n")),
    "star import source grows": _write("app/names.py", TREE["app/names.py"] + "\n\ndef named_too():\n"
                                       "    return 2\n"),
    "re-export changed": _edit("app/__init__.py", "from app.helpers import compute, Helper",
                               "from app.helpers import unused as compute, Helper"),
    "state written elsewhere": _write("app/state.py", "COUNTS = []\n\n\ndef reset():\n    COUNTS.clear()\n"),
    "decorator changed": _edit("app/decorators.py", "    return inner\n", "    return fn\n"),
    "file stops parsing": _write("app/base.py", "class Base(:\n"),
    "lines moved": _write("app/base.py", "# a comment\n\n\n" + TREE["app/base.py"]),
    "call added in a body": _edit("app/helpers.py", "        return self.step()", "        print(1)\n"
                                  "        return self.step()"),
    "parameter handed to a call": _edit("app/helpers.py", "    return x + 1", "    print(x)\n    return x + 1"),
    "receiver hands its parameter on": _edit("app/events.py", "def call_later(fn):\n",
                                             "def call_later(fn):\n    register('later', fn)\n"),
    # functions added that other code can see (additions.py): everything that read the file is found again
    "added function others already call": _write("app/names.py", TREE["app/names.py"] + (
        "\n\ndef pending():\n    return named()\n")),
    "added function handing on a function": _append("app/orders.py", "\n\ndef paid_later():\n"
                                                    "    return call_later(compute)\n"),
    "added function writing an item": _write("app/events.py", TREE["app/events.py"] + (
        "\n\ndef clear(name):\n    HANDLERS[name] = None\n")),
    "added module __getattr__": _write("app/names.py", TREE["app/names.py"] + (
        "\n\ndef __getattr__(name):\n    return named\n")),
    "added decorated function": _write("app/helpers.py", TREE["app/helpers.py"] + (
        "\n\n@staticmethod\ndef decorated():\n    return 1\n")),
}


def _make_tree(root: Path) -> Path:
    for path, text in TREE.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def _cold(root: Path, out: Path) -> bytes:
    analyze(root, out, AnalyzeOptions(use_cache=False, jobs=1))
    return (out / GRAPH_FILE).read_bytes()


def _incremental(root: Path, out: Path) -> AnalysisResult:
    return analyze(root, out, AnalyzeOptions(jobs=1))


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_changed_tree_gives_the_graph_of_a_run_without_cache(tmp_path: Path, name: str) -> None:
    root = _make_tree(tmp_path / "src")
    out = tmp_path / "out"
    first = _incremental(root, out)
    assert first.resolved is not None and first.resolved[0] == first.resolved[1]
    CHANGES[name](root)
    again = _incremental(root, out)
    assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / "cold")
    assert again.resolved is not None and again.resolved[0] < again.resolved[1]  # some were kept


def test_changes_one_after_another_keep_matching(tmp_path: Path) -> None:
    root = _make_tree(tmp_path / "src")
    out = tmp_path / "out"
    _incremental(root, out)
    for index, name in enumerate(sorted(CHANGES)):
        if name == "file stops parsing":
            continue
        try:
            CHANGES[name](root)
        except (AssertionError, FileNotFoundError):
            continue  # an earlier change already changed what this one edits
        _incremental(root, out)
        assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / f"cold-{index}"), name


def test_a_body_edit_in_a_leaf_resolves_that_module_alone(tmp_path: Path) -> None:
    root = _make_tree(tmp_path / "src")
    out = tmp_path / "out"
    _incremental(root, out)
    _edit("app/report.py", "return place() + later()", "return place() + later() + 1")(root)
    again = _incremental(root, out)
    assert again.resolved is not None and again.resolved[0] == 1
    assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / "cold")


@pytest.mark.parametrize("name", ["lines moved", "call added in a body", "appended function",
                                  "star import source grows"])
def test_an_edit_others_cannot_see_resolves_its_module_alone(tmp_path: Path, name: str) -> None:
    root = _make_tree(tmp_path / "src")
    out = tmp_path / "out"
    _incremental(root, out)
    CHANGES[name](root)
    again = _incremental(root, out)
    assert again.resolved is not None and again.resolved[0] == 1
    assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / "cold")


def test_nothing_is_kept_from_a_run_without_the_cache(tmp_path: Path) -> None:
    root = _make_tree(tmp_path / "src")
    result = analyze(root, tmp_path / "out", AnalyzeOptions(use_cache=False, jobs=1))
    assert result.resolved is not None and result.resolved[0] == result.resolved[1]
    assert not (tmp_path / "out" / "cache").exists()


def test_node_attributes_are_made_again_for_changed_files_only(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import analyzer.build as build

    root = _make_tree(tmp_path / "src")
    out = tmp_path / "out"
    _incremental(root, out)
    made = spy(monkeypatch, build, "_definition_attrs")  # (facts, definition) of each
    _edit("app/report.py", "return place() + later()", "return place() + later() + 1")(root)
    _incremental(root, out)
    assert made is None or {facts.path for facts, _ in made} == {"app/report.py"}
    assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / "cold")


def test_node_attributes_not_signed_by_this_user_are_made_again(tmp_path: Path) -> None:
    from analyzer.nodecache import NODES_FILE

    root = _make_tree(tmp_path / "src")
    out = tmp_path / "out"
    _incremental(root, out)
    kept = out / "cache" / NODES_FILE
    data = bytearray(kept.read_bytes())
    data[-8:] = b"tampered"
    kept.write_bytes(bytes(data))
    _edit("app/report.py", "return place() + later()", "return place() + later() + 1")(root)
    _incremental(root, out)
    assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / "cold")
    assert kept.read_bytes() != bytes(data)  # written again, signed



SIDE_EDITS: list[Change] = [
    _edit("app/report.py", "return place() + later()", "return place() + later() + 1"),
    _append("app/names.py", "\n\ndef added_one():\n    return 5\n"),
    _edit("app/report.py", "+ 1", "+ 2"),
    _edit("app/helpers.py", "return x + 1", "return x + 2"),
    _write("app/fresh.py", "from app.names import named\n\n\ndef fresh():\n    return named()\n"),
    _delete("app/levels.py"),
]


def _cache_files(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((out / "cache").iterdir())}


def test_successive_edits_kept_in_side_files_give_the_graph_of_a_run_without_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each edit's facts, node attributes and resolutions go to side files on top of the first
    run's bulk (blobstore.py), which accumulate: every file unchanged since is read back, never
    parsed, and the modules no edit reaches are not resolved again."""
    import analyzer.blobstore as blobstore
    from analyzer.collect import CACHE_FILE
    from analyzer.nodecache import NODES_FILE
    from analyzer.reuse import RESOLUTIONS_FILE

    monkeypatch.setattr(blobstore, "SIDE_SHARE", 1)  # this small tree's bulk is a few kB
    root = _make_tree(tmp_path / "src")
    out = tmp_path / "out"
    _incremental(root, out)
    bulks = {name: _cache_files(out)[name] for name in (CACHE_FILE, NODES_FILE, RESOLUTIONS_FILE)}
    for index, change in enumerate(SIDE_EDITS):
        change(root)
        again = _incremental(root, out)
        assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / f"cold-{index}"), index
        files = _cache_files(out)
        assert {name: files[name] for name in bulks} == bulks, index
        assert {CACHE_FILE + ".side", NODES_FILE + ".side", RESOLUTIONS_FILE + ".side"} <= files.keys(), index
        assert again.stats.parsed == (0 if change is SIDE_EDITS[-1] else 1), index
        assert again.resolved is not None and again.resolved[0] < again.resolved[1], index


def test_a_tampered_facts_side_file_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import analyzer.blobstore as blobstore
    from analyzer.collect import CACHE_FILE

    monkeypatch.setattr(blobstore, "SIDE_SHARE", 1)
    root = _make_tree(tmp_path / "src")
    out = tmp_path / "out"
    _incremental(root, out)
    SIDE_EDITS[0](root)
    _incremental(root, out)
    side = out / "cache" / (CACHE_FILE + ".side")
    data = bytearray(side.read_bytes())
    data[-8:] = b"tampered"
    side.write_bytes(bytes(data))
    SIDE_EDITS[3](root)
    again = _incremental(root, out)
    assert again.stats.parsed == 2  # the first edit's facts were only in the side file
    assert again.stats.cache_note is None
    assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / "cold")
    assert side.read_bytes() != bytes(data)  # written again, signed


@pytest.mark.parametrize("left", ["resolution.pickle", "resolutions.marshal.side"])
def test_kept_resolutions_from_two_runs_are_not_mixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      left: str) -> None:
    """Either file of the resolution cache put back from an earlier run (each signed by this
    user) no longer matches the other: nothing is kept, and the graph is still right."""
    import analyzer.blobstore as blobstore

    monkeypatch.setattr(blobstore, "SIDE_SHARE", 1)
    root = _make_tree(tmp_path / "src")
    out = tmp_path / "out"
    _incremental(root, out)
    _edit("app/report.py", "return place() + later()", "return place()")(root)  # its calls change
    _incremental(root, out)
    earlier = (out / "cache" / left).read_bytes()
    _edit("app/report.py", "return place()", "return later()")(root)
    _incremental(root, out)
    assert (out / "cache" / left).read_bytes() != earlier
    (out / "cache" / left).write_bytes(earlier)
    SIDE_EDITS[3](root)
    again = _incremental(root, out)
    assert again.resolved is not None and again.resolved[0] == again.resolved[1]
    assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / "cold")

SHOP_CHANGES: dict[str, Change] = {
    "body edit": _edit("shop/orders/checkout.py", "def place_order(", "def _added_helper():\n    return None\n\n\n"
                       "def place_order("),
    "new file": _write("shop/orders/extra.py", "from shop.orders.checkout import *  # noqa\n\n\n"
                       "def extra():\n    return place_order(None)\n"),
    "deleted file": _delete("shop/reporting/sales.py"),
    "renamed function others call": _edit("shop/orders/checkout.py", "def place_order(", "def place_order_now("),
}


@pytest.mark.parametrize("name", sorted(SHOP_CHANGES))
def test_the_shop_changed_gives_the_graph_of_a_run_without_cache(tmp_path: Path, name: str) -> None:
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root, ignore=shutil.ignore_patterns("__pycache__", ".mono2lambda", "*.db", "*.sqlite3"))
    out = tmp_path / "out"
    _incremental(root, out)
    SHOP_CHANGES[name](root)
    again = _incremental(root, out)
    assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / "cold")
    assert again.resolved is not None and again.resolved[0] < again.resolved[1]


def test_the_bindings_are_kept_when_no_edit_can_change_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import analyzer.resolve as resolve_module

    found = spy(monkeypatch, resolve_module, "collect_bindings")
    modelled = spy(monkeypatch, DataModel, "_related_managers")  # data models found (data.py), kept with the bindings
    root = _make_tree(tmp_path / "src")
    out = tmp_path / "out"
    _incremental(root, out)
    assert counted(found, 1) and counted(modelled, 1)
    CHANGES["call added in a body"](root)  # a call handed a literal binds nothing
    _incremental(root, out)
    assert counted(found, 1) and counted(modelled, 1)
    assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / "cold")
    CHANGES["appended function"](root)  # a function no other code names (additions.py)
    _incremental(root, out)
    assert counted(found, 2)  # the run without the cache above
    assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / "cold-1")
    CHANGES["callback changed"](root)  # a function handed to another: found again
    _incremental(root, out)
    assert counted(found, 4) and counted(modelled, 4)  # this run, and the run without the cache above
    assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / "cold-2")
    CHANGES["added function handing on a function"](root)  # may bind: found again
    _incremental(root, out)
    assert counted(found, 6)
    assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / "cold-3")
    CHANGES["receiver hands its parameter on"](root)  # `fn` holds `place`: the second round binds it
    _incremental(root, out)
    assert counted(found, 8)
    assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / "cold-4")
    CHANGES["parameter handed to a call"](root)  # no function is spelled `x`: evaluated by no round
    _incremental(root, out)
    assert counted(found, 9) and counted(modelled, 9)
    assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / "cold-5")


OUTLINE_KEPT = {"call added in a body": True, "lines moved": True, "parameter handed to a call": True,
                "appended function": True, "star import source grows": True, "changed base class": False,
                "new subclass": False, "added function others already call": False, "new file": False}


@pytest.mark.parametrize("name", sorted(OUTLINE_KEPT))
def test_the_outline_is_kept_when_every_file_reads_the_same(tmp_path: Path, name: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The callable names and subclasses (values.Program) are found again unless the same files are
    there and each edited one reads the same to other modules or only adds functions no other code
    can name; either way the graph is a cold run's."""
    from analyzer.values import Program

    found = spy(monkeypatch, Program, "_outline")
    root = _make_tree(tmp_path / "src")
    out = tmp_path / "out"
    _incremental(root, out)
    CHANGES[name](root)
    _incremental(root, out)
    assert counted(found, 1 if OUTLINE_KEPT[name] else 2)
    assert (out / GRAPH_FILE).read_bytes() == _cold(root, tmp_path / "cold")


# A Django project and a Flask blueprint: what framework detection (analyzer/frameworks/) reads.
FRAMEWORK_TREE = {
    "site/__init__.py": "",
    "site/settings.py": "INSTALLED_APPS = ['django.contrib.admin', 'blog']\nMIDDLEWARE = []\n",
    "site/urls.py": "from django.urls import path\nfrom blog import views\n\n"
                    "urlpatterns = [path('', views.index)]\n",
    "blog/__init__.py": "",
    "blog/apps.py": "from django.apps import AppConfig\n\n\nclass BlogConfig(AppConfig):\n    name = 'blog'\n",
    "blog/models.py": "from django.db import models\n\n\nclass Post(models.Model):\n"
                      "    title = models.CharField(max_length=10)\n\n\n"
                      "class Note:\n    pass\n",
    "blog/views.py": "from blog.models import Post\n\n\ndef index(request):\n    return Post.objects.all()\n\n\n"
                     "def helper(value):\n    return value\n",
    "blog/admin.py": "from django.contrib import admin\nfrom blog.models import Post\n\nadmin.site.register(Post)\n",
    "blog/tasks.py": "def cleanup():\n    return 1\n",
    "blog/signals.py": "from django.db.models.signals import post_save\n\n\ndef on_save(sender, **kwargs):\n"
                       "    return sender\n",
    "blog/management/__init__.py": "",
    "blog/management/commands/__init__.py": "",
    "blog/management/commands/tidy.py": "from django.core.management.base import BaseCommand\n\n\n"
                                        "class Command(BaseCommand):\n    def handle(self):\n        return 1\n",
    "web/__init__.py": "",
    "web/auth.py": "from flask import Blueprint, Flask\n\nbp = Blueprint('auth', __name__)\n\n\n"
                   "@bp.route('/login')\ndef login():\n    return 'ok'\n",
}

FRAMEWORK_CHANGES: dict[str, Change] = {
    "lines moved above an app config": _edit("blog/apps.py", "from django", "# apps\n\n\nfrom django"),
    "lines moved above a blueprint": _edit("web/auth.py", "from flask", "# auth\n\nfrom flask"),
    "admin class registered": _edit("blog/admin.py", "admin.site.register(Post)\n",
                                    "admin.site.register(Post)\n\nfrom blog.models import Note\n\n\n"
                                    "class NoteAdmin:\n    pass\n\n\nadmin.site.register(Note, NoteAdmin)\n"),
    "task decorator added": _write("blog/tasks.py", "from celery import shared_task\n\n\n@shared_task\n"
                                   "def cleanup():\n    return 1\n"),
    "base class changed": _edit("blog/models.py", "class Note:", "class Note(models.Model):"),
    "view added to the urlconf": _edit("site/urls.py", "[path('', views.index)]",
                                       "[path('', views.index), path('h/', views.helper)]"),
    "urlpatterns extended": _write("site/urls.py", FRAMEWORK_TREE["site/urls.py"]
                                   + "urlpatterns += [path('h/', views.helper)]\n"),
    "app installed": _edit("site/settings.py", "'blog']", "'blog', 'web']"),
    "signal connected": _write("blog/signals.py", FRAMEWORK_TREE["blog/signals.py"]
                               + "\n\npost_save.connect(on_save)\n"),
    "blueprint renamed": _edit("web/auth.py", "Blueprint('auth'", "Blueprint('login'"),
    "call added in a view": _edit("blog/views.py", "    return Post.objects.all()",
                                  "    print(1)\n    return Post.objects.all()"),
    # functions no other code names (analyzer/additions.py): detection is kept but where they have a role
    "helper added to a command": _append("blog/management/commands/tidy.py", "\n\ndef _tidy_helper():\n"
                                         "    def inner():\n        return 1\n    return inner\n"),
    "helper added to tasks": _append("blog/tasks.py", "\n\ndef _tidy_later():\n    return 2\n"),
    "view added to a views module": _append("blog/views.py", "\n\ndef page(request):\n    return 1\n"),
    "app factory added": _append("web/auth.py", "\n\ndef make_app():\n    return Flask(__name__)\n"),
}
KEPT_DETECTIONS = {"call added in a view", "helper added to a command", "helper added to tasks"}
SAME_ROLES = {"call added in a view", "helper added to tasks"}


def _detected(graph: bytes) -> tuple:
    """What detection put into a graph: the roles of its nodes, its frameworks and domains."""
    import json

    document = json.loads(graph)
    roles = {node["id"]: node["role"] for node in document["nodes"] if "role" in node}
    return roles, document["frameworks"], document["domains"]


@pytest.mark.parametrize("name", sorted(FRAMEWORK_CHANGES))
def test_a_framework_change_gives_the_graph_of_a_run_without_cache(tmp_path: Path, name: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import analyzer.frameworks as frameworks

    detections = spy(monkeypatch, frameworks, "detect")
    root = tmp_path / "src"
    for path, text in FRAMEWORK_TREE.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    out = tmp_path / "out"
    _incremental(root, out)
    before = (out / GRAPH_FILE).read_bytes()
    FRAMEWORK_CHANGES[name](root)
    _incremental(root, out)
    assert counted(detections, 1 if name in KEPT_DETECTIONS else 2)  # kept only when it reads the same
    after = (out / GRAPH_FILE).read_bytes()
    assert after == _cold(root, tmp_path / "cold")
    assert (_detected(after) != _detected(before)) == (name not in SAME_ROLES)  # the change matters


def test_a_kept_resolution_reads_back_equal(tmp_path: Path) -> None:
    """Resolutions are kept as marshal blobs of plain tuples, or as a forked resolver pickled them
    (reuse.py): either reads back equal to what was resolved, edge by edge, in the same order."""
    import dataclasses

    from analyzer.collect import collect_facts, read_sources
    from analyzer.resolve import FileResolution, pickled_resolution, resolve
    from analyzer.reuse import decoded_resolution, encoded_resolution
    from analyzer.sources import find_sources

    # encoded_resolution writes these fields in this order: a new field must be kept too
    assert [f.name for f in dataclasses.fields(FileResolution)] == [
        "edges", "unresolved", "call_sites", "externals", "read_candidates", "reads", "tables"]
    root = _make_tree(tmp_path / "src")
    files, _ = collect_facts(read_sources(find_sources(root).files), None)
    resolution = resolve(files, jobs=1)
    assert any(found.edges and found.unresolved for found in resolution.by_module.values())
    for module, found in resolution.by_module.items():
        for blob in (encoded_resolution(found), pickled_resolution(found)):
            again = decoded_resolution(blob)
            assert again == found, module
            assert list(again.edges) == list(found.edges), module
            assert all(type(info.lines) is tuple for info in again.edges.values())
            assert [type(call) for call in again.unresolved] == [type(call) for call in found.unresolved]
