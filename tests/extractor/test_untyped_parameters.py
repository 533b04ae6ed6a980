"""Untyped operation parameters, found before run time (analyzer/arguments.py).

The bundled asset tests/assets/ledger_site is a small Django app whose views call helpers
written without type hints. Its plan makes two services of them. `badges` is handed the
view's request, users, rows, bytes and an upload: extract refuses it, naming each call
(file:line) and what to change. `text` is handed literals: it extracts, and its sample events
carry what the views pass instead of null, so the package's own tests (each sample through
the handler) pass.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mono2lambda.cli import cli

ASSET = Path(__file__).parents[1] / "assets" / "ledger_site"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("ledger")
    shutil.copytree(ASSET, tmp / "ledger_site", ignore=shutil.ignore_patterns("__pycache__"))
    assert run("analyze", str(tmp / "ledger_site"), "--out", str(tmp / "analysis"), "--no-cache")[0] == 0
    return tmp


def extract(tmp: Path, service: str) -> tuple[int, str]:
    return run("extract", "--plan", str(tmp / "ledger_site" / "boundaries.yaml"), "--graph",
               str(tmp / "analysis" / "graph.json"), "--out", str(tmp / f"out-{service}"), "--service", service, "-v")


def test_what_the_views_hand_to_untyped_parameters_blocks_extraction(analyzed: Path) -> None:
    code, text = extract(analyzed, "badges")
    assert code == 1, text
    assert "wire-unsafe-argument: 8 errors" in text, text
    lines = [line.strip() for line in text.splitlines() if ": error: " in line]
    assert sorted(line.split(": error: ")[0] for line in lines) == [
        f"ledger/views.py:{n}" for n in (13, 14, 15, 16, 17, 18, 21, 22)]
    by_line = {int(line.split(":")[1]): line for line in lines}
    assert "passes a model instance (request.user, a django.contrib.auth.models.User) as argument 1 ('owner') " \
           "of ledger.badges.badge_for" in by_line[13]
    assert "annotate the parameter with the model class (`owner: User`" in by_line[13]
    assert "(owner, a django.contrib.auth.models.User)" in by_line[14]
    assert "annotate the parameter with the model class (`owner: Entry`" in by_line[15]
    assert "(entry, a ledger.models.Entry)" in by_line[16]
    assert "passes bytes (b'...')" in by_line[17] and "annotate the parameter `str`" in by_line[17]
    assert "passes bytes (request.GET[...].encode(...))" in by_line[18]
    assert "passes the web request (request) as argument 1 ('request') of ledger.badges.parse_rows" in by_line[21]
    assert "parse_rows reads `request.user` of it: pass that instead" in by_line[21]
    assert "passes an uploaded file (request.FILES[...])" in by_line[22]
    assert all("the parameter has no type hint, so nothing converts it" in line for line in lines)
    assert not (analyzed / "out-badges").exists()


def test_literals_the_views_pass_make_the_sample_events(analyzed: Path) -> None:
    code, text = extract(analyzed, "text")
    assert code == 0, text
    package = analyzed / "out-text" / "text"
    events = {p.name: json.loads(p.read_text()) for p in sorted((package / "events").glob("*.json"))}
    assert events["ledger.text.format_amount.json"]["arguments"] == {"amount": 12.5, "currency": "EUR", "places": 0}
    assert events["ledger.text.shout.json"]["arguments"] == {"times": 2, "words": "done"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=package,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "failed" not in done.stdout and "passed" in done.stdout, done.stdout
