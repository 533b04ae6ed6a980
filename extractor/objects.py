"""Objects with behaviour: which methods of a class are operations, and what stands in the way.

A class of an extracted module stays in the proxy as written (callers build and catch its
instances) unless the plan names it, or one of its methods, under a service's `operations:`:

- `pkg.mod.Class.method`: that method is an operation;
- `pkg.mod.Class`: each public method defined in its body is (staticmethods, classmethods
  and instance methods; not `_private` or dunder methods, not properties, not inherited ones).

Nothing is an operation by guess: a dataclass's `from_dict` or an enum's helper would
otherwise start calling a service. A staticmethod or classmethod goes as it is (the service
calls `Class.method(...)`); an instance method goes with its object's constructor arguments,
which the service rebuilds the object from for each call (m2l_runtime/instances.py), so what
the method changes on its object stays in the service: a warning, and each write to
`self.<attr>` (in the method, or in a method of its class or a base class that it calls)
blocks unless the plan says `discard_instance_changes: true`. A subclass of a class with
instance-method or classmethod operations blocks (its instances would run the base class's
code, without its overrides; a staticmethod does not depend on its class),
and so does a class that cannot be rebuilt from its constructor arguments (extract learns
that when it reads the types).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from analyzer.boundaries.hazards import ERROR, WARNING, Finding
from analyzer.boundaries.plan import Operation
from analyzer.graph import CodeGraph

INSTANCE_REBUILT = "instance-rebuilt"
INSTANCE_STATE_WRITE = "instance-state-write"
SUBCLASSED_OPERATION_CLASS = "subclassed-operation-class"
INSTANCE_NOT_REBUILDABLE = "instance-not-rebuildable"
REBUILD_HINT = ("give __init__ parameters with wire-safe type hints (str, int, Decimal, a dataclass, ...) and keep "
                "live resources (connections, clients, files) out of them, opening them in the method; or make it a "
                "staticmethod or classmethod that takes what it needs")


def class_operations(graph: CodeGraph, named: Iterable[Operation], own: set[str]) -> dict[str, Operation]:
    """Method -> the plan entry that makes it an operation: its own, else its class's."""
    found: dict[str, Operation] = {}
    for entry in named:
        if entry.function not in graph or graph.attr(entry.function, "module") not in own:
            continue
        kind = graph.attr(entry.function, "kind")
        if kind == "class":
            for method in public_methods(graph, entry.function):
                found.setdefault(method, entry)
        elif kind == "method":
            found[entry.function] = entry
    return dict(sorted(found.items()))


def public_methods(graph: CodeGraph, cls: str) -> list[str]:
    """The public methods defined in `cls`'s own body, properties left out."""
    prefix = cls + "."
    return sorted(m for m in graph.nodes("method") if m.startswith(prefix) and "." not in m[len(prefix):]
                  and not m[len(prefix):].startswith("_") and graph.attr(m, "method_kind") != "property")


def object_findings(graph: CodeGraph, service: str, operations: Iterable[Any]) -> list[Finding]:
    """The hazards of a service's method operations (OperationSpec values with `cls` set)."""
    found: list[Finding] = []
    classes: set[str] = set()
    for op in operations:
        if not op.cls:
            continue
        if op.method_kind in ("instance", "class"):  # a staticmethod does not depend on its class
            classes.add(op.cls)
        if op.method_kind == "instance":
            found.extend(_instance_findings(graph, service, op))
    for cls in sorted(classes):
        found.extend(_subclass_findings(graph, service, cls))
    return found


