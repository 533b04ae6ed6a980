"""`extract` imports the monolith's modules to read their types: it says so, and that import
runs in a child without AWS credentials and with a timeout that stops all it started."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.boundaries.plan.model import Invocation
from analyzer.errors import InputError
from extractor.contracts import describe_operations
from extractor.model import OperationSpec
from mono2lambda.cli import cli

SECRETS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
           "AWS_PROFILE": "prod", "AWS_SHARED_CREDENTIALS_FILE": "/home/me/.aws/credentials",
           "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1"}


def operation(module: str) -> OperationSpec:
    return OperationSpec(name=f"{module}.op", module=module, function="op", location=f"{module}.py:1",
                         invocation=Invocation("sync"), signature="(x: int) -> int")


def test_import_time_code_runs_without_aws_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    seen = tmp_path / "seen.json"
    (tmp_path / "spy.py").write_text(
        "import json, os\n"
        f"json.dump(sorted(n for n in os.environ if n.startswith('AWS_')), open({str(seen)!r}, 'w'))\n\n\n"
        "def op(x: int) -> int:\n    return x\n")
    described = describe_operations(tmp_path, [operation("spy")])
    assert "request" in described["spy.op"]
    assert json.loads(seen.read_text()) == ["AWS_DEFAULT_REGION", "AWS_REGION"]


def test_import_time_code_that_hangs_is_stopped_with_all_it_started(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    (tmp_path / "hang.py").write_text(
        "import subprocess, time\n"
        f"open({str(pidfile)!r}, 'w').write(str(subprocess.Popen(['sleep', '300']).pid))\n"
        "time.sleep(300)\n\n\ndef op(x: int) -> int:\n    return x\n")
    started = time.monotonic()
    with pytest.raises(InputError, match="did not finish within 2 seconds") as error:
        describe_operations(tmp_path, [operation("hang")], import_timeout=2)
    assert time.monotonic() - started < 20 and "--import-timeout" in str(error.value)
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"the child's child {pid} survived the timeout")


def test_the_help_says_extract_imports_the_apps_modules() -> None:
    result = CliRunner().invoke(cli, ["extract", "--help"])
    text = " ".join(result.output.split())
    assert "IMPORTS THE MONOLITH'S MODULES" in text and "import-time code" in text
    assert "--import-timeout" in text and "AWS credentials" in text


def test_a_symbolic_link_out_of_the_source_tree_is_never_copied(tmp_path: Path) -> None:
    from extractor.tree import read_tree

    secret = tmp_path / "credentials"
    secret.write_text("aws_secret_access_key = hunter2\n")
    source = tmp_path / "app"
    (source / "pkg").mkdir(parents=True)
    (source / "pkg" / "mod.py").write_text("X = 1\n")
    (source / "pkg" / "creds.py").symlink_to(secret)
    (source / "pkg" / "alias.py").symlink_to(source / "pkg" / "mod.py")  # inside the tree: kept
    skipped: list[str] = []
    files = read_tree(source, skipped=skipped)
    assert sorted(files) == ["pkg/alias.py", "pkg/mod.py"]
    assert skipped == ["pkg/creds.py: a symbolic link out of the source tree; left out"]
