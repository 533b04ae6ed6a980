"""Breaking-change detection between two versions of a service's contracts.

`mono2lambda contracts check` compares the committed `contracts/*.json` with freshly
generated ones and fails on a breaking change, so a service can evolve without its callers
finding out in production. The rules are a consumer-driven reviewer's: a change breaks
when a caller written against the old contract can fail against the new one.

Operations
- removed: breaking; added: not breaking.
- invocation kind changed (sync -> async, sqs -> sns, ...): breaking, callers call it
  differently. A changed setting that says where producers send (queue, topic, bus,
  pattern, bucket, prefix, events, table, stream, method, path) is breaking too; other
  settings (batch_size, a schedule's expression) are reported for information.
- `signature_hash` changed: reported, not breaking (what it means for callers shows up as
  field changes).

Requests (what callers send) may only WIDEN: the new schema must accept every value the
old one did.
- new required field: breaking; new optional field: not breaking.
- field removed: breaking when the new object forbids unknown fields (pydantic request
  models do, so old callers sending it are rejected); not breaking where extra fields are
  ignored (plain nested dataclasses).
- optional -> required: breaking; required -> optional: not breaking.
- type changed: not breaking only when widening (integer -> number, X -> X | None, an
  enum member added, a union member added, a constraint relaxed); anything else breaks.

An instance method's `instance` part (its object's constructor arguments) is sent by
callers too, and follows the rules of a request.

Responses (what callers read) may only NARROW: every value the new schema allows must have
been allowed by the old one.
- field removed: breaking; field added: not breaking, unless the old object forbade
  unknown fields (old readers would reject it).
- required (always present) -> optional: breaking; optional -> required: not breaking.
- type changed: not breaking only when narrowing (X | None -> X, an enum member removed,
  number -> integer); anything else breaks.

How schemas are compared: `$ref`s are resolved against each document's own `$defs` (old
and new separately); models (objects with `properties`), lists and `dict[str, X]` are
walked field by field, so a change is reported where it happens (`request.lines[].price`,
`response.shipping.price`, `response.prices{}` for a dict's values); everything else is a
leaf compared by `_covers` (is every value of one schema valid against the other?).
`title`, `description`, `examples` and `default` are ignored. Recursive definitions are
guarded by the pairs of definitions already entered on the current path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

REQUEST = "request"
RESPONSE = "response"
INSTANCE = "instance"  # an instance method's constructor arguments: sent by callers, as a request is
_IGNORED = frozenset({"title", "description", "examples", "default", "$defs", "$schema", "deprecated"})
_ROUTING = frozenset({"queue", "topic", "bus", "pattern", "bucket", "prefix", "events", "table", "stream",
                      "method", "path"})
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_NOTHING: dict[str, Any] = {"enum": []}  # the schema no value is valid against (JSON Schema's `false`)

Schema = Mapping[str, Any]
_Seen = frozenset[tuple[str | None, str | None]]


@dataclass(frozen=True, order=True)
class Change:
    operation: str
    path: str  # where in the contract: "operation", "invocation", "request.lines[].price", ...
    kind: str  # removed-operation, added-operation, removed-field, added-field, added-required-field,
    # became-required, became-optional, retyped, invocation-changed, signature-changed
    breaking: bool
    message: str  # one plain sentence


@dataclass(frozen=True)
class _Node:
    """A schema together with the `$defs` its references point into."""

    schema: Schema
    defs: Schema

    def child(self, schema: object) -> _Node:
        if schema is True:
            return _Node({}, self.defs)
        if schema is False or not isinstance(schema, Mapping):
            return _Node(_NOTHING, self.defs)
        return _Node(schema, self.defs)


@dataclass(frozen=True)
class _Context:
    operation: str
    side: str  # REQUEST, RESPONSE or INSTANCE

    @property
    def sent(self) -> str:
        """REQUEST for what callers send (the request, an instance's arguments), else RESPONSE."""
        return RESPONSE if self.side == RESPONSE else REQUEST

    def change(self, path: str, kind: str, breaking: bool, message: str) -> Change:
        return Change(self.operation, path, kind, breaking, message)

    def field(self, path: str) -> str:
        """`request.lines[].price` -> "request field 'lines[].price'"; the root -> "the request"."""
        label = path[len(self.side):].lstrip(".")
        return f"{self.side} field '{label}'" if label else f"the {self.side}"


def compare_contracts(old: Mapping[str, dict[str, Any]], new: Mapping[str, dict[str, Any]]) -> list[Change]:
    """old/new map operation name -> contract document. Sorted result."""
    changes: list[Change] = []
    for operation in sorted(old.keys() | new.keys()):
        if operation not in new:
            changes.append(Change(operation, "operation", "removed-operation", True,
                                  f"operation '{operation}' was removed; its callers will fail"))
        elif operation not in old:
            changes.append(Change(operation, "operation", "added-operation", False,
                                  f"operation '{operation}' was added"))
        else:
            changes.extend(compare_operation(operation, old[operation], new[operation]))
    return sorted(changes)


def compare_operation(operation: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    return [*_invocation_changes(operation, old.get("invocation", {}), new.get("invocation", {})),
            *_signature_changes(operation, old.get("source", {}), new.get("source", {})),
            *_schema_changes(_Context(operation, REQUEST), old.get(REQUEST, {}), new.get(REQUEST, {})),
            *_schema_changes(_Context(operation, RESPONSE), old.get(RESPONSE, {}), new.get(RESPONSE, {})),
            *_schema_changes(_Context(operation, INSTANCE), old.get(INSTANCE, {}), new.get(INSTANCE, {}))]


# --- operation level -------------------------------------------------------------------

def _invocation_changes(operation: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    old_kind, new_kind = old.get("kind", "sync"), new.get("kind", "sync")
    if old_kind != new_kind:
        return [Change(operation, "invocation", "invocation-changed", True,
                       f"the operation is now invoked '{new_kind}' instead of '{old_kind}'; "
                       "callers written for the old way will fail")]
    old_settings, new_settings = old.get("settings", {}), new.get("settings", {})
    return [_setting_change(operation, new_kind, name, old_settings.get(name), new_settings.get(name))
            for name in sorted(old_settings.keys() | new_settings.keys())
            if old_settings.get(name) != new_settings.get(name)]


def _setting_change(operation: str, kind: str, name: str, old: object, new: object) -> Change:
    breaking = name in _ROUTING
    consequence = "; producers sending to the old one are not heard" if breaking else ""
    return Change(operation, f"invocation.settings.{name}", "invocation-changed", breaking,
                  f"the {kind} setting '{name}' changed from {old!r} to {new!r}{consequence}")


def _signature_changes(operation: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    if old.get("signature_hash") == new.get("signature_hash"):
        return []
    return [Change(operation, "source.signature", "signature-changed", False,
                   f"the function's signature changed from {old.get('signature')} to {new.get('signature')}")]


def _schema_changes(ctx: _Context, old: Schema, new: Schema) -> list[Change]:
    return _compare(ctx, ctx.side, _Node(old, old.get("$defs", {})), _Node(new, new.get("$defs", {})), frozenset())


# --- walking models, lists and dicts ---------------------------------------------------

def _compare(ctx: _Context, path: str, old: _Node, new: _Node, seen: _Seen) -> list[Change]:
    old_null, old_core, old_ref = _unwrap(old)
    new_null, new_core, new_ref = _unwrap(new)
    if old_ref and new_ref and (old_ref, new_ref) in seen:
        return []  # this pair of definitions is already being compared further up the path
    nested = _compare_nested(ctx, path, old_core, new_core, seen | {(old_ref, new_ref)})
    if nested is None:
        return _compare_leaf(ctx, path, old, new)
    return _null_changes(ctx, path, old_null, new_null) + nested


def _compare_nested(ctx: _Context, path: str, old: _Node, new: _Node, seen: _Seen) -> list[Change] | None:
    """Field-by-field changes when both sides are the same kind of container, else None."""
    o, n = old.schema, new.schema
    if "properties" in o and "properties" in n:
        return _compare_object(ctx, path, old, new, seen)
    if _is_list(o) and _is_list(n) and _container_constraints(o) == _container_constraints(n):
        return _compare(ctx, f"{path}[]", old.child(o["items"]), new.child(n["items"]), seen)
    if _is_map(o) and _is_map(n) and _container_constraints(o) == _container_constraints(n):
        return _compare(ctx, f"{path}{{}}", old.child(o["additionalProperties"]),
                        new.child(n["additionalProperties"]), seen)
    return None


def _compare_object(ctx: _Context, path: str, old: _Node, new: _Node, seen: _Seen) -> list[Change]:
    old_fields, new_fields = old.schema["properties"], new.schema["properties"]
    old_required, new_required = _required(old.schema), _required(new.schema)
    changes: list[Change] = []
    for name in sorted(old_fields.keys() | new_fields.keys()):
        field = f"{path}.{name}"
        if name not in new_fields:
            changes.append(_removed_field(ctx, field, forbids_extra=new.schema.get("additionalProperties") is False))
        elif name not in old_fields:
            changes.append(_added_field(ctx, field, name in new_required,
                                        forbade_extra=old.schema.get("additionalProperties") is False))
        else:
            changes += _requiredness(ctx, field, name in old_required, name in new_required)
            changes += _compare(ctx, field, old.child(old_fields[name]), new.child(new_fields[name]), seen)
    return changes


def _removed_field(ctx: _Context, path: str, forbids_extra: bool) -> Change:
    if ctx.sent == RESPONSE:
        return ctx.change(path, "removed-field", True, f"{ctx.field(path)} was removed; callers that read it will fail")
    if forbids_extra:
        return ctx.change(path, "removed-field", True,
                          f"{ctx.field(path)} was removed; old callers that send it will be rejected")
    return ctx.change(path, "removed-field", False,
                      f"{ctx.field(path)} was removed; the service ignores it when old callers still send it")


def _added_field(ctx: _Context, path: str, required: bool, forbade_extra: bool) -> Change:
    if ctx.sent == REQUEST and required:
        return ctx.change(path, "added-required-field", True,
                          f"{ctx.field(path)} was added as required; old callers do not send it")
    if ctx.sent == RESPONSE and forbade_extra:
        return ctx.change(path, "added-field", True,
                          f"{ctx.field(path)} was added; old callers reject fields they do not know")
    optional = " as optional" if ctx.sent == REQUEST else ""
    return ctx.change(path, "added-field", False, f"{ctx.field(path)} was added{optional}")


def _requiredness(ctx: _Context, path: str, was: bool, now: bool) -> list[Change]:
    if was == now:
        return []
    if ctx.sent == REQUEST:
        if now:
            return [ctx.change(path, "became-required", True,
                               f"{ctx.field(path)} became required; old callers may leave it out")]
        return [ctx.change(path, "became-optional", False, f"{ctx.field(path)} became optional")]
    if now:
        return [ctx.change(path, "became-required", False, f"{ctx.field(path)} is now always present")]
    return [ctx.change(path, "became-optional", True,
                       f"{ctx.field(path)} is no longer always present; callers that read it may fail")]


def _null_changes(ctx: _Context, path: str, old_null: bool, new_null: bool) -> list[Change]:
    if old_null == new_null:
        return []
    breaking = (ctx.sent == REQUEST) != new_null  # a request may gain null, a response may lose it
    what = {(REQUEST, True): "now accepts null", (REQUEST, False): "no longer accepts null",
            (RESPONSE, True): "may now be null", (RESPONSE, False): "is never null any more"}[(ctx.sent, new_null)]
    return [ctx.change(path, "retyped", breaking, f"{ctx.field(path)} {what}")]


def _compare_leaf(ctx: _Context, path: str, old: _Node, new: _Node) -> list[Change]:
    widened, narrowed = _covers(new, old), _covers(old, new)
    if widened and narrowed:
        return []
    allowed = widened if ctx.sent == REQUEST else narrowed
    reason = {(REQUEST, True): " (a widening: everything accepted before still is)",
              (REQUEST, False): "; values old callers send may be rejected",
              (RESPONSE, True): " (a narrowing: every value returned now was possible before)",
              (RESPONSE, False): "; old callers may receive values they do not expect"}[(ctx.sent, allowed)]
    return [ctx.change(path, "retyped", not allowed,
                       f"{ctx.field(path)} changed type from {_describe(old)} to {_describe(new)}{reason}")]


# --- is every value of `narrow` valid against `wide`? ----------------------------------

def _covers(wide: _Node, narrow: _Node, seen: _Seen = frozenset()) -> bool:
    """Whether every value valid against `narrow` is valid against `wide`.

    An approximation tuned to what pydantic emits; recursive definitions already entered on
    this path are assumed to cover each other (the only answer that terminates)."""
    wide_ref, wide = _deref(wide)
    narrow_ref, narrow = _deref(narrow)
    if wide_ref and narrow_ref and (wide_ref, narrow_ref) in seen:
        return True
    seen = seen | {(wide_ref, narrow_ref)}
    narrow_branches, wide_branches = _branches(narrow.schema), _branches(wide.schema)
    if narrow_branches is not None:
        return all(_covers(wide, narrow.child(branch), seen) for branch in narrow_branches)
    if wide_branches is not None:
        return any(_covers(wide.child(branch), narrow, seen) for branch in wide_branches)
    return _covers_one(wide, narrow, seen)


def _covers_one(wide: _Node, narrow: _Node, seen: _Seen) -> bool:
    w, n = wide.schema, narrow.schema
    if _is_any(w):
        return True
    if _is_any(n):
        return False
    values = _values(n)
    if values is not None:
        return all(_accepts(w, value) for value in values)
    if _values(w) is not None:
        return False
    return (_types_cover(w, n) and _constraints_cover(w, n)
            and _items_cover(wide, narrow, seen) and _fields_cover(wide, narrow, seen))


def _accepts(schema: Schema, value: object) -> bool:
    values = _values(schema)
    if values is not None:
        return any(value == allowed and type(value) is type(allowed) for allowed in values)
    types = _types(schema)
    return types is None or _type_fits(_json_type(value), types)


def _types_cover(w: Schema, n: Schema) -> bool:
    wide_types, narrow_types = _types(w), _types(n)
    if wide_types is None:
        return True
    return narrow_types is not None and all(_type_fits(t, wide_types) for t in narrow_types)


def _constraints_cover(w: Schema, n: Schema) -> bool:
    """A constraint the wide side has must be at least as strict on the narrow side."""
    if any(key in w and n.get(key) != w[key] for key in ("format", "pattern", "multipleOf")):
        return False
    if any(key in w and not (key in n and n[key] >= w[key]) for key in _LOWER_BOUNDS):
        return False
    if any(key in w and not (key in n and n[key] <= w[key]) for key in _UPPER_BOUNDS):
        return False
    return not w.get("uniqueItems") or bool(n.get("uniqueItems"))


def _items_cover(wide: _Node, narrow: _Node, seen: _Seen) -> bool:
    w, n = wide.schema, narrow.schema
    if "array" not in (_types(n) or ()):
        return True
    if "prefixItems" in n:  # a tuple: position by position
        return all(_covers(wide.child(_item_at(w, i)), narrow.child(item), seen)
                   for i, item in enumerate(n["prefixItems"]))
    if "prefixItems" in w:
        return False
    return _covers(wide.child(w.get("items", True)), narrow.child(n.get("items", True)), seen)


def _fields_cover(wide: _Node, narrow: _Node, seen: _Seen) -> bool:
    w, n = wide.schema, narrow.schema
    if "object" not in (_types(n) or ()):
        return True
    if not _required(w) <= _required(n):
        return False
    wide_fields, wide_extra = w.get("properties", {}), w.get("additionalProperties", True)
    if not all(_covers(wide.child(wide_fields.get(name, wide_extra)), narrow.child(schema), seen)
               for name, schema in n.get("properties", {}).items()):
        return False
    return _covers(wide.child(wide_extra), narrow.child(n.get("additionalProperties", True)), seen)


# --- small helpers on schemas ----------------------------------------------------------

def _deref(node: _Node) -> tuple[str | None, _Node]:
    """Follow `$ref` (or pydantic's one-element `allOf` wrapper) into `$defs`, keeping sibling
    keywords; returns the last definition's name, which cycle guards key on."""
    schema, name, followed = node.schema, None, set()
    while (target := _ref_name(schema)) is not None and target not in followed:
        followed.add(target)
        name = target
        siblings = {key: value for key, value in schema.items() if key not in ("$ref", "allOf", "$defs")}
        schema = {**node.defs.get(target, {}), **siblings}
    return name, _Node(schema, node.defs)


def _ref_name(schema: Schema) -> str | None:
    ref = schema.get("$ref")
    if ref is None and len(schema.get("allOf", ())) == 1 and isinstance(schema["allOf"][0], Mapping):
        ref = schema["allOf"][0].get("$ref")
    return ref.rpartition("/")[2] if isinstance(ref, str) else None


def _unwrap(node: _Node) -> tuple[bool, _Node, str | None]:
    """(whether null is allowed, the schema without the null branch, its definition's name)."""
    outer_ref, node = _deref(node)
    branches = _branches(node.schema)
    if branches is None:
        return False, node, outer_ref
    rest = [branch for branch in branches if _types(node.child(branch).schema) != {"null"}]
    if len(rest) == len(branches) or not rest:
        return False, node, outer_ref
    if len(rest) > 1:
        return True, node.child({"anyOf": rest}), None
    inner_ref, core = _deref(node.child(rest[0]))
    return True, core, inner_ref


def _branches(schema: Schema) -> Sequence[Any] | None:
    branches = schema.get("anyOf", schema.get("oneOf"))
    return branches if isinstance(branches, list) else None


def _values(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    return list(schema["enum"]) if isinstance(schema.get("enum"), list) else None


def _types(schema: Schema) -> set[str] | None:
    declared = schema.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return set(declared)
    if "properties" in schema or "additionalProperties" in schema:
        return {"object"}
    return {"array"} if "items" in schema or "prefixItems" in schema else None


def _type_fits(json_type: str, types: Iterable[str]) -> bool:
    return json_type in types or (json_type == "integer" and "number" in types)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    kinds = ((int, "integer"), (float, "number"), (str, "string"), (list, "array"), (dict, "object"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "object")


def _is_any(schema: Schema) -> bool:
    return not (schema.keys() - _IGNORED)


def _is_list(schema: Schema) -> bool:
    return _types(schema) == {"array"} and "items" in schema and "prefixItems" not in schema


def _is_map(schema: Schema) -> bool:
    return (_types(schema) == {"object"} and "properties" not in schema
            and isinstance(schema.get("additionalProperties"), Mapping))


def _container_constraints(schema: Schema) -> dict[str, Any]:
    keys = ("uniqueItems", *_LOWER_BOUNDS, *_UPPER_BOUNDS)
    return {key: schema[key] for key in keys if key in schema}


def _required(schema: Schema) -> set[str]:
    return set(schema.get("required", ()))


def _item_at(schema: Schema, index: int) -> object:
    prefix = schema.get("prefixItems", [])
    return prefix[index] if index < len(prefix) else schema.get("items", True)


def _describe(node: _Node) -> str:
    """A short human name for a schema's type: `string (date-time)`, `array of Line`,
    `Color (one of 'red', 'green')`, `integer or null`. Definitions are named, not expanded,
    so recursive ones cannot loop."""
    name, node = _deref(node)
    schema = node.schema
    values = _values(schema)
    if values is not None:
        listed = repr(values[0]) if len(values) == 1 else "one of " + ", ".join(repr(value) for value in values)
        return f"{name} ({listed})" if name else listed
    if name:
        return name
    branches = _branches(schema)
    if branches is not None:
        return " or ".join(_describe(node.child(branch)) for branch in branches)
    return _describe_type(node)


def _describe_type(node: _Node) -> str:
    schema, types = node.schema, _types(node.schema)
    if types is None:
        return "anything"
    if types == {"array"}:
        if "prefixItems" in schema:
            return "tuple of (" + ", ".join(_describe(node.child(item)) for item in schema["prefixItems"]) + ")"
        return "array of " + _describe(node.child(schema.get("items", True)))
    if _is_map(schema):
        return "object of " + _describe(node.child(schema["additionalProperties"]))
    if "properties" in schema:  # only a root model is inline, and its title is its class name
        return str(schema.get("title", "object"))
    named = " or ".join(sorted(types))
    return f"{named} ({schema['format']})" if "format" in schema else named
