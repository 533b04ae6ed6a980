"""A package's requirements.txt: pins from the app's lock (uv, poetry, Pipfile, requirements),
else from the environment, with the extras the app declares; and what stays unpinned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor import requirements as reqs
from extractor.requirements import Requirements, Versions

REPO = Path(__file__).parents[2]

UV_LOCK = """\
version = 1
requires-python = ">=3.12"

[[package]]
name = "django"
version = "6.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "myapp"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "from-git"
version = "1.0"
source = { git = "https://example.com/from-git.git?rev=abc" }

[[package]]
name = "Argon2_CFFI"
version = "25.1.0"
source = { registry = "https://pypi.org/simple" }
"""

POETRY_LOCK = """\
[[package]]
name = "django"
version = "5.2.1"
optional = false

[[package]]
name = "internal-lib"
version = "2.0"

[package.source]
type = "legacy"
url = "https://pypi.example.com/simple"
reference = "internal"

[[package]]
name = "local-thing"
version = "0.0.1"

[package.source]
type = "directory"
url = "../local-thing"

[metadata]
lock-version = "2.0"
"""

PIPFILE_LOCK = json.dumps({
    "_meta": {"hash": {"sha256": "x"}},
    "default": {"django": {"version": "==4.2.20", "extras": ["argon2"]},
                "editable-thing": {"editable": True, "path": "."}},
    "develop": {"django": {"version": "==9.9"}, "pytest": {"version": "==8.4.0"}},
})


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# --- each lock format ----------------------------------------------------------------------------------


def test_uv_lock_pins_what_an_index_serves() -> None:
    assert reqs.toml_lock_versions(UV_LOCK) == {"django": "6.1", "argon2-cffi": "25.1.0"}


def test_poetry_lock_pins_what_an_index_serves() -> None:
    assert reqs.toml_lock_versions(POETRY_LOCK) == {"django": "5.2.1", "internal-lib": "2.0"}


def test_a_broken_toml_lock_pins_nothing() -> None:
    assert reqs.toml_lock_versions("[[package]\nname =") == {}


def test_pipfile_lock_default_before_develop() -> None:
    assert reqs.pipfile_lock_versions(PIPFILE_LOCK) == {"django": "4.2.20", "pytest": "8.4.0"}
    assert reqs.pipfile_lock_extras(PIPFILE_LOCK) == {"django": ("argon2",)}
    assert reqs.pipfile_lock_versions("not json") == {}


def test_requirement_lines_pin_only_exact_versions() -> None:
    text = """\
# comment
Flask==3.1.3
Django[argon2]==6.1 ; python_version >= "3.12"
SQLAlchemy>=2.0,<2.2
requests==2.*
PyYAML == 6.0.2 \\
    --hash=sha256:abc
