"""Dataclasses pickled as calls of their class with their fields read back equal, whatever
number of fields they have; a class whose constructor does more keeps pickle's own way."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

from analyzer.fieldpickle import by_fields, dumps


@dataclass
class NoField:
    pass


@dataclass
class OneField:
    name: str


@dataclass(slots=True)
class Lines:
    path: str
    lines: set[int] = field(default_factory=set)
    count: int = 0


@dataclass
class Derived:
    text: str
    size: int = field(init=False)

    def __post_init__(self) -> None:
        self.size = len(self.text)


TABLE = by_fields(NoField, OneField, Lines, Derived)


def test_each_shape_reads_back_equal() -> None:
    for value in (NoField(), OneField("abc"), Lines("m.py", {3, 1}, 2), [Lines("a"), Lines("b", {1})]):
        assert pickle.loads(dumps(value, TABLE)) == value


def test_only_classes_built_from_their_fields_are_written_as_calls() -> None:
    assert Lines in TABLE and OneField in TABLE
    assert Derived not in TABLE
    again = pickle.loads(dumps(Derived("abc"), TABLE))
    assert (again.text, again.size) == ("abc", 3)
