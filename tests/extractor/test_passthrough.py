"""The contract's shortcut for plain JSON (passthrough.py): a value it vouches for is one that
pydantic validates and dumps unchanged; anything else still goes through pydantic, so the
contract's answers and errors are the same with and without it."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import Any, Literal, Optional, Union

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ConfigDict, Field, TypeAdapter, create_model

sys.path.insert(0, str(Path(__file__).parents[2] / "extractor" / "runtime"))

from m2l_runtime.contract import contract_of
from m2l_runtime.errors import ContractError
from m2l_runtime.passthrough import LARGEST, checker, fields_checker
from m2l_runtime.worker import PlainJson, decode_line, encode_json


class Size(enum.IntEnum):
    SMALL = 1


class Name(str):
    pass


# typing's Optional and Union on purpose: their origin is typing.Union, not types.UnionType
HINTS: list[Any] = [int, str, bool, float, None, Any, list[int], list[str], dict[str, int], dict[str, Any],
                    list, dict, Optional[int], int | None, Union[int, str], list[dict[str, list[float]]],  # noqa: UP007, UP045
                    Literal["a", "b"], Literal[1, True], list[Literal["x"]] | None]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
    max_leaves=12,
)


def _unchanged(hint: Any, value: Any) -> bool:
    adapter = TypeAdapter(hint)
    validated = adapter.validate_python(value)
    dumped = adapter.dump_python(validated, mode="json")
    return json.dumps(validated) == json.dumps(value) == json.dumps(dumped) and _same_types(validated, value)


def _same_types(left: Any, right: Any) -> bool:
    if type(left) is not type(right):
        return False
    if isinstance(left, list):
        return all(_same_types(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict):
        return all(_same_types(left[key], right[key]) for key in left)
    return True


@settings(max_examples=1000, deadline=None)
@given(hint=st.sampled_from(HINTS), value=json_values)
def test_a_value_the_check_passes_is_one_pydantic_gives_back_unchanged(hint: Any, value: Any) -> None:
    check = checker(hint)
    assert check is not None
    if check(value):
        assert _unchanged(hint, value), (hint, value)


@settings(max_examples=500, deadline=None)
@given(hints=st.lists(st.sampled_from(HINTS), min_size=1, max_size=3),
       data=st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), json_values, max_size=4))
def test_request_data_the_check_passes_is_what_the_model_gives_back(hints: list[Any], data: dict[str, Any]) -> None:
    fields = [(name, hint) for name, hint in zip("abc", hints, strict=False)]
    check = fields_checker(fields)
    assert check is not None
    model = create_model("request", __config__=ConfigDict(extra="forbid", validate_by_alias=True),
                         **{f"p{i}": (hint, Field(alias=name)) for i, (name, hint) in enumerate(fields)})
    if check(data):
        dumped = model.model_validate(data).model_dump(mode="json", by_alias=True)
        assert json.dumps(dumped, sort_keys=True) == json.dumps(data, sort_keys=True), (fields, data)


@pytest.mark.parametrize("second", [int, int | None])  # one type each (checked in C), or not
def test_the_fields_check_wants_every_field_in_order_and_no_other(second: Any) -> None:
    check = fields_checker([("a", int), ("b", second)])
    assert check is not None and check({"a": 1, "b": 2})
    assert not check({"b": 2, "a": 1}), "in another order than the caller's side sends: pydantic's"
    assert not check({"a": 1}) and not check({"a": 1, "b": 2, "c": 3}) and not check({"a": True, "b": 1})
    assert fields_checker([("a", int), ("b", bytes)]) is None


@pytest.mark.parametrize(("hint", "value"), [
    (int, True), (int, Size.SMALL), (int, 1.0), (float, 1), (str, Name("a")), (str, b"a"), (list[int], (1, 2)),
    (list[int], [1, "2"]), (dict[str, int], {1: 1}), (Any, {1: "a"}), (Any, (1,)), (Literal[1, True], 1.0),
    (Literal["a"], "b"), (list[int], list(range(LARGEST + 1))), (Any, {"a": set()}), (Optional[int], "1"),  # noqa: UP045
])
def test_what_pydantic_would_change_or_refuse_is_left_to_it(hint: Any, value: Any) -> None:
    check = checker(hint)
    assert check is not None and not check(value)


@pytest.mark.parametrize("hint", [tuple[int, ...], set[int], dict[int, str], Size, bytes, list[Size],
                                  Optional[Size], Literal[Size.SMALL]])  # noqa: UP045
def test_hints_with_anything_but_plain_json_get_no_check(hint: Any) -> None:
    assert checker(hint) is None


def priced(sku: str, count: int = 1, *tags: str, discount: float | None = None, **extra: Any) -> dict[str, Any]:
    return {"sku": sku, "count": count, "tags": list(tags), "discount": discount, "extra": extra}


def test_the_contract_answers_the_same_with_the_shortcut_as_through_pydantic() -> None:
    contract = contract_of(priced)
    assert contract._plain_request is not None and contract._plain_result is not None
    arguments = {"sku": "A-1", "count": 2, "tags": ["x"], "discount": None, "extra": {"note": [1, 2.5]}}
    model = contract.request.model_validate(arguments)
    assert contract.dump_request(arguments) == model.model_dump(mode="json", by_alias=True)
    assert contract.load_request(arguments) == contract.call_arguments(model) == (
        ["A-1", 2, "x"], {"discount": None, "note": [1, 2.5]})
    args, kwargs = contract.load_request(arguments)
    assert priced(*args, **kwargs) == {"sku": "A-1", "count": 2, "tags": ["x"], "discount": None,
                                       "extra": {"note": [1, 2.5]}}  # before a *args, by position
    coerced = {"sku": "A-1", "count": True, "tags": [], "discount": 1, "extra": {}}  # lax: pydantic converts these
    assert contract.dump_request(coerced) == {"sku": "A-1", "count": 1, "tags": [], "discount": 1.0, "extra": {}}
    assert contract.dump_request({"sku": "A-1"})["count"] == 1  # a default filled in by pydantic
    for bad in ({"sku": "A-1", "count": "two"}, {"sku": "A-1", "unknown": 1}, {}):
        with pytest.raises(ContractError, match="does not match the contract"):
            contract.dump_request(bad)
        with pytest.raises(ContractError, match="does not match the contract"):
            contract.load_request(bad)
    assert contract.load_result({"sku": "A-1"}) == {"sku": "A-1"}
    assert contract.dump_result({"when": {1}}) == {"when": [1]}  # not plain JSON: pydantic's conversion


@pytest.mark.parametrize("value", [{"id": "calc-1", "result": [1, "é", 2.5, None, True]}, "text", [1.5e300, -0.0],
                                   {"nested": {"a": [{"b": float("inf")}]}}])
def test_the_protocols_json_is_json_dumps_and_loads(value: Any) -> None:
    assert encode_json(value) == json.dumps(value)
    assert decode_line(json.dumps(value) + "\n") == json.loads(json.dumps(value))


@settings(max_examples=500, deadline=None)
@given(value=json_values)
def test_pydantic_cores_json_reads_and_writes_what_json_does(value: Any) -> None:
    plain = PlainJson()
    plain.adopt()  # pydantic_core is imported here
    assert plain._from_json is not None and plain._to_json is not None
    text = json.dumps(value)
    assert repr(plain.decode(text + "\n")) == repr(plain.decode(text.encode())) == repr(json.loads(text))
    assert repr(json.loads(plain.encode_plain(value))) == repr(value)


def test_what_pydantic_cores_json_refuses_is_read_by_json() -> None:
    plain = PlainJson()
    plain.adopt()
    lone = json.dumps({"name": "a\ud800b"})  # a lone surrogate, escaped
    nested = "[" * 300 + "]" * 300  # pydantic_core stops at 200 levels, json at the recursion limit
    assert plain.decode(lone) == json.loads(lone) and plain.decode(nested.encode()) == json.loads(nested)


def test_a_failed_encoding_leaves_the_encoder_as_it_was() -> None:
    shared: list[Any] = [1]
    for bad in ({"result": shared, "when": {1}}, {"loop": (loop := [])}):
        if "loop" in bad:
            loop.append(loop)
        with pytest.raises((TypeError, ValueError)) as raised:
            encode_json(bad)
        with pytest.raises(type(raised.value), match=str(raised.value).split(":")[0]):
            json.dumps(bad)
    assert encode_json({"result": shared}) == json.dumps({"result": shared})  # not taken for a circular reference
