"""m2l_runtime/instances.py on its own: what an instance method's object sends, how the
service rebuilds it, and why some classes cannot be rebuilt (the end-to-end path is in
test_class_operations.py)."""

from __future__ import annotations

import abc
import smtplib
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "extractor" / "runtime"))

from m2l_runtime.errors import ContractError
from m2l_runtime.instances import (
    INIT_ARGUMENTS,
    dump,
    instance_schema,
    rebuilder,
    record,
    resolve,
    unrebuildable,
)


@record
class Meter:
    def __init__(self, unit: str, scale: Decimal = Decimal("1.5"), *, tags: list[str] | None = None) -> None:
        self.unit = unit
        self.scale = scale

    def read(self, raw: int) -> str:
        return f"{raw * self.scale} {self.unit}"

    @staticmethod
    def zero() -> int:
        return 0

    @classmethod
    def named(cls, unit: str) -> str:
        return f"{cls.__name__}:{unit}"


@record
@dataclass(frozen=True)
class Frozen:
    name: str
    limit: int = 3
    cache: dict[str, str] = field(default_factory=dict, init=False)


@record
class Bare:
    def ping(self) -> str:
        return "pong"


class Abstract(abc.ABC):
    @abc.abstractmethod
    def run(self) -> None: ...


class Spread:
    def __init__(self, *parts: str) -> None:
        self.parts = parts


class Untyped:
    def __init__(self, host) -> None:  # type: ignore[no-untyped-def]
        self.host = host


class Live:
    def __init__(self, connection: smtplib.SMTP) -> None:
        self.connection = connection


def test_the_proxy_class_records_its_constructor_arguments_after_defaults() -> None:
    meter = Meter("kg", tags=["a"])
    assert getattr(meter, INIT_ARGUMENTS) == {"unit": "kg", "scale": Decimal("1.5"), "tags": ["a"]}
    assert dump(meter, "op") == {"unit": "kg", "scale": "1.5", "tags": ["a"]}
    assert (Meter.__name__, Meter.__qualname__, Meter.__init__.__name__) == ("Meter", "Meter", "__init__")
    assert isinstance(meter, Meter) and meter.unit == "kg", "the constructor still runs"


def test_a_dataclass_sends_its_fields_as_they_are_now_and_a_class_without_init_sends_nothing() -> None:
    frozen = Frozen("a")
    object.__setattr__(frozen, "limit", 9)
    assert dump(frozen, "op") == {"name": "a", "limit": 9}
    assert dump(Bare(), "op") == {}


def test_the_service_rebuilds_the_object_from_what_was_sent_and_checks_it_first() -> None:
    build = rebuilder(Meter, {"unit": "m", "scale": "2"}, "op")
    assert build().read(3) == "6 m"
    assert rebuilder(Bare, None, "op")().ping() == "pong"
    with pytest.raises(ContractError, match=r"op: the instance part does not fit Meter: .*unit"):
        rebuilder(Meter, {"scale": "2"}, "op")


def test_resolve_tells_an_instance_method_from_static_and_class_methods() -> None:
    module = __name__
    assert resolve(module, "Meter.read")[1] is Meter
    static, owner = resolve(module, "Meter.zero")
    assert owner is None and static() == 0
    bound, owner = resolve(module, "Meter.named")
    assert owner is None and bound("kg") == "Meter:kg"


def test_what_cannot_be_rebuilt_says_why() -> None:
    assert unrebuildable(Meter) is None and unrebuildable(Frozen) is None and unrebuildable(Bare) is None
    assert unrebuildable(Abstract) == "Abstract is abstract"
    assert unrebuildable(Spread) == "its __init__ takes *parts, which says nothing of what it needs"
    assert unrebuildable(Untyped) == "its __init__ parameter(s) 'host' have no type hint"
    assert unrebuildable(Live) == "its __init__ parameter 'connection' is a SMTP, which cannot cross a wire"


def test_the_instance_schema_is_the_constructors_named_after_the_class() -> None:
    schema = instance_schema(Frozen)
    assert schema["title"] == "Frozen" and schema["required"] == ["name"]
    assert sorted(schema["properties"]) == ["limit", "name"], "a field outside __init__ is not sent"
