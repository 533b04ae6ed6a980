"""The `local` transport behaves like a separate Lambda: the service runs in a Python of
its own, and nothing of the caller's process reaches it (module state, patches, Django
settings, app objects, the caller's source tree).

A tiny monolith and package are laid out on disk as extract lays them out; the caller is
a child process (it starts workers of its own), and each check is an assertion in it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

RUNTIME = Path(__file__).parents[2] / "extractor" / "runtime"

SERVICE_CODE = '''
from __future__ import annotations
import decimal, importlib, json, os, random, sys, time

STATE: list[str] = []


def remember(item: str) -> int:
    STATE.append(item)
    return len(STATE)


def look() -> dict[str, object]:
    from django.conf import settings
    try:
        importlib.import_module("monolith_only")
        monolith_only = True
    except ImportError:
        monolith_only = False
    return {
        "pid": os.getpid(),
        "division": str(decimal.Decimal(1) / decimal.Decimal(3)),
        "json_marked": hasattr(json, "MONOLITH_MARK"),
        "time": time.time(),
        "random": random.random(),
        "django_configured": settings.configured,
        "django_flag": getattr(settings, "SHOP_FLAG", None) if settings.configured else None,
        "toy_modules": sorted(name for name in sys.modules if name.startswith("toy")),
        "monolith_only": monolith_only,
        "path": sys.path,
    }


def slow(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def crash() -> None:
    os._exit(3)
'''

PROXY_CODE = '''
from __future__ import annotations
from m2l_runtime import client as _m2l_client

STATE: list[str] = []


def remember(item: str) -> int:
    return _m2l_client.call("calc", "toy.calc.remember", remember, {"item": item})


def look() -> dict[str, object]:
    return _m2l_client.call("calc", "toy.calc.look", look, {})


def slow(seconds: float) -> float:
    return _m2l_client.call("calc", "toy.calc.slow", slow, {"seconds": seconds})


def crash() -> None:
    return _m2l_client.call("calc", "toy.calc.crash", crash, {})
'''

HANDLER = '''
from m2l_runtime.service import Operation, Service
service = Service("calc", {name: Operation("toy.calc", name.rpartition(".")[2])
                           for name in ("toy.calc.remember", "toy.calc.look", "toy.calc.slow", "toy.calc.crash")})
def handler(event, context):
    return service.handle(event, context)
'''

CALLER = '''
import decimal, json, os, random, sys, time
from unittest import mock

import django
from django.conf import settings

from toy import calc, web
from m2l_runtime.client import CALLS
from m2l_runtime.errors import RemoteError

# the caller's process, as a monolith's test leaves it
settings.configure(SHOP_FLAG="monolith")
django.setup()
decimal.getcontext().prec = 4
json.MONOLITH_MARK = True
calc.STATE.append("monolith")

assert calc.remember("a") == 1 and calc.remember("b") == 2, "the service keeps its own module state"
assert calc.STATE == ["monolith"], "and the caller keeps its own"
with mock.patch("time.time", return_value=0.0), mock.patch("random.random", return_value=0.5):
    seen = calc.look()
assert seen["pid"] != os.getpid(), "the service runs in a process of its own"
assert len(seen["division"]) > 10, ("the caller's decimal context reached the service", seen["division"])
assert not seen["json_marked"], "an attribute the caller set on a module reached the service"
assert seen["time"] > 0 and seen["random"] != 0.5, "the caller's patches reached the service"
assert not seen["django_configured"] and seen["django_flag"] is None, "the caller's Django settings reached it"
assert seen["toy_modules"] == ["toy", "toy.calc"], seen["toy_modules"]
assert not seen["monolith_only"], "the service imported the caller's own module"
assert os.getcwd() not in seen["path"] and not [p for p in seen["path"] if p.startswith(os.getcwd())], seen["path"]
assert calc.look()["pid"] == seen["pid"], "one worker serves every call, as a warm environment"
os.environ["PYTEST_CURRENT_TEST"] = "tests/test_x.py::test_next (call)"
assert calc.look()["pid"] == seen["pid"], "the next test is no configuration update: the worker stays warm"
os.environ["TOY_SETTING"] = "changed"
assert calc.look()["pid"] != seen["pid"], "a changed variable is: a fresh worker"
seen = calc.look()

try:
    calc.slow(5)
except RemoteError as error:
    assert error.error_type == "Sandbox.Timedout", error
else:
    raise AssertionError("expected a timeout")
assert calc.remember("c") == 1, "a fresh worker replaced the one that timed out"
try:
    calc.crash()
except RemoteError as error:
    assert error.error_type == "Runtime.ExitError", error
else:
    raise AssertionError("expected the worker's exit")
last = calc.look()["pid"]
assert last != seen["pid"]
assert calc.look()["pid"] == last
os.environ["SHOP_MODE"] = "changed"  # a configuration update: Lambda starts new environments for it
previous, last = last, calc.look()["pid"]
assert last != previous and calc.remember("d") == 1, "a changed environment starts a fresh worker"
print(json.dumps({"pid": last, "calls": sorted(f"{op} {n}" for (svc, op), n in CALLS.items())}))
'''


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def _layout(root: Path, timeout: int = 2) -> tuple[Path, Path]:
    monolith, src = root / "monolith", root / "calc" / "src"
    for base, code in ((monolith, PROXY_CODE), (src, SERVICE_CODE)):
        _write(base / "toy" / "__init__.py", "")
        _write(base / "toy" / "calc.py", code)
        shutil.copytree(RUNTIME / "m2l_runtime", base / "m2l_runtime")
    _write(monolith / "toy" / "web.py", "APP = object()\n")
    _write(monolith / "monolith_only.py", "VALUE = 1\n")
    _write(src / "handler.py", HANDLER)
    config = {"services": {"calc": {"function": "toy-calc", "package": "../calc/src", "timeout": timeout}}}
    _write(monolith / "m2l_runtime" / "services.json", json.dumps(config))
    return monolith, src


def _caller_env(monolith: Path, log: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("M2L_", "DJANGO_"))}
    env.update(M2L_TRANSPORT="local", M2L_CALL_LOG=str(log), PYTHONPATH=str(monolith), POWERTOOLS_LOG_LEVEL="ERROR")
    return env


def test_nothing_of_the_callers_process_reaches_the_service(tmp_path: Path) -> None:
    monolith, _ = _layout(tmp_path)
    log = tmp_path / "calls.log"
    done = subprocess.run([sys.executable, "-c", CALLER], cwd=monolith, env=_caller_env(monolith, log),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["calls"] == ["toy.calc.crash 1", "toy.calc.look 8", "toy.calc.remember 4", "toy.calc.slow 1"]
    assert len(log.read_text().splitlines()) == 14, "every call is logged"
    try:
        os.kill(report["pid"], 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError("the worker outlived its caller")


GUARDED = """
import importlib, importlib.machinery, sys
src, monolith = sys.argv[1], sys.argv[2]
sys.path.insert(0, src)
from m2l_runtime.worker import isolate


