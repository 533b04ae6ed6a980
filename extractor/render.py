"""The one jinja2 environment for everything the extractor generates, and the checks
every generated Python file passes before it is written."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from functools import cache
from typing import Any

import jinja2


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("extractor", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["literal"] = literal
    env.filters["pystr"] = lambda text: json.dumps(str(text))  # a double-quoted Python string literal
    env.filters["pytuple"] = python_tuple  # a tuple of double-quoted Python string literals
    return env


def literal(value: object) -> str:
    """`value` as a one-line JSON literal that YAML and TOML read back unchanged.

    JSON alone is not enough: YAML folds U+0085/U+2028/U+2029 inside quotes and TOML
    forbids raw DEL, so every non-printable character is written as an escape."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)
    return "".join(char if char.isprintable() else _escape(char) for char in text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def render(template: str, **view: Any) -> str:
    return environment().get_template(template).render(**view)


def checked_python(path: str, text: str) -> str:
    """`text` if it parses as Python; a generated file that does not is our bug, said loudly."""
    try:
        ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise AssertionError(f"mono2lambda generated invalid Python in {path}:{exc.lineno}: {exc.msg}") from exc
    return text


def python_tuple(texts: Iterable[str]) -> str:
    """`("a", "b")`, or `("a",)` for one: a tuple of strings as Python source."""
    items = [json.dumps(str(text)) for text in texts]
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