def self_writes(graph: CodeGraph, method: str, cls: str) -> list[tuple[str, str, str]]:
    """(file:line, attribute, method) of each change to the object that `method` makes, itself
    or through the instance methods of `cls` and its bases it calls (`self.helper()`,
    `super().charge(...)`), by location."""
    family = _ancestors(graph, cls)
    found: set[tuple[str, str, str]] = set()
    seen: set[str] = set()
    todo = [method]
    while todo:
        code = todo.pop()
        if code in seen:
            continue
        seen.add(code)
        file = graph.attr(code, "file")
        found.update((f"{file}:{w['line']}", w["attr"], code) for w in graph.attr(code, "self_writes") or ())
        todo.extend(t for t in graph.targets(code, "calls") if graph.attr(t, "kind") == "method"
                    and graph.attr(t, "method_kind") == "instance" and t.rsplit(".", 1)[0] in family)
    return sorted(found, key=lambda w: (w[2] != method, w[0], w[1]))


def _ancestors(graph: CodeGraph, cls: str) -> set[str]:
    found: set[str] = set()
    todo = [cls]
    while todo:
        current = todo.pop()
        if current not in found and current in graph:
            found.add(current)
            todo.extend(graph.targets(current, "inherits"))
    return found


def _instance_findings(graph: CodeGraph, service: str, op: Any) -> list[Finding]:
    writes = self_writes(graph, op.name, op.cls)
    short = op.cls.rsplit(".", 1)[-1]
    changed = sorted({attr for _, attr, _ in writes})
    note = (f"; it changes {', '.join('self.' + a for a in changed)}, which the plan accepts "
            "(discard_instance_changes)" if changed and op.discard_instance_changes else "")
    found = [Finding(INSTANCE_REBUILT, WARNING, op.location, op.name, service,
                     f"{op.name} runs on a {short} the service rebuilds from the constructor arguments the caller's "
                     f"instance was made with, for each call: changes the method makes to its object are not seen "
                     f"by the caller{note}",
                     "return what the caller needs, or keep state in a table or a cache service")]
    if op.discard_instance_changes:
        return found
    for location, attr, where in writes:
        through = "" if where == op.name else f" (in {where}, which it calls)"
        found.append(Finding(
            INSTANCE_STATE_WRITE, ERROR, location, op.name, service,
            f"{op.name} changes self.{attr}{through}: the service runs it on a rebuilt {short}, so the caller's "
            "instance would not see the change",
            f"return the new value instead of keeping it on the object, make {op.name.rsplit('.', 1)[-1]} a "
            "staticmethod, or accept the loss in the plan with `discard_instance_changes: true` under the "
            "operation"))
    return found


def _subclass_findings(graph: CodeGraph, service: str, cls: str) -> list[Finding]:
    found = []
    for sub in sorted(graph.sources(cls, "inherits")):
        location = f"{graph.attr(sub, 'file')}:{graph.attr(sub, 'line') or 1}"
        found.append(Finding(
            SUBCLASSED_OPERATION_CLASS, ERROR, location, sub, service,
            f"{sub} subclasses {cls}, whose methods are operations of {service}: the service only knows {cls}, "
            "so the subclass's instances would run the base class's code, without their overrides",
            f"fold the subclass's differences into {cls} (a constructor argument), or stop naming {cls}'s "
            "methods as operations (the class then stays in the monolith as written)"))
    return found


def rebuild_findings(service: str, op: Any, described: Mapping[str, Any]) -> list[Finding]:
    """An instance method whose object the service cannot rebuild (what the types say), or
    one an event triggers, whose event carries no constructor arguments for a class that needs some."""
    if "instance_error" in described:
        return [Finding(INSTANCE_NOT_REBUILDABLE, ERROR, op.location, op.name, service,
                        f"{op.name} is an instance method, and the service cannot rebuild a {op.cls} to run it on: "
                        f"{described['instance_error']}", REBUILD_HINT)]
    required = (described.get("instance") or {}).get("required")
    if op.invocation.kind not in ("sync", "async") and required:
        return [Finding(INSTANCE_NOT_REBUILDABLE, ERROR, op.location, op.name, service,
                        f"{op.name} is an instance method triggered by {op.invocation.kind} events, which carry no "
                        f"constructor arguments, and a {op.cls} needs {', '.join(required)}",
                        "give those __init__ parameters defaults (the service builds the object with them), or "
                        "make it a staticmethod or classmethod")]
    return []