class Editable:  # an editable install's finder, mapping a name to the monolith's folder
    @staticmethod
    def find_spec(name, path=None, target=None):
        return importlib.machinery.PathFinder.find_spec(name, [monolith]) if name == "monolith_only" else None


sys.path.append(monolith)  # as a .pth file in site-packages would
sys.meta_path.append(Editable)
isolate(src, [monolith])
assert monolith not in sys.path, sys.path
try:
    import monolith_only
except ModuleNotFoundError as error:
    assert "the caller's code" in str(error), error
else:
    raise AssertionError("imported the monolith's own module")
from toy import calc
assert calc.__file__.startswith(src), calc.__file__
"""


def test_the_callers_source_tree_stays_out_even_when_site_packages_points_at_it(tmp_path: Path) -> None:
    """An editable install of the monolith (a path in a .pth file, or a finder) reaches every interpreter."""
    monolith, src = _layout(tmp_path)
    done = subprocess.run([sys.executable, "-I", "-c", GUARDED, str(src), str(monolith)], cwd=src,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_answer_json_cannot_carry_is_lambdas_marshal_error() -> None:
    spec = importlib.util.spec_from_file_location("worker_under_test", RUNTIME / "m2l_runtime" / "worker.py")
    assert spec is not None and spec.loader is not None
    worker = importlib.util.module_from_spec(spec)  # not as m2l_runtime: other tests import generated copies
    spec.loader.exec_module(worker)
    answer_line = worker.answer_line
    assert json.loads(answer_line({"id": "calc-1", "result": [1, "a"], "calls": []})) == {
        "id": "calc-1", "result": [1, "a"], "calls": []}
    failed = json.loads(answer_line({"id": "calc-2", "result": {"when": {1, 2}}, "calls": [["tax", "rate", 1]]}))
    assert failed["id"] == "calc-2" and failed["calls"] == [["tax", "rate", 1]] and "result" not in failed
    assert failed["error"]["errorType"] == "Runtime.MarshalError"
    assert "Unable to marshal response" in failed["error"]["errorMessage"]