attrs==25.3.0 --hash=sha256:def
-r base.txt
-e .
pkg @ https://example.com/pkg.whl
flask==0.1
"""
    assert reqs.requirement_versions(text) == {"flask": "3.1.3", "django": "6.1", "pyyaml": "6.0.2",
                                               "attrs": "25.3.0"}
    assert reqs.requirement_extras(text) == {"django": ("argon2",)}


# --- where the lock is looked for, and which wins ---------------------------------------------------------


@pytest.mark.parametrize(("present", "chosen"), [
    (("uv.lock", "poetry.lock", "Pipfile.lock", "requirements.lock"), "uv.lock"),
    (("poetry.lock", "Pipfile.lock", "requirements.lock"), "poetry.lock"),
    (("Pipfile.lock", "requirements.lock"), "Pipfile.lock"),
    (("requirements.lock", "requirements.txt"), "requirements.lock"),
])
def test_lock_formats_in_order_of_trust(tmp_path: Path, present: tuple[str, ...], chosen: str) -> None:
    texts = {"uv.lock": UV_LOCK, "poetry.lock": POETRY_LOCK, "Pipfile.lock": PIPFILE_LOCK,
             "requirements.lock": "django==3.2\n", "requirements.txt": "django==1.0\n"}
    write(tmp_path, {name: texts[name] for name in present})
    found = reqs.folder_lock(tmp_path)
    assert found is not None and found[0] == tmp_path / chosen
    assert {label for _, label in found[1].values()} == {chosen}


def test_requirement_files_count_only_when_they_pin(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "Flask>=3\n"})
    assert reqs.folder_lock(tmp_path) is None
    write(tmp_path, {"requirements-prod.txt": "flask==3.1.0\n", "requirements-dev.txt": "pytest==8.4.0\n"})
    found = reqs.folder_lock(tmp_path)
    assert found is not None and found[0] == tmp_path / "requirements-dev.txt"
    assert found[1] == {"pytest": ("8.4.0", "requirements-dev.txt"), "flask": ("3.1.0", "requirements-prod.txt")}


def test_the_search_goes_up_to_the_repository_root_and_no_further(tmp_path: Path) -> None:
    repo = write(tmp_path / "repo", {"pyproject.toml": "[project]\nname = 'app'\n", "uv.lock": UV_LOCK})
    write(tmp_path, {"poetry.lock": POETRY_LOCK})  # above the repository: not the app's
    source = repo / "src" / "app"
    source.mkdir(parents=True)
    assert reqs.search_folders(source) == [source.resolve(), (repo / "src").resolve(), repo.resolve()]
    found = reqs.app_versions(source)
    assert found.lock == "../../uv.lock" and found.locked["django"] == ("6.1", "uv.lock")


def test_the_nearest_lock_wins(tmp_path: Path) -> None:
    repo = write(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", "uv.lock": UV_LOCK})
    source = write(repo / "app", {"requirements.lock": "django==3.2\n"})
    found = reqs.app_versions(source)
    assert found.lock == "requirements.lock" and found.locked["django"] == ("3.2", "requirements.lock")


def test_without_a_repository_root_only_the_source_root_is_searched(tmp_path: Path) -> None:
    write(tmp_path, {"uv.lock": UV_LOCK})
    source = tmp_path / "app"
    source.mkdir()
    if any((p / m).exists() for p in tmp_path.resolve().parents for m in reqs.REPOSITORY_MARKERS):
        pytest.skip("the temporary folder lies inside a repository")
    assert reqs.search_folders(source) == [source.resolve()]
    assert reqs.app_versions(source).lock is None


def test_the_example_shop_pins_from_its_requirements_lock() -> None:
    found = reqs.app_versions(REPO / "examples" / "shop")
    assert found.lock == "requirements.lock"
    assert found.locked["flask"] == ("3.1.3", "requirements.lock")


# --- extras ----------------------------------------------------------------------------------------------


def test_extras_from_pyproject_dependencies_groups_and_poetry() -> None:
    text = """\
[project]
name = "app"
dependencies = ["Django[argon2]>=5", "celery[redis, sqs]~=5.4", "requests"]

[project.optional-dependencies]
cache = ["django[bcrypt]"]

[dependency-groups]
dev = ["pytest", {include-group = "other"}]

[tool.poetry.dependencies]
python = "^3.12"
uvicorn = {version = "^0.30", extras = ["standard"]}

