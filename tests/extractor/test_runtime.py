"""The runtime every package carries: contracts, the error envelope, the local transport.

Contract tests run in this process (the runtime put on the path); the transport tests
build a tiny monolith and package on disk, as extract lays them out, and run them in a
child process, since the transport swaps modules in and out of `sys.modules`.
"""

from __future__ import annotations

import enum
import json
import os
import select
import shutil
import subprocess
import sys
import textwrap
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

RUNTIME = Path(__file__).parents[2] / "extractor" / "runtime"
sys.path.insert(0, str(RUNTIME))

from m2l_runtime.contract import contract_of  # noqa: E402
from m2l_runtime.errors import ContractError, RemoteError, decode_error, encode_error  # noqa: E402
from m2l_runtime.service import Operation, Service  # noqa: E402
from m2l_runtime.worker import RequestIds, request_lines, wait_briefly  # noqa: E402


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Line:
    sku: str
    price: Decimal
    added: datetime


class Totals(TypedDict):
    count: int
    total: Decimal


def summarise(lines: list[Line], colour: Colour, on: date, ref: uuid.UUID, note: str | None = None, *,
              mode: Literal["a", "b"] = "a", tags: tuple[str, ...] = ()) -> Totals:
    return {"count": len(lines), "total": sum((line.price for line in lines), Decimal(0))}


class OutOfStock(Exception):
    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.details = details


def test_arguments_and_results_survive_json_both_ways() -> None:
    contract = contract_of(summarise)
    lines = [Line("A-1", Decimal("1.10"), datetime(2024, 3, 15, 10, 0))]
    ref = uuid.UUID(int=7)
    sent = contract.dump_request({"lines": lines, "colour": Colour.BLUE, "on": date(2024, 1, 2), "ref": ref,
                                  "note": None, "mode": "b", "tags": ("x",)})
    args, kwargs = contract.load_request(json.loads(json.dumps(sent)))
    assert args == [] and kwargs == {"lines": lines, "colour": Colour.BLUE, "on": date(2024, 1, 2), "ref": ref,
                                     "note": None, "mode": "b", "tags": ("x",)}
    result = json.loads(json.dumps(contract.dump_result(summarise(**kwargs))))
    assert contract.load_result(result) == {"count": 1, "total": Decimal("1.10")}


@pytest.mark.parametrize("arguments", [
    {},  # required parameters missing
    {"lines": [], "colour": "green", "on": "2024-01-01", "ref": str(uuid.UUID(int=1))},  # not an enum value
    {"lines": [], "colour": "red", "on": "2024-01-01", "ref": str(uuid.UUID(int=1)), "extra": 1},  # unknown
    ["not", "an", "object"],
])
def test_a_malformed_request_is_a_contract_error(arguments: object) -> None:
    with pytest.raises(ContractError, match="summarise"):
        contract_of(summarise).load_request(arguments)


def test_schemas_name_the_parameters() -> None:
    schema = contract_of(summarise).request_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"lines", "colour", "on", "ref"}
    assert "Line" in schema["$defs"] and contract_of(summarise).response_schema()["title"] == "Totals"


def test_a_domain_error_comes_back_as_its_own_class_with_its_attributes() -> None:
    encoded = json.loads(json.dumps(encode_error(OutOfStock("no widgets", sku="W-1", left=0))))
    assert encoded["errorType"] == f"{__name__}.OutOfStock"
    error = decode_error("inventory", encoded)
    assert type(error) is OutOfStock and error.args == ("no widgets",) and error.details == {"sku": "W-1", "left": 0}
    unknown = decode_error("inventory", {**encoded, "errorType": "gone.module.Missing"})
    assert isinstance(unknown, RemoteError) and "gone.module.Missing" in str(unknown)


def test_request_ids_have_a_random_uuids_form_and_a_forked_process_draws_its_own() -> None:
    ids = RequestIds()
    drawn = [ids() for _ in range(3)]
    assert len(set(drawn)) == 3 and all(str(uuid.UUID(text)) == text and uuid.UUID(text).version == 4
                                        for text in drawn)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child sends the id it draws
        os.write(write, ids().encode())
        os._exit(0)
    os.waitpid(child, 0)
    assert os.read(read, 100).decode()[:24] != ids()[:24], "a forked child's ids start elsewhere"


def test_the_service_validates_before_calling_and_maps_errors() -> None:
    calls = []
    module = sys.modules[__name__]
    module.record = lambda n: calls.append(n) or n * 2  # type: ignore[attr-defined]
    service = Service("demo", {"op": Operation(__name__, "double"), "fail": Operation(__name__, "fail"),
                               "later": Operation(__name__, "fail", "async")})
    assert service.handle({"operation": "op", "arguments": {"n": 4}}) == {"result": 8}
    with pytest.raises(ContractError):
        service.handle({"operation": "op", "arguments": {"n": "four"}})
    with pytest.raises(ContractError, match="unknown operation"):
        service.handle({"operation": "nope", "arguments": {}})
    assert calls == [4]  # the malformed event never reached the code
    assert service.handle({"operation": "fail", "arguments": {}})["error"]["errorType"].endswith("OutOfStock")
    with pytest.raises(OutOfStock):  # asynchronous: raised, so Lambda retries and dead-letters it
        service.handle({"operation": "later", "arguments": {}})


