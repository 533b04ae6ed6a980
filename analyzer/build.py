"""Facts + resolution -> the `CodeGraph` (pure), with the framework roles of `frameworks.py`."""

from __future__ import annotations

import json
import marshal
from collections.abc import Iterable, Mapping, Set
from operator import attrgetter
from typing import Any

from .exprs import MUTATING_METHODS
from .facts import Definition, Diagnostic, Expr, FileFacts, Variable
from .frameworks import Detection, detect
from .graph import CodeGraph
from .relationships import RelationshipRead
from .resolve import Resolution, expr_text
from .result_changes import Change
from .values import Program

UNIT_OF_WORK_ENDS = frozenset({"commit", "rollback"})  # a session's (or a connection's), whatever its name
_UNRESOLVED_ORDER = attrgetter("scope", "line", "expr")  # how graph.json lists unresolved calls (read in C)


def build_graph(files: list[FileFacts], resolution: Resolution, root_name: str,
                tree_diagnostics: Iterable[Diagnostic] = (), detection: Detection | None = None,
                kept_nodes: Mapping[str, bytes] | None = None, made_nodes: dict[str, bytes] | None = None) -> CodeGraph:
    """`detection`: what `frameworks.detect` finds in these files (found here when not given).
    `kept_nodes`: by file path, its definitions' node attributes as `encode_node_attrs` wrote them
    (they depend on the file's facts alone); `made_nodes`, when given, gets those of the other files."""
    graph = CodeGraph()
    if detection is None:
        detection = detect(files, resolution.data.tables)
    graph.meta = {"root": root_name, "frameworks": detection.frameworks, "domains": detection.domains}
    roles = detection.roles
    program = resolution.program
    class_state: dict[str, list[Variable]] = {}
    for qname in sorted(program.class_variables):
        class_state.setdefault(program.module_of[qname], []).append(program.variables[qname])
    tables = resolution.data.tables
    kept_nodes = kept_nodes or {}
    for facts in files:
        blob = kept_nodes.get(facts.path)
        if blob is not None:
            found = marshal.loads(blob)
        else:
            found = [_definition_attrs(facts, definition) for definition in facts.definitions]
            if made_nodes is not None:
                made_nodes[facts.path] = encode_node_attrs(found)
        _add_definitions(graph, facts.definitions, found, roles, tables)
        _add_variables(graph, facts, class_state.get(facts.module, ()), resolution, roles)
    for table in sorted(resolution.tables):
        graph.add_symbol(f"table:{table}", "table", name=table)
    for name in sorted(resolution.externals):
        if name not in graph:
            graph.add_symbol(name, "external")
    graph.add_edges(_edge_attrs(resolution, graph.node_ids()))
    graph.unresolved_calls = [{"expr": u.expr, "line": u.line, "scope": u.scope, "dynamic": True} if u.dynamic
                              else {"expr": u.expr, "line": u.line, "scope": u.scope}
                              for u in sorted(resolution.unresolved, key=_UNRESOLVED_ORDER)]
    graph.meta["call_sites"] = resolution.call_sites
    graph.diagnostics = sorted(
        [d._asdict() for facts in files for d in facts.diagnostics] + [d._asdict() for d in tree_diagnostics],
        key=lambda d: (d["file"], d["line"], d["code"]))
    return graph


def _add_definitions(graph: CodeGraph, definitions: list[Definition], found: list[dict],
                     roles: Mapping[str, str], tables: Mapping[str, str]) -> None:
    """One file's definitions as nodes: their attributes as the file alone gives them (`found`)
    with the role and table that the whole program gives them."""
    for definition, attrs in zip(definitions, found, strict=True):
        qname = definition.qname
        role = roles.get(qname)
        if role is not None:
            attrs["role"] = role
        if definition.kind == "class":
            table = tables.get(qname)
            if table is not None:
                attrs["table"] = table
        graph.add_node_attrs(qname, attrs)


def _add_variables(graph: CodeGraph, facts: FileFacts, class_state: Iterable[Variable],
                   resolution: Resolution, roles: Mapping[str, str]) -> None:
    """One file's module variables and its classes' state as nodes (those the program kept:
    of two bindings of one name, the one it holds), each built as `add_symbol` would keep it."""
    program = resolution.program
    variables, state, resources, registries = program.variables, resolution.state, resolution.resources, \
        resolution.registries
    path, module = facts.path, facts.module
    for variable in (*facts.variables, *class_state):
        qname = variable.qname
        if variables.get(qname) is not variable:
            continue
        attrs: dict[str, Any] = {"kind": "variable", "file": path, "line": variable.line, "module": module,
                                 "mutable": variable.mutable, "state": qname in state}
        if variable.table_name is not None:
            attrs["table"] = variable.table_name
        role = _variable_role(qname, roles, program)
        if role is not None:
            attrs["role"] = role
        resource = resources.get(qname)
        if resource is not None:
            attrs["resource"] = resource
        if qname in registries:
            attrs["filled_at_import"] = True
        graph.add_node_attrs(qname, attrs)