[tool.poetry.group.test.dependencies]
httpx = {version = "*", extras = ["http2"]}
"""
    assert reqs.pyproject_extras(text) == {"django": ("argon2", "bcrypt"), "celery": ("redis", "sqs"),
                                           "uvicorn": ("standard",), "httpx": ("http2",)}


def test_extras_from_a_pipfile() -> None:
    text = '[packages]\ndjango = {version = ">=5", extras = ["argon2"]}\nflask = "*"\n\n' \
           '[dev-packages]\nPytest_Cov = {extras = ["toml"]}\n'
    assert reqs.pipfile_extras(text) == {"django": ("argon2",), "pytest-cov": ("toml",)}


def test_extras_are_merged_from_every_declaration(tmp_path: Path) -> None:
    repo = write(tmp_path, {"pyproject.toml": '[project]\nname = "app"\ndependencies = ["Django[argon2]>=5"]\n',
                            "uv.lock": UV_LOCK})
    source = write(repo / "app", {"requirements.txt": "django[bcrypt]>=5\n"})
    assert reqs.app_versions(source).extras["django"] == ("argon2", "bcrypt")


# --- resolving a package's requirements -------------------------------------------------------------------

PROVIDERS = {"django": ["Django"], "yaml": ["PyYAML"], "boto3": ["boto3"], "mystery_pkg": ["mystery-pkg"],
             "pydantic": ["pydantic"]}


def versions(locked: dict[str, str], installed: dict[str, str], extras: dict[str, tuple[str, ...]] | None = None,
             lock: str | None = "uv.lock") -> Versions:
    return Versions({k: (v, "uv.lock") for k, v in locked.items()}, installed, extras or {}, lock)


def test_the_pin_keeps_the_declared_extras_and_the_lock_beats_the_environment() -> None:
    found = reqs.resolve(["django", "yaml", "boto3"], PROVIDERS, versions(
        {"django": "6.1", "pyyaml": "6.0.2"}, {"django": "5.0", "pyyaml": "1.0", "pydantic": "2.13.5",
                                               "aws-lambda-powertools": "3.37.0"},
        {"django": ("argon2",)}))
    assert found.pins == ("aws-lambda-powertools==3.37.0", "Django[argon2]==6.1", "pydantic==2.13.5",
                          "PyYAML==6.0.2")
    assert dict(found.sources) == {"aws-lambda-powertools": "environment", "Django": "uv.lock",
                                   "pydantic": "environment", "PyYAML": "uv.lock"}
    assert found.unpinned == () and found.unknown == ()


def test_what_neither_the_lock_nor_the_environment_versions_stays_unpinned_and_is_reported() -> None:
    found = reqs.resolve(["mystery_pkg", "nowhere"], PROVIDERS, versions({"pydantic": "2.13.5"}, {}))
    assert found.pins == ("aws-lambda-powertools", "mystery-pkg", "pydantic==2.13.5")
    assert found.unpinned == ("aws-lambda-powertools", "mystery-pkg") and found.unknown == ("nowhere",)
    lines = reqs.describe(versions({}, {}), {"tax": found})
    assert lines[0] == ("requirements: versions from the app's lock uv.lock; otherwise from the environment "
                        "extract runs in")
    assert lines[-1] == ("warning: tax: requirements left unpinned (no version in the lock or the environment): "
                         "aws-lambda-powertools, mystery-pkg")
    assert reqs.manifest_entry(found) == {"pinned_from": {"pydantic": "uv.lock"},
                                          "unpinned": ["aws-lambda-powertools", "mystery-pkg"]}


def test_extract_says_which_pins_the_lock_did_not_give() -> None:
    found = Requirements(("Django==6.1", "pydantic==2.0"), (), (("Django", "uv.lock"), ("pydantic", "environment")))
    assert reqs.describe(versions({}, {}), {"tax": found})[1:] == [
        "requirements: tax: not in the lock, pinned from the environment: pydantic"]
    assert "no lock found" in reqs.describe(versions({}, {}, lock=None), {"tax": found})[0]
    assert reqs.describe(versions({}, {}, lock=None), {"tax": found})[1:] == []  # all from the environment: said once


def test_an_app_pin_older_than_the_runtime_needs_gives_way_to_ours_and_is_reported() -> None:
    """CTFd pins pydantic 1.6.2; the package's runtime needs pydantic 2."""
    pinned = Versions({"pydantic": ("1.6.2", "requirements.txt")}, {"aws-lambda-powertools": "3.37.0"}, {},
                      "requirements.txt",
                      {"pydantic": "2.13.4", "aws-lambda-powertools": "3.37.0"})
    found = reqs.resolve([], PROVIDERS, pinned)
    assert found.pins == ("aws-lambda-powertools==3.37.0", "pydantic==2.13.4")
    assert dict(found.sources)["pydantic"] == reqs.RUNTIME
    assert any("older pydantic" in line for line in reqs.describe(pinned, {"svc": found}))
    fine = Versions({"pydantic": ("2.12.0", "uv.lock")}, {}, {}, "uv.lock", {"pydantic": "2.13.4"})
    assert "pydantic==2.12.0" in reqs.resolve([], PROVIDERS, fine).pins  # new enough: the app's own