def double(n: int) -> int:
    return sys.modules[__name__].record(n)  # type: ignore[attr-defined,no-any-return]


def fail() -> None:
    raise OutOfStock("none left", sku="X")


SERVICE_CODE = '''
from __future__ import annotations
from decimal import Decimal

STATE: list[str] = []


class Boom(Exception):
    pass


def add(item: str, price: Decimal) -> Decimal:
    STATE.append(item)
    if item == "boom":
        raise Boom("no " + item)
    return price * 2


def count() -> int:
    return len(STATE)
'''

PROXY_CODE = '''
from __future__ import annotations
from decimal import Decimal
from m2l_runtime import client as _m2l_client

STATE: list[str] = []


class Boom(Exception):
    pass


def add(item: str, price: Decimal) -> Decimal:
    return _m2l_client.call("calc", "toy.calc.add", add, {"item": item, "price": price})


def count() -> int:
    return _m2l_client.call("calc", "toy.calc.count", count, {})
'''

HANDLER = '''
from m2l_runtime.service import Operation, Service
service = Service("calc", {"toy.calc.add": Operation("toy.calc", "add"),
                           "toy.calc.count": Operation("toy.calc", "count")})
def handler(event, context):
    return service.handle(event, context)
'''

SCRIPT = '''
import os, sys
from decimal import Decimal
from toy import calc
assert calc.add("a", Decimal("1.25")) == Decimal("2.50")
assert calc.count() == 1
assert calc.STATE == [], "the monolith's module state is its own"
try:
    calc.add("boom", Decimal(1))
except calc.Boom as error:
    assert type(error) is calc.Boom and str(error) == "no boom"
else:
    raise AssertionError("expected Boom")
assert sys.modules["toy.calc"].__file__.startswith(os.getcwd()), "the monolith keeps its proxy"
from m2l_runtime.client import CALLS
print(sorted(CALLS.items()))
'''


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.mark.parametrize("monolith_pydantic", ["2", "1.x"])
def test_the_local_transport_runs_the_package_apart_from_the_monolith(tmp_path: Path, monolith_pydantic: str) -> None:
    """With "1.x", the monolith's `import pydantic` fails as pydantic 2's names would on pydantic 1
    (CTFd pins 1.6): its proxies call in plain JSON (plain.py), the service still checks the contract."""
    monolith, src = tmp_path / "monolith", tmp_path / "calc" / "src"
    for root, code in ((monolith, PROXY_CODE), (src, SERVICE_CODE)):
        _write(root / "toy" / "__init__.py", "")
        _write(root / "toy" / "calc.py", code)
        shutil.copytree(RUNTIME / "m2l_runtime", root / "m2l_runtime")
    _write(src / "handler.py", HANDLER)
    config = {"services": {"calc": {"function": "toy-calc", "package": "../calc/src", "timeout": 3}}}
    _write(monolith / "m2l_runtime" / "services.json", json.dumps(config))
    log = tmp_path / "calls.log"
    path = [str(monolith)]
    script = SCRIPT
    if monolith_pydantic == "1.x":
        _write(tmp_path / "old" / "pydantic" / "__init__.py", "raise ImportError('cannot import name ConfigDict')\n")
        path.insert(0, str(tmp_path / "old"))
        script += "assert 'm2l_runtime.contract' not in sys.modules and 'm2l_runtime.plain' in sys.modules\n"
    env = {"PATH": "", "M2L_TRANSPORT": "local", "M2L_CALL_LOG": str(log), "PYTHONPATH": os.pathsep.join(path),
           "POWERTOOLS_LOG_LEVEL": "ERROR"}
    done = subprocess.run([sys.executable, "-c", script], cwd=monolith, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "(('calc', 'toy.calc.add'), 2), (('calc', 'toy.calc.count'), 1)" in done.stdout
    assert log.read_text().splitlines() == ["calc toy.calc.add", "calc toy.calc.count", "calc toy.calc.add"]


def test_the_worker_reads_request_lines_however_the_pipe_cuts_them_and_stops_when_it_closes() -> None:
    read, write = os.pipe()
    os.write(write, b'{"id": 1}\n{"id"')
    os.write(write, b': 2}\n\n{"id": 3}\n')
    os.close(write)
    assert list(request_lines(read)) == [b'{"id": 1}', b'{"id": 2}', b"", b'{"id": 3}']
    os.close(read)


def test_a_waiting_side_checks_briefly_then_says_nothing_came() -> None:
    read, write = os.pipe()
    poller = select.poll()
    poller.register(read, select.POLLIN)
    assert not wait_briefly(poller, 0.0001)
    os.write(write, b"x\n")
    assert wait_briefly(poller, 0.0001)
    os.close(read)
    os.close(write)