def _edge_attrs(resolution: Resolution, nodes: Set[str]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The attributes of each resolved edge between two nodes, as `CodeGraph.add_edges` takes them,
    in the resolution's order. Most edges have a count, a kind and one line, and nothing else:
    the loop tests each attribute once and sorts only lines that need it (33k edges on Django)."""
    externals, relationship_reads = resolution.externals, resolution.relationship_reads
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    for key, info in resolution.edges.items():
        source, target, kind = key
        if source not in nodes or target not in nodes:
            continue
        lines = info.lines
        attrs: dict[str, Any] = {"count": info.count, "kind": kind,
                                 "lines": sorted(lines) if len(lines) > 1 else [*lines],
                                 "source": source, "target": target}
        if info.virtual:
            attrs["virtual"] = True
        if info.unused_result:
            attrs["unused_result"] = info.unused_result
        if info.unsafe_args:
            attrs["unsafe_args"] = _unsafe_args(info.unsafe_args)
        if info.arg_values:
            attrs["arg_values"] = _arg_values(info.arg_values)
        if info.changed_result and target not in externals:
            attrs["changed_result"] = _changed_result(info.changed_result)
        edges[key] = attrs
    for (source, target), reads in relationship_reads.items():  # a few (none on Django)
        found = edges.get((source, target, "calls"))
        if reads and found is not None and target not in externals:
            found["relationship_reads"] = _relationship_reads(reads)
    return edges


def node_attrs_blob(facts: FileFacts) -> bytes:
    """One file's definitions' node attributes encoded, as `build_graph` takes them in `kept_nodes`."""
    return encode_node_attrs([_definition_attrs(facts, definition) for definition in facts.definitions])


def encode_node_attrs(found: list[dict]) -> bytes:
    """One file's definitions' node attributes as bytes for nodecache.py (before roles and tables,
    which depend on other files, are added to them)."""
    return marshal.dumps(found)


def _call_findings(definition: Definition) -> tuple[list[dict] | None, list[int] | None, list[int] | None]:
    """What a function's calls (and stores) say, from one pass over its calls:

    - self writes: where an instance method other than a dunder changes its instance: `self.x = ...`,
      `self.x += ...`, `del self.x`, `self.x[k] = ...`, `self.x.append(...)` (the mutating methods of
      analyzer/exprs.py), as `{"attr", "line"}` sorted by line. Such changes stay with the object
      the method ran on, which matters when that object is rebuilt for one call in a service.
    - commits: lines where the function ends its unit of work: `x.commit()` or `x.rollback()` on any
      receiver. Writes made before such a line are no longer pending when the function calls on.
    - returned calls: lines of calls whose result the function returns as it is (`return helper(session,
      ...)`): the function ends there, so what the callee leaves uncommitted is not pending at later
      lines. Only a callee called once in the function is placed (the returned expression has no line).
    """
    scope = definition.scope
    me = _instance_name(definition)
    stores, returns = scope.stores, scope.returns  # most functions return no call and store nothing on self
    writes = {(store.line, attr) for store in stores
              for attr in [_attribute_of(store.target, me)] if attr} if me is not None and stores else set()
    returned = {expr[1] for expr in returns if expr and expr[0] == "call"} if returns else None
    commits: set[int] = set()
    sites: dict[Expr, list[int]] = {}
    for call in scope.calls:
        func = call.func
        if func[0] == "attr":
            if func[2] in UNIT_OF_WORK_ENDS and not call.synthetic:
                commits.add(call.line)
            if me is not None and func[2] in MUTATING_METHODS:
                attr = _attribute_of(func[1], me)
                if attr:
                    writes.add((call.line, attr))
        if returned and func in returned and not call.synthetic:
            sites.setdefault(func, []).append(call.line)
    once = [lines[0] for lines in sites.values() if len(lines) == 1] if sites else None
    return ([{"attr": attr, "line": line} for line, attr in sorted(writes)] if writes else None,
            sorted(commits) if commits else None,
            sorted(once) if once else None)


def _instance_name(definition: Definition) -> str | None:
    """The name an instance method other than a dunder calls its instance by (None for others)."""
    if definition.method_kind != "instance" or not definition.params \
            or definition.qname.rsplit(".", 1)[-1].startswith("__"):
        return None
    return definition.params[0].name


def _attribute_of(expr: Expr, me: str) -> str | None:
    """`x` for `self.x`, `self.x[k]` or `self.x.y` (the attribute of `me` that holds what is written)."""
    attr = None
    while expr[0] in ("attr", "sub"):
        if expr[0] == "attr":
            attr = expr[2]
        expr = expr[1]
    return attr if expr == ("name", me) else None


def _unsafe_args(found: Set[tuple]) -> list[dict] | None:
    """A `calls` edge's arguments that cannot be serialised, by line and position (keywords last);
    what lands in an untyped parameter also names it, and a model instance its class."""
    ordered = sorted(found, key=lambda u: (u[0], isinstance(u[1], str), str(u[1]).zfill(4), *map(str, u[2:])))
    return [{"line": u[0], "arg": u[1], "passed": u[2], "expr": u[3],
             **({"param": u[4]} if len(u) > 4 else {}), **_detail(u[2], u[5] if len(u) > 5 else "")}
            for u in ordered] or None


def _detail(passed: str, detail: str) -> dict:
    """A model instance's class (`type`), or the attributes the callee reads of a request (`reads`)."""
    if not detail:
        return {}
    return {"reads": detail.split(",")} if passed == "request" else {"type": detail}


def _arg_values(found: Set[tuple[str, str, str]]) -> list[dict] | None:
    """Literal values and plain JSON types passed to untyped parameters of a `calls` edge's target
    (kept as JSON text while resolving, so that 1 and True stay apart)."""
    return [{"param": param, kind: json.loads(text) if kind == "value" else text}
            for param, kind, text in sorted(found)] or None


def _changed_result(found: Set[Change]) -> list[dict] | None:
    """What the caller changed on the result of this edge's calls before committing it (result_changes.py)."""
    return [{"line": line, "attr": attr, "saved": saved} for line, attr, saved in sorted(found)] or None


def _relationship_reads(found: set[RelationshipRead]) -> list[dict] | None:
    """Relationships the caller read on the rows this edge's calls return (relationships.py)."""
    return [{"line": line, "attr": attr, "model": model, **({"via": via} if via else {})}
            for line, attr, model, via in sorted(found)] or None


def _variable_role(qname: str, roles: Mapping[str, str], program: Program) -> str | None:
    """A module variable's own role; a class attribute that is state takes its class's."""
    if qname in program.class_variables:
        return roles.get(qname.rsplit(".", 1)[0])
    return roles.get(qname)


def _definition_attrs(facts: FileFacts, definition: Definition) -> dict:
    """A definition's node attributes as `CodeGraph.add_node_attrs` takes them: its kind first,
    none that is None."""
    kind = definition.kind
    attrs: dict = {
        "kind": kind,
        "file": facts.path,
        "line": definition.line,
        "end_line": definition.end_line,
        "size": definition.end_line - definition.line + 1,
        "module": facts.module,
    }
    if definition.docstring is not None:
        attrs["doc"] = definition.docstring
    if kind == "module":
        attrs["size"] = facts.lines
        if facts.is_package:
            attrs["package"] = facts.is_package
    elif kind in ("function", "method"):
        _add_function_attrs(attrs, definition)
    return attrs


def _add_function_attrs(attrs: dict, definition: Definition) -> None:
    """A function's or method's own attributes, each only when it says something (some 9,000 on
    Django: each is set by a test, not by filtering a dict of them)."""
    attrs["params"] = [
        {"name": p.name, "kind": p.kind, "annotation": p.annotation_text, "default": p.has_default}
        for p in definition.params
    ]
    if definition.returns_text is not None:
        attrs["returns"] = definition.returns_text
    if definition.is_async:
        attrs["is_async"] = definition.is_async
    if definition.method_kind is not None:
        attrs["method_kind"] = definition.method_kind
    if definition.decorators:
        attrs["decorators"] = [expr_text(d) for d in definition.decorators]
    if definition.scope.mutated_params:
        attrs["mutates"] = sorted(definition.scope.mutated_params)
    self_writes, commits, returned_calls = _call_findings(definition)
    if self_writes is not None:
        attrs["self_writes"] = self_writes
    if commits is not None:
        attrs["commits"] = commits
    if returned_calls is not None:
        attrs["returned_calls"] = returned_calls
    if definition.qname.endswith(">") and "<lambda:" in definition.qname and definition.parent is not None:
        attrs["parent"] = definition.parent  # a lambda: the function (or class, module) that wrote it
