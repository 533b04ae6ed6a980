"""Hostile or broken plan files: alias bombs, deep nesting, huge files, huge values and names
Lambda would refuse all end in a PlanError at a line, quickly and in little memory."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from analyzer.boundaries.plan import parse_plan, read_plan
from analyzer.boundaries.plan.document import MAX_PLAN_BYTES
from analyzer.errors import PlanError

PLAN = "version: 1\nsource: shop\nservices:\n  {name}:\n    modules:\n      - shop.orders\n"


def alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "version: 1\nsource: shop\n" + "\n".join(lines) + "\nservices: *a8\n"


def refused(text: str) -> PlanError:
    started = time.monotonic()
    with pytest.raises(PlanError) as error:
        parse_plan(text)
    assert time.monotonic() - started < 10
    return error.value


def test_an_alias_bomb_is_refused_at_its_line_without_expanding() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    error = refused(alias_bomb())
    assert len(alias_bomb()) < 1000
    assert "boundaries.yaml:3:" in error.message and "anchors and aliases" in error.message
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # kB


def test_an_alias_is_refused_even_alone() -> None:
    error = refused("version: 1\nsource: shop\nservices:\n  a:\n    modules: *m\n")
    assert "boundaries.yaml:5:" in error.message and "&anchor" in str(error)


def test_deep_nesting_is_a_plan_error_not_a_recursion_error() -> None:
    error = refused("version: 1\nsource: shop\nservices:\n  a:\n    modules: " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert "nests deeper than" in error.message and "boundaries.yaml:5:" in error.message


def test_a_plan_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    big = "version: 1\nsource: shop\n# " + "x" * (MAX_PLAN_BYTES + 10) + "\n"
    error = refused(big)
    assert "over the" in error.message and "byte limit" in error.message
    path = tmp_path / "boundaries.yaml"
    path.write_text(big)
    started = time.monotonic()
    with pytest.raises(PlanError, match="byte limit"):
        read_plan(path)
    assert time.monotonic() - started < 1


def test_an_error_never_prints_a_users_value_whole() -> None:
    error = refused("version: 1\nsource: shop\nunit: " + "z" * 100_000 + "\n")
    assert "unknown unit" in error.message and len(str(error)) < 400


def test_a_service_whose_lambda_function_name_is_over_64_characters_is_refused() -> None:
    name = "s" * 60  # shop-sss... is 65 characters
    error = refused(PLAN.format(name=name))
    assert "boundaries.yaml:4:" in error.message and "65 characters" in error.message and "at most 64" in error.message
    assert parse_plan(PLAN.format(name="s" * 59)).plan.service_names() == ["s" * 59]


def test_a_source_that_cannot_prefix_a_function_name_is_refused() -> None:
    error = refused(PLAN.format(name="orders").replace("source: shop", "source: my.shop"))
    assert "boundaries.yaml:2:" in error.message and "cannot prefix Lambda function names" in error.message
