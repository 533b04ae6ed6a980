"""A sample value valid against a JSON Schema: the payload of each `events/` file.

Small and deterministic: the first branch of a union that is not null, the default or
first example when the schema has one, an empty list for arrays, and every required
property of an object. Enough for a sample event that passes the contract; meaning is
up to the person who edits the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_STRING_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z", "date": "2024-01-01", "time": "00:00:00", "uuid":
    "00000000-0000-4000-8000-000000000000", "email": "someone@example.com", "uri": "https://example.com/",
    "decimal": "1.00", "duration": "PT1H",
}


def sample(schema: Mapping[str, Any], root: Mapping[str, Any] | None = None, depth: int = 0) -> Any:
    root = schema if root is None else root
    if depth > 12:
        return None
    if "$ref" in schema:
        return sample(_resolve(root, schema["$ref"]), root, depth + 1)
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
            return sample(options[0], root, depth + 1)
    return _typed(schema, root, depth)


def _typed(schema: Mapping[str, Any], root: Mapping[str, Any], depth: int) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {name: sample(properties[name], root, depth + 1) for name in schema.get("required", [])}
    if kind == "array":
        prefix = schema.get("prefixItems")
        return [sample(item, root, depth + 1) for item in prefix] if prefix else []
    if kind == "string":
        return _STRING_FORMATS.get(schema.get("format", ""), "text")
    return {"integer": 1, "number": 1.5, "boolean": True, "null": None}.get(str(kind))


def _resolve(root: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node  # type: ignore[no-any-return]
