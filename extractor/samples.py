"""A sample value valid against a JSON Schema: the payload of each `events/` file.

Small and deterministic: the first branch of a union that is not null, the default or
first example when the schema has one, an empty list for arrays, every required property
of an object, and for a string its format's or its name's usual shape (`email`, `url`,
`phone`, `date`). Enough for a sample event that passes the contract; `docstring_arguments`
reads better values from the function's own docstring (a `>>>` call, or a call under
`Example:`), and a sample of your own in `samples/` beats both (docs/extract.md). For a
parameter without a type hint the contract says nothing (its sample would be null), so
`call_site_arguments` reads what the monolith's calls pass it (the graph's `arg_values`).
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

_STRING_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z", "date": "2024-01-01", "time": "00:00:00", "uuid":
    "00000000-0000-4000-8000-000000000000", "email": "someone@example.com", "uri": "https://example.com/",
    "decimal": "1.00", "duration": "PT1H",
}


_NAMED_STRINGS = (  # a string parameter's usual shape, from its name (when the schema gives no format)
    (re.compile(r"(^|_)e?mail(_address)?$"), "someone@example.com"),
    (re.compile(r"(^|_)(url|uri|link|href)$"), "https://example.com/"),
    (re.compile(r"(^|_)(phone|mobile)(_number)?$"), "+15555550100"),
    (re.compile(r"(^|_)(date|day)$"), "2024-01-01"),
    (re.compile(r"(^|_)(currency)$"), "EUR"),
)


def sample(schema: Mapping[str, Any], root: Mapping[str, Any] | None = None, depth: int = 0,
           name: str = "") -> Any:
    root = schema if root is None else root
    if depth > 12:
        return None
    if "$ref" in schema:
        return sample(_resolve(root, schema["$ref"]), root, depth + 1, name)
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return sample(options[0], root, depth + 1, name)
    return _typed(schema, root, depth, name)


def _typed(schema: Mapping[str, Any], root: Mapping[str, Any], depth: int, name: str) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {key: sample(properties[key], root, depth + 1, key) for key in schema.get("required", [])}
    if kind == "array":
        prefix = schema.get("prefixItems")
        return [sample(item, root, depth + 1) for item in prefix] if prefix else []
    if kind == "string":
        if "format" in schema or "pattern" in schema or "minLength" in schema or "maxLength" in schema:
            return _STRING_FORMATS.get(schema.get("format", ""), "text")
        return next((value for pattern, value in _NAMED_STRINGS if pattern.search(name.lower())), "text")
    return {"integer": 1, "number": 1.5, "boolean": True, "null": None}.get(str(kind))


def _resolve(root: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node  # type: ignore[no-any-return]


def docstring_arguments(source: str | bytes, function: str) -> dict[str, Any]:
    """The arguments of the first call of `function` in its own docstring, by parameter name: a
    doctest line (`>>> send(order_id="A-1", quantity=2)`) or a line under `Example:`/`Examples:`.
    Only literal arguments count (`ast.literal_eval`, and JSON's values); {} when there is none."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    name = function.rsplit(".", 1)[-1]
    for node in _scope(tree, function):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            for line in _example_lines(ast.get_docstring(node) or ""):
                arguments = _bound_call(line, node)
                if arguments is not None:
                    return arguments
    return {}


def docstring_instance(source: str | bytes, function: str) -> dict[str, Any]:
    """For an instance method `Class.method`: the constructor arguments of the first example in
    its docstring that calls it on a new object (`Class("ACME", retries=2).method(...)`), bound
    to `__init__`'s parameters (a dataclass's fields when it has none); literals only, {} when none."""
    cls_name, _, name = function.rpartition(".")
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls_name), None)
    method = next((n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and n.name == name), None) if cls is not None else None
    if cls is None or method is None:
        return {}
    for line in _example_lines(ast.get_docstring(method) or ""):
        try:
            call = ast.parse(line, mode="eval").body
        except SyntaxError:
            continue
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == name
                and isinstance(call.func.value, ast.Call) and isinstance(call.func.value.func, ast.Name)
                and call.func.value.func.id == cls_name):
            return _bound_arguments(call.func.value, _constructor_parameters(cls)) or {}
    return {}


def _scope(tree: ast.Module, function: str) -> list[ast.AST]:
    """Where `function` (`name` or `Class.method`) is defined: its class's body, else the whole module."""
    cls_name = function.rpartition(".")[0]
    for node in tree.body:
        if cls_name and isinstance(node, ast.ClassDef) and node.name == cls_name:
            return list(node.body)
    return list(ast.walk(tree))


def _constructor_parameters(cls: ast.ClassDef) -> list[str]:
    """`__init__`'s positional parameters after self, or a dataclass's fields in order."""
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            return [a.arg for a in (*node.args.posonlyargs, *node.args.args)][1:]
    return [n.target.id for n in cls.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
            and "ClassVar" not in ast.unparse(n.annotation)]


def _example_lines(docstring: str) -> list[str]:
    lines, in_example = [], False
    for raw in docstring.splitlines():
        text = raw.strip()
        heading = re.match(r"^Examples?\s*:\s*(.*)$", text)
        if heading:
            in_example = True
            text = heading.group(1)
        elif in_example and raw[:1] not in (" ", "\t") and text:
            in_example = False
        if text.startswith(">>>"):
            lines.append(text[3:].strip())
        elif in_example and text:
            lines.append(text)
    return lines


def _bound_call(text: str, function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, Any] | None:
    try:
        call = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(call, ast.Call):
        return None
    called = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)
    if called != function.name:
        return None
    positional = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    if positional[:1] in (["self"], ["cls"]) and isinstance(call.func, ast.Attribute):
        positional = positional[1:]
    return _bound_arguments(call, positional)


def _bound_arguments(call: ast.Call, positional: list[str]) -> dict[str, Any] | None:
    """A call's literal arguments by parameter name, or None when one is not a literal (or too many)."""
    try:
        arguments = dict(zip(positional, (ast.literal_eval(arg) for arg in call.args), strict=False))
        arguments.update((k.arg, ast.literal_eval(k.value)) for k in call.keywords if k.arg is not None)
        json.dumps(arguments)
    except (ValueError, TypeError, SyntaxError):
        return None
    if len(call.args) > len(positional) or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    return arguments


_TYPE_SAMPLES = {"string": "text", "integer": 1, "number": 1.5, "boolean": True}


def call_site_arguments(entries: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A value per untyped parameter from what the call sites pass it (`arg_values` entries of the
    `calls` edges into the function: `{"param", "value"}` with a literal, or `{"param", "type"}` with
    a JSON type): the literal passed most often (ties: the first by its JSON text), else a sample of the type."""
    literals: dict[str, Counter[str]] = {}
    types: dict[str, str] = {}
    for entry in entries:
        param = str(entry.get("param", ""))
        if "value" in entry:
            literals.setdefault(param, Counter())[json.dumps(entry["value"])] += 1
        elif entry.get("type") in _TYPE_SAMPLES:
            types.setdefault(param, str(entry["type"]))
    found: dict[str, Any] = {p: _TYPE_SAMPLES[t] for p, t in sorted(types.items())}
    for param, counts in sorted(literals.items()):
        found[param] = json.loads(min(counts, key=lambda t: (-counts[t], t)))
    return found
