"""Facts of every file -> edges between qualified names (the global step).

Call sites become `calls` / `instantiates` edges, writes and reads become data edges,
and whatever cannot be resolved is kept as an `UnresolvedCall`, never guessed.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple, Protocol

from .arguments import MAX_VALUES, REQUEST, VALUE, Flow, argument_flows, attributes_read, untyped_parameter
from .bindings import collect_bindings, variables_in
from .data import (
    DJANGO_WRITES,
    INSTANCE_WRITES,
    JOINS,
    QUERY_WRITES,
    RELATED_WRITES,
    SESSION_CLASS_READS,
    SESSION_WRITES,
    SQLALCHEMY_READ_FUNCS,
    SQLALCHEMY_WRITE_FUNCS,
    DataFound,
    DataModel,
    mutated_container,
    sql_tables,
)
from .facts import CallSite, Definition, Expr, FileFacts
from .fieldpickle import by_fields, dumps
from .forked import Forked
from .parse import SQL_CALLS
from .registries import filled_at_import
from .relationships import KeptReads, RelationshipRead, relationship_reads
from .resources import per_process_variables
from .result_changes import Change, Site, changed_results
from .values import Outline, Program, Value, ordered

NOTHING: frozenset = frozenset()  # what an edge's rarely filled fields hold while empty: one object for all


@dataclass(slots=True)
class EdgeInfo:
    """What the calls, reads or writes from one name to another have in common. Its collections
    are immutable, replaced when something is added: a set takes 216 bytes even when empty or
    holding one line, and nearly every edge has one line and leaves the last three fields empty.
    So the lines are a tuple (48 bytes for one) and the empty fields all hold the one shared
    NOTHING (Django's 32,600 resolved edges took 41 MB, now 14 MB)."""

    lines: tuple[int, ...] = ()
    count: int = 0
    virtual: bool = False  # a call that may dispatch to an override (class hierarchy analysis)
    unused_result: int = 0  # calls whose result is ignored (fire-and-forget candidates)
    # arguments that cannot be serialised: (line, position or keyword, what was passed, its text), and for
    # what lands in an untyped parameter (arguments.py) also (the parameter, the model class for a model,
    # the attributes the callee reads of it for a request, joined by commas)
    unsafe_args: frozenset[tuple] = NOTHING
    # literal values and plain types passed to untyped parameters: (parameter, "value" or "type", JSON text)
    arg_values: frozenset[tuple[str, str, str]] = NOTHING
    # the caller changed the call's result and committed it: (line of the change, attribute, line of the commit)
    changed_result: frozenset[tuple[int, str, int]] = NOTHING


# Arguments that cannot cross a wire (see `_unsafe_args`): outside calls whose result is an
# open file, or a callable made from other callables; an argument calling anything else is data.
OPEN_FILE_CALLS = frozenset({
    "builtins.open", "io.open", "io.FileIO", "codecs.open", "gzip.open", "bz2.open", "lzma.open",
    "os.fdopen", "pathlib.Path.open", "tempfile.TemporaryFile", "tempfile.NamedTemporaryFile",
    "tempfile.SpooledTemporaryFile"})
CALLABLE_CALLS = frozenset({"functools.partial", "operator.attrgetter", "operator.itemgetter",
                            "operator.methodcaller"})
_UNSAFE_CALL_NAMES = frozenset(n.rsplit(".", 1)[-1] for n in OPEN_FILE_CALLS | CALLABLE_CALLS)
_INTERNAL_CALLEES = frozenset({"sym", "bound", "inst"})
# Outside functions that call the functions they are given (any positional argument, `key=`).
CALLING_FUNCTIONS = frozenset({
    "builtins.map", "builtins.filter", "builtins.sorted", "builtins.min", "builtins.max", "functools.reduce",
    "itertools.starmap", "itertools.filterfalse", "itertools.takewhile", "itertools.dropwhile",
    "itertools.accumulate", "itertools.groupby", "heapq.nsmallest", "heapq.nlargest", "heapq.merge",
    "functools.cmp_to_key", "builtins.apply"})
# Builtins that call a method of the instance they are given.
DUNDER_CALLS = {"builtins.iter": "__iter__", "builtins.next": "__next__", "builtins.len": "__len__",
                "builtins.repr": "__repr__", "builtins.hash": "__hash__", "builtins.reversed": "__reversed__",
                "builtins.abs": "__abs__", "builtins.format": "__format__", "builtins.bool": "__bool__"}
DYNAMIC_CALLS = frozenset({"builtins.eval", "builtins.exec"})  # code from a string: unresolved-dynamic
_DYNAMIC_VALUES = frozenset(("ext", name) for name in DYNAMIC_CALLS)
_CALLING_OUTSIDE = CALLING_FUNCTIONS | frozenset(DUNDER_CALLS)  # outside functions calling an argument or its method
_CALLABLE_KINDS = frozenset({"function", "method", "class"})
_STATEMENTS = frozenset({"insert", "update", "delete", "select"})  # `table.insert()`: the receiver's table
_RECEIVER_METHODS = SESSION_WRITES | SESSION_CLASS_READS | JOINS | INSTANCE_WRITES | _STATEMENTS
_MANAGERS = frozenset({"objects", "query"})
_UNSAFE_TAGS = frozenset({"bound", "sym", "extresult", "extinst"})  # the values `_unsafe_value` looks at


def _names_variable(program: Program, values: frozenset) -> bool:
    """Whether one of these values is a module or class variable (what `variables_in` lists)."""
    for value in values:  # noqa: SIM110 -- a loop, not any(): no generator per call site
        if value[0] == "sym" and value[1] in program.variables:
            return True
    return False


def _accessor(definition: Definition) -> bool:
    """A property, or its setter or deleter (`@x.setter`): reading the attribute gives a value."""
    return definition.method_kind == "property" or any(
        d[0] == "attr" and d[2] in ("setter", "deleter", "getter") for d in definition.decorators)


ArgValue = tuple[str, str, str]  # (parameter, "value" or "type", JSON text or type name)


def _into_untyped(callee: Definition, flows: tuple[Flow, ...]) -> tuple[tuple[tuple, ...], tuple[ArgValue, ...]]:
    """The flows that land in untyped parameters of `callee` (a function, or a static method: what
    an operation is): the ones no wire carries as `unsafe_args` entries, literals and types as values."""
    if callee.kind != "function" and callee.method_kind != "static":
        return (), ()
    unsafe: list[tuple] = []
    values: list[ArgValue] = []
    for flow in flows:
        param = untyped_parameter(callee, flow.arg, bound=False)
        if param is None:
            continue
        if flow.passed == VALUE and flow.detail.startswith("type:"):
            values.append((param, "type", flow.detail.removeprefix("type:")))
        elif flow.passed == VALUE:
            values.append((param, "value", flow.detail))
        else:
            detail = ",".join(attributes_read(callee, param)) if flow.passed == REQUEST else flow.detail
            unsafe.append((flow.arg, flow.passed, flow.expr, param, detail))
    return tuple(unsafe), tuple(values)


class UnresolvedCall(NamedTuple):
    """A call site nothing was found for (a named tuple: Django's 9,400, read back from the
    cache, are made a third faster than frozen dataclasses, which set each field through
    object.__setattr__)."""

    scope: str
    line: int
    expr: str
    dynamic: bool = False  # eval/exec: code built at run time, not a call we failed to follow


@dataclass(slots=True)
class FileResolution:
    """What resolving one module's definitions found, and the modules that resolution read
    (with names that might become modules): it stays true while none of those change."""

    edges: dict[tuple[str, str, str], EdgeInfo]
    unresolved: list[UnresolvedCall]
    call_sites: int
    externals: set[str]
    read_candidates: list[tuple[str, str, int]]
    reads: tuple[str, ...]
    tables: tuple[str, ...] = ()  # those its edges read, write or map to: merged without going over the edges


_BY_FIELDS = by_fields(EdgeInfo, FileResolution)


def pickled_resolution(found: FileResolution) -> bytes:
    """A module's resolution as kept for the next run, or sent back by a forked resolver
    (read back with `pickle.loads`)."""
    return dumps(found, _BY_FIELDS)


@dataclass(slots=True)
class Resolution:
    program: Program
    data: DataModel
    edges: dict[tuple[str, str, str], EdgeInfo]
    unresolved: list[UnresolvedCall]
    call_sites: int
    externals: set[str]
    tables: set[str]
    state: set[str]
    resources: dict[str, str] = field(default_factory=dict)  # per-process configuration -> its factory
    registries: set[str] = field(default_factory=set)  # module state filled only at import, by its module
    by_module: dict[str, FileResolution] = field(default_factory=dict)
    resolved: set[str] = field(default_factory=set)  # the modules resolved in this run (the others were kept)
    # (caller, callee) -> relationships the caller read on the rows the callee returns (relationships.py)
    relationship_reads: dict[tuple[str, str], set[RelationshipRead]] = field(default_factory=dict)
    pickled: dict[str, bytes] = field(default_factory=dict)  # `pickled_resolution` of some of by_module, made already
    loading_names: frozenset[str] = frozenset()  # attribute names that load a relationship (relationships.py)


# Program.param_values, .stored, .rebound_class_variables()
Bindings = tuple[dict[tuple[str, str], set[Value]], dict[str, set[Value]], tuple[str, ...]]


class Previous(Protocol):
    """What a previous run can give this one (reuse.py)."""

    def outline(self, files: Mapping[str, FileFacts]) -> Outline | None:
        """The program's outline (values.Program) when no file reads differently to other modules."""

    def bindings(self, program: Program) -> Bindings | None:
        """The bindings (bindings.py) when no file changed what they are found from."""

    def data(self) -> DataFound | None:
        """The data model's tables and related managers when the bindings were kept: what they
        are found from (classes, module-level names, bindings) reads the same."""

    def resolutions(self, program: Program, data: DataModel) -> dict[str, FileResolution]:
        """The modules whose resolution is still true, given this run's program."""

    def relationship_reads(self, resolved: set[str]) -> KeptReads | None:
        """What the relationship pass found that still holds, given the modules resolved again."""


Meanwhile = Callable[[Program, DataModel], None]


def resolve(files: list[FileFacts], jobs: int | None = None, previous: Previous | None = None,
            meanwhile: Meanwhile | None = None) -> Resolution:
    """Resolve every module's definitions, or only those `previous` cannot give: a definition's
    resolution depends on the facts alone (memo.py), so the kept ones are what a new
    resolution would find. `meanwhile`: run once on the program and its data model, while a
    forked process resolves its share (otherwise after resolving); it must not change them."""
    program = Program(files, previous.outline({f.module: f for f in files}) if previous is not None else None)
    definitions = sorted(program.defs.values(), key=lambda d: d.qname)
    kept = previous.bindings(program) if previous is not None else None
    if kept is None:
        program.register_rebound_class_attributes()
        collect_bindings(program, definitions)
    else:
        program.param_values, program.stored, rebound = kept
        program.register_class_variables(rebound)
    program.freeze()
    data = DataModel(program, previous.data() if previous is not None else None)
    by_module = previous.resolutions(program, data) if previous is not None else {}
    todo = [d for d in definitions if program.module_of[d.qname] not in by_module]
    # the relationship pass below reads a caller's own module's edges: when every module is resolved
    # now, each process resolving some reads for their callers too
    fresh, pickled, found_reads = _resolve_modules(program, data, todo, jobs, meanwhile or _nothing,
                                                   with_reads=not by_module)
    by_module.update(fresh)
    resolver = _Resolver(program, data)
    for module in sorted(by_module):
        resolver.take(by_module[module])
    state = resolver.state_variables()
    resources = per_process_variables(program, state)  # built by each process: configuration, not state
    registries = filled_at_import(program, resolver.edges, state - set(resources))  # the same in every process
    configuration = set(resources) | registries
    state -= configuration
    resolver.add_reads(state | configuration)
    tables = set(data.tables.values()) | resolver.tables
    # a global pass: it reads the model classes' methods, which a kept resolution does not depend on
    kept_reads = previous.relationship_reads(set(fresh)) if previous is not None else None
    if found_reads is not None and kept_reads is None:
        reads, loading = found_reads
    else:
        reads, loading = relationship_reads(program, data, definitions, resolver.edges, kept_reads)
    return Resolution(program, data, resolver.edges, resolver.unresolved, resolver.call_sites,
                      resolver.externals, tables, state,
                      resources, registries, by_module, set(fresh), reads, pickled, loading)


def _nothing(program: Program, data: DataModel) -> None:
    return None


Reads = tuple[dict[tuple[str, str], set[RelationshipRead]], frozenset[str]]  # what relationship_reads gives


def _resolve_modules(program: Program, data: DataModel, definitions: list[Definition], jobs: int | None,
                     meanwhile: Meanwhile, with_reads: bool = False
                     ) -> tuple[dict[str, FileResolution], dict[str, bytes], Reads | None]:
    """Resolve these definitions module by module; on Linux a forked process takes the modules
    holding the last part of a large program's work (`_work`), while this one runs `meanwhile`
    and then resolves the rest. Also gives the modules whose resolution came back pickled
    (`pickled_resolution`): the cache keeps those bytes as they are; and when split `with_reads`,
    what the relationship pass finds for these definitions, each process for the callers it
    resolved (a caller's `calls` edges are its module's), else None."""
    by_module: dict[str, list[Definition]] = {}
    for definition in definitions:
        by_module.setdefault(program.module_of[definition.qname], []).append(definition)
    modules = sorted(by_module.items())
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers < 2 or len(definitions) < PARALLEL_DEFINITIONS or not sys.platform.startswith("linux"):
        resolved = _resolve_each(program, data, modules)
        meanwhile(program, data)
        return resolved, {}, None
    weights = [sum(_work(d) for d in found) for _, found in modules]
    # the forked process starts later and pickles what it found (a tenth of its time on Django), this one
    # runs `meanwhile` (the framework detection: a fifth of its time on Django, cold) and then reads that:
    # with 11/20 of the work for the child both end together (7/15 and 17/30 ended later, measured)
    middle, counted = 0, 0
    while middle < len(modules) and counted < sum(weights) * 9 // 20:
        counted += weights[middle]
        middle += 1
    # the child inherits the program: nothing is pickled on the way in
    import multiprocessing  # here: a run in one process does without its import (some 5 ms)

    other = Forked(multiprocessing.get_context("fork"), _resolve_pickled, program, data, modules[middle:], with_reads)
    meanwhile(program, data)
    found = _resolve_each(program, data, modules[:middle])
    reads = _reads(program, data, modules[:middle], found) if with_reads else None
    sent, sent_reads = other.result("resolving definitions", hint="run again with --jobs 1")
    found.update((module, pickle.loads(blob)) for module, blob in sent.items())
    if reads is None or sent_reads is None:
        return found, sent, None
    return found, sent, ({**reads[0], **sent_reads[0]}, reads[1])


def _resolve_pickled(program: Program, data: DataModel, modules: list[tuple[str, list[Definition]]],
                     with_reads: bool) -> tuple[dict[str, bytes], Reads | None]:
    """`_resolve_each` in a forked process: each module's resolution pickled by its fields, which
    reads back some three times faster than pickle's own way (fieldpickle.py); and, `with_reads`,
    what the relationship pass finds for their definitions."""
    found = _resolve_each(program, data, modules)
    reads = _reads(program, data, modules, found) if with_reads else None
    return {module: pickled_resolution(resolution) for module, resolution in found.items()}, reads


def _reads(program: Program, data: DataModel, modules: list[tuple[str, list[Definition]]],
           found: dict[str, FileResolution]) -> Reads:
    """The relationship pass (relationships.py) over these modules' definitions, which reads
    the `calls` edges of each caller: those its module's resolution found."""
    edges: dict[tuple[str, str, str], EdgeInfo] = {}
    for module, _ in modules:
        edges.update(found[module].edges)
    return relationship_reads(program, data, sorted((d for _, ds in modules for d in ds), key=lambda d: d.qname),
                              edges)


def _resolve_each(program: Program, data: DataModel,
                  modules: list[tuple[str, list[Definition]]]) -> dict[str, FileResolution]:
    found: dict[str, FileResolution] = {}
    for module, definitions in modules:
        resolver, reads = _Resolver(program, data), 0
        for definition in definitions:
            resolver.scope(definition)
            reads |= program.reads()
        found[module] = resolver.file_resolution(reads)
    return found


def _work(definition: Definition) -> int:
    """About how much resolving a definition costs: its call sites and the names it reads."""
    return 1 + len(definition.scope.calls) + len(definition.scope.loads)


PARALLEL_DEFINITIONS = 4000  # below this, forking costs more than it saves


def _copy(info: EdgeInfo) -> EdgeInfo:
    return replace(info)


def _add(mine: EdgeInfo, info: EdgeInfo) -> None:
    """What another module found of the same edge, added to `mine`."""
    mine.lines += tuple(line for line in info.lines if line not in mine.lines)
    mine.count += info.count
    mine.virtual = mine.virtual and info.virtual
    mine.unused_result += info.unused_result
    mine.unsafe_args |= info.unsafe_args
    mine.arg_values |= info.arg_values
    mine.changed_result |= info.changed_result


def expr_text(expr: Expr) -> str:
    tag = expr[0]
    if tag == "name":
        return str(expr[1])
    if tag == "attr":
        return f"{expr_text(expr[1])}.{expr[2]}"
    if tag == "call":
        return f"{expr_text(expr[1])}(...)"
    if tag == "sub":
        return f"{expr_text(expr[1])}[...]"
    return "<expr>"


class _Resolver:
    def __init__(self, program: Program, data: DataModel) -> None:
        self.program = program
        self.data = data
        self.edges: dict[tuple[str, str, str], EdgeInfo] = {}
        self._site_changes: dict[Site, tuple[Change, ...]] = {}  # the definition being resolved's (result_changes)
        self._changes: tuple[Change, ...] = ()  # those of the call site being resolved
        self.unresolved: list[UnresolvedCall] = []
        self.call_sites = 0
        self.externals: set[str] = set()
        self.tables: set[str] = set()  # those its edges read, write or map to (`table_edge`), or the modules' taken in
        self.read_candidates: list[tuple[str, str, int]] = []
        # once `take` was called: the edges this resolver copied or made, the others are a module's
        # FileResolution's, which stays as it was found (it is kept)
        self._own: set[tuple[str, str, str]] | None = None
        self._accessors = frozenset(name for _, name in data.related)  # names of Django related managers
        # what the definition being resolved's expressions are in its own scope, each asked of the
        # evaluator once (`_values`): asked again, it gives the same answer and reads nothing new
        self._known: dict[Expr, frozenset] = {}
        self._lambdas: dict[str, str] | None = None  # its local names bound to a lambda or generator

    def file_resolution(self, reads: int) -> FileResolution:
        return FileResolution(self.edges, self.unresolved, self.call_sites, self.externals,
                              self.read_candidates, tuple(sorted(self.program.read_names(reads))),
                              tuple(sorted(self.tables)))

    def take(self, found: FileResolution) -> None:
        """Take in what resolving one module found. Its edges are shared until a second module
        adds to one (rare: Django has none), which then gets a copy."""
        if self._own is None:
            self._own = set()
        common = found.edges.keys() & self.edges.keys()
        for key in common:
            _add(self._owned(key), found.edges[key])
        if common:
            self.edges.update((key, info) for key, info in found.edges.items() if key not in common)
        else:
            self.edges.update(found.edges)
        self.unresolved.extend(found.unresolved)
        self.call_sites += found.call_sites
        self.externals |= found.externals
        self.read_candidates.extend(found.read_candidates)
        self.tables.update(found.tables)

    def _owned(self, key: tuple[str, str, str]) -> EdgeInfo:
        """This resolver's own copy of an edge it took from a module."""
        assert self._own is not None
        if key in self._own:
            return self.edges[key]
        self._own.add(key)
        mine = self.edges[key] = _copy(self.edges[key])
        return mine

    def edge(self, source: str, target: str, kind: str, line: int, *, virtual: bool = False,
             unused: bool = False, unsafe: tuple[tuple, ...] = (),
             values: tuple[tuple[str, str, str], ...] = ()) -> None:
        key = (source, target, kind)
        edges = self.edges
        info = edges.get(key)
        if info is None:  # two edges in three are new: made with their first call's fields
            info = edges[key] = EdgeInfo((line,), 1, virtual, 1 if unused else 0)
            if self._own is not None:
                self._own.add(key)
            if not unsafe and not values and not self._changes:
                return
        else:
            if self._own is not None:
                info = self._owned(key)
            info.count += 1
            if line not in info.lines:
                info.lines += (line,)
            if not virtual:
                info.virtual = False
            if unused:
                info.unused_result += 1
        if unsafe:
            info.unsafe_args = info.unsafe_args.union((line, *u) for u in unsafe)
        if values:
            for value in values:
                if sum(1 for v in info.arg_values if v[0] == value[0]) < MAX_VALUES:
                    info.arg_values = info.arg_values.union((value,))
        if self._changes and kind == "calls":
            info.changed_result = info.changed_result.union(self._changes)

    def table_edge(self, source: str, table: str, kind: str, line: int) -> None:
        """An edge to `table:<table>`: the resolution lists its tables without going over its edges."""
        self.tables.add(table)
        self.edge(source, f"table:{table}", kind, line)

    def external(self, name: str) -> str:
        self.externals.add(name)
        return name

    # -- one definition -------------------------------------------------------------------
    def scope(self, definition: Definition) -> None:
        qname = definition.qname
        self.program.begin()
        self._known = {}
        self._lambdas = None
        self._site_changes = changed_results(definition)
        call = self.call
        for site in definition.scope.calls:
            call(definition, site)
        for store in definition.scope.stores:
            self.store(definition, store)
        if definition.kind != "module":
            load = self.load
            for expr, line in definition.scope.loads.items():
                load(definition, expr, line)
        module = self.program.module_of[qname]
        for imp in definition.scope.imports:
            if imp.module == "__future__":
                continue
            target = self._import_target(imp.module, imp.member)
            self.edge(module, target, "imports", imp.line)
        for ref in definition.scope.type_refs:
            for value in self._values(ref, definition):
                if value[0] == "sym" and self.program.kind(value[1]) == "class":
                    self.edge(qname, value[1], "uses_type", definition.line)
        for decorator in definition.decorators:
            func = decorator[1] if decorator[0] == "call" else decorator
            scope = self.program.defs.get(definition.parent or "") or definition
            for value in self.program.eval(func, scope):
                if value[0] == "sym" and self.program.kind(value[1]) in ("function", "method", "class"):
                    self.edge(value[1], qname, "decorates", definition.line)
        if definition.kind == "class":
            scope = self.program.defs.get(definition.parent or "") or definition
            for base in self.program.base_values(qname):
                if base[0] == "sym" and self.program.kind(base[1]) == "class":
                    self.edge(qname, base[1], "inherits", definition.line)
                elif base[0] == "ext":
                    self.edge(qname, self.external(base[1]), "inherits", definition.line)
            table = self.data.tables.get(qname)
            if table:
                self.table_edge(qname, table, "maps_to", definition.line)
        for line, sql in definition.scope.sql:
            self.sql(qname, sql, line)

    def _import_target(self, module: str, member: str | None) -> str:
        if member and member != "*" and self.program.is_module(f"{module}.{member}"):
            return f"{module}.{member}"
        if self.program.is_module(module):
            return module
        return self.external(f"{module}.{member}" if member and member != "*" and not module else module)

    # -- calls ----------------------------------------------------------------------------
    def _values(self, expr: Expr, definition: Definition) -> frozenset:
        """What `expr` may be in the scope of the definition being resolved (`_known`)."""
        found = self._known.get(expr)
        if found is None:
            found = self._known[expr] = self.program.eval(expr, definition)
        return found

    def call(self, definition: Definition, site: CallSite) -> None:
        qname = definition.qname
        line, func, args, kwargs, result_used, synthetic, protocol = site
        callees = self._values(func, definition)
        if protocol:
            self._protocol_call(qname, callees, line)
            return
        internal = outside = calling = sqlalchemy = False
        for callee in callees:
            tag = callee[0]
            if tag in _INTERNAL_CALLEES:
                internal = True
            elif tag == "ext":
                outside = True
                name = callee[1]
                if name in _CALLING_OUTSIDE:  # `_called_arguments`
                    calling = True
                elif name.startswith("sqlalchemy"):  # `_data_call`
                    sqlalchemy = True
        unused = not result_used
        passed = args or kwargs
        unsafe: tuple[tuple, ...] = ()
        flows: tuple[Flow, ...] = ()
        if internal and passed and not synthetic:
            unsafe = self._unsafe_args(definition, site)
            if self._takes_flows(callees):
                flows = argument_flows(self.program, self.data, definition, site, expr_text,
                                       lambda expr: self._values(expr, definition))
        site_changes = self._site_changes
        self._changes = site_changes.get((line, func), ()) if site_changes else ()
        resolved = False
        if internal:
            for callee in (callees if len(callees) < 2 else ordered(callees)):
                resolved |= self._call_edges(qname, callee, line, unused, unsafe, flows)
        else:  # what `_call_edges` does with the others: an outside name is called, a getter on state read
            for callee in (callees if len(callees) < 2 else ordered(callees)):
                if callee[0] == "ext":
                    self.externals.add(callee[1])
                    self.edge(qname, callee[1], "calls", line, unused=unused)
                    resolved = True
                elif callee[0] == "method_of":
                    resolved = True
        if not resolved and func[0] == "attr":
            resolved = self._dispatch_elsewhere(definition, site)
        self._changes = ()
        # functions handed to outside code that calls them (with something outside called, or nothing found)
        if (outside or not resolved) and (kwargs or (calling and args)):
            self._called_arguments(definition, site, callees, resolved)
        if not synthetic:
            self.call_sites += 1
            if not resolved:
                self.unresolved.append(UnresolvedCall(qname, line, expr_text(func)))
            elif outside and not callees.isdisjoint(_DYNAMIC_VALUES):
                self.unresolved.append(UnresolvedCall(qname, line, expr_text(func), dynamic=True))
        if func[0] == "attr" or sqlalchemy:  # else nothing is read or written
            self._data_call(definition, site, callees, outside)
        if passed:
            self._referenced(definition, site)

    def _referenced(self, definition: Definition, site: CallSite) -> None:
        """Functions passed as values (callbacks) and SQL constants handed to a call."""
        program = self.program
        qname, line, func = definition.qname, site.line, site.func
        sql_call = func[0] in ("name", "attr") and func[-1] in SQL_CALLS
        arguments = site.args + tuple(a for _, a in site.kwargs) if site.kwargs else site.args
        for arg in arguments:
            if arg[0] != "name" and arg[0] != "attr":
                continue
            for value in self._values(arg, definition):
                tag = value[0]
                if tag == "sym":
                    target = value[1]
                    if program.kind(target) not in ("function", "method"):
                        if target in program.variables:
                            sql = program.variables[target].sql
                            if sql and sql_call:
                                self.sql(qname, sql, line)
                        continue
                elif tag == "bound":
                    target = value[1]
                else:
                    continue
                if program.defs[target].parent != qname:
                    self.edge(qname, target, "references", line)

    def _takes_flows(self, callees: frozenset) -> bool:
        """Whether one of these callees is a function that takes what the arguments are (`_into_untyped`),
        or a module variable that may hold one: `argument_flows` is worth finding only then."""
        program = self.program
        for callee in callees:
            if callee[0] != "sym":
                continue
            kind = program.kind(callee[1])
            if kind == "variable":
                return True
            if kind in ("function", "method"):
                definition = program.defs[callee[1]]
                if definition.kind == "function" or definition.method_kind == "static":
                    return True
        return False

    def _protocol_call(self, source: str, callees: frozenset, line: int) -> None:
        """A call the language makes (`__iter__` of a for loop, `__enter__`, `raise C`): only
        our own functions, methods and classes count; instances and outside names do not."""
        for callee in ordered(callees):
            if callee[0] == "bound" or (callee[0] == "sym" and self.program.kind(callee[1]) in _CALLABLE_KINDS):
                self._call_edges(source, callee, line, False)

    def _dispatch_elsewhere(self, definition: Definition, site: CallSite) -> bool:
        """`self.step()` on a class that does not define `step`: the subclasses that do (a
        template method), else the outside base class it inherits it from (`Thread.start`)."""
        name = site.func[2]
        found = False
        for value in ordered(self._values(site.func[1], definition)):
            if value[0] != "inst":
                continue
            for override in self.program.overrides(value[1], name):
                self.edge(definition.qname, override, "calls", site.line, virtual=True, unused=not site.result_used)
                found = True
            outside = None if found else self.program.external_base(value[1])
            if outside is not None:
                self.edge(definition.qname, self.external(f"{outside}.{name}"), "calls", site.line,
                          unused=not site.result_used)
                found = True
        return found

    def _called_arguments(self, definition: Definition, site: CallSite, callees: frozenset, resolved: bool) -> None:
        """Functions handed to outside code that calls them: `map(f, xs)`, `sorted(xs, key=f)`,
        `functools.reduce(f, xs)`, `xs.sort(key=f)`; and `iter(obj)`/`next(obj)`/`len(obj)` on
        an instance of one of our classes calls its `__iter__`/`__next__`/`__len__` (for a call
        that calls something outside, or nothing found)."""
        outside = [c[1] for c in callees if c[0] == "ext"]
        arguments: list[Expr] = []
        if any(name in CALLING_FUNCTIONS for name in outside):
            arguments.extend(site.args)
        if outside or not resolved:
            arguments.extend(arg for name, arg in site.kwargs if name == "key")
        program = self.program
        for arg in arguments:
            if arg[0] not in ("name", "attr", "lambda"):
                continue
            for value in ordered(self._values(arg, definition)):
                if value[0] == "bound" or (value[0] == "sym" and program.kind(value[1]) in _CALLABLE_KINDS):
                    self._call_edges(definition.qname, value, site.line, False)
        for name in outside:
            dunder = DUNDER_CALLS.get(name)
            if dunder and site.args:
                for value in self._values(site.args[0], definition):
                    member = program.class_member(value[1], dunder) if value[0] == "inst" else None
                    if member:
                        self.edge(definition.qname, member, "calls", site.line)

    def wrappers(self, qname: str) -> tuple[str, ...]:
        """What calling a decorated function runs besides it: the inner function its decorators
        return (`def logged(fn): ... return inner`); a decorator returning its argument adds nothing."""
        return self.program.settle(("wrappers", qname), lambda: self._wrappers(qname))

    def _wrappers(self, qname: str) -> tuple[str, ...]:
        program = self.program
        definition = program.defs[qname]
        scope = program.defs.get(definition.parent or "") or definition
        current: set[Value] = set()
        for decorator in reversed(definition.decorators):
            results: set[Value] = set()
            for value in program.eval(decorator, scope):
                if value[0] == "bound" or (value[0] == "sym" and program.kind(value[1]) in ("function", "method")):
                    results |= program.returns(program.defs[value[1]])
            if ("sym", qname) in results:
                continue  # returns what it was given (registers it, or checks it)
            callables = {v for v in results if v[0] == "bound"
                         or (v[0] == "sym" and program.kind(v[1]) in ("function", "method"))}
            if callables:
                current = callables
        return tuple(sorted(v[1] for v in current if v[1] != qname))

    def _call_edges(self, source: str, callee: Value, line: int, unused: bool,
                    unsafe: tuple[tuple, ...] = (), flows: tuple[Flow, ...] = ()) -> bool:
        tag = callee[0]
        program = self.program
        if tag == "sym":
            kind = program.kind(callee[1])
            if kind in ("function", "method"):
                into, values = _into_untyped(program.defs[callee[1]], flows) if flows else ((), ())
                self.edge(source, callee[1], "calls", line, unused=unused, unsafe=unsafe + into, values=values)
                if program.defs[callee[1]].decorators:
                    for wrapper in self.wrappers(callee[1]):
                        if wrapper != source:  # the wrapper calling what it wraps
                            self.edge(source, wrapper, "calls", line, unused=unused, unsafe=unsafe)
                return True
            if kind == "class":
                self.edge(source, callee[1], "instantiates", line, unused=unused)
                init = program.class_member(callee[1], "__init__")
                if init:
                    self.edge(source, init, "calls", line, unused=unused, unsafe=unsafe)
                return True
            if kind == "variable":
                found = False
                for value in ordered(program.callables_in(callee[1])):
                    found |= self._call_edges(source, value, line, unused, unsafe, flows)
                return found
            return False
        if tag == "method_of":  # a getter on module state: recorded as a read, not a call
            return True
        if tag == "bound":
            self.edge(source, callee[1], "calls", line, unused=unused, unsafe=unsafe)
            if callee[2]:
                name = callee[1].rsplit(".", 1)[1]
                for override in program.overrides(callee[2], name):
                    if override != callee[1]:
                        self.edge(source, override, "calls", line, virtual=True, unused=unused, unsafe=unsafe)
            return True
        if tag == "inst":
            call = program.class_member(callee[1], "__call__")
            if call:
                self.edge(source, call, "calls", line, unused=unused, unsafe=unsafe)
            return bool(call)
        if tag == "ext":
            self.edge(source, self.external(callee[1]), "calls", line, unused=unused)
            return True
        return False

    def _unsafe_args(self, definition: Definition, site: CallSite) -> tuple[tuple, ...]:
        """Arguments that cannot be serialised: (position or keyword, what was passed, its text).

        A lambda or generator expression as written; a name or attribute that stands for a
        function, method or bound method (what a `references` edge records) or for an open
        file (`f` after `with open(p) as f`); a call of `open(...)` or `functools.partial(...)`.
        Applying a decorator is left out: `decorates` edges say that already."""
        found: list[tuple[int | str, str, str]] = []
        arguments: list[tuple[int | str, Expr]] = list(enumerate(site.args))
        if site.kwargs:
            arguments += [(name, arg) for name, arg in site.kwargs if name != "**"]
        for position, arg in arguments:
            tag = arg[0]
            if tag == "lambda":
                found.append((position, "lambda", "lambda"))
            elif tag == "genexp":
                found.append((position, "generator", "(... for ...)"))
            elif tag == "name" or tag == "attr" or (tag == "call" and arg[1][0] in ("name", "attr")
                                                    and arg[1][-1] in _UNSAFE_CALL_NAMES):
                values = self._values(arg, definition)
                passed = None
                for value in values:  # most arguments are data: nothing to look at in order
                    if value[0] in _UNSAFE_TAGS:
                        passed = self._unsafe_value(values)
                        break
                if passed is None and tag == "name":
                    passed = self._bound_to_lambda(definition, arg[1])
                if passed:
                    found.append((position, passed, expr_text(arg)))
        return tuple(found)

    def _bound_to_lambda(self, definition: Definition, name: str) -> str | None:
        """"lambda" or "generator" when a local `name` is bound to one (`key = lambda row: row.id`):
        the first such binding, the definition's found once."""
        lambdas = self._lambdas
        if lambdas is None:
            lambdas = self._lambdas = {}
            for target, value, _ in definition.scope.assigns:
                if value[0] == "lambda" or value[0] == "genexp":
                    lambdas.setdefault(target, "lambda" if value[0] == "lambda" else "generator")
        return lambdas.get(name)

    def _unsafe_value(self, values: frozenset) -> str | None:
        for value in ordered(values):
            tag = value[0]
            if tag == "bound" and not _accessor(self.program.defs[value[1]]):
                return "bound-method"
            if tag == "sym" and self.program.kind(value[1]) in ("function", "method") \
                    and not _accessor(self.program.defs[value[1]]):
                lambda_node = value[1].endswith(">") and "<lambda:" in value[1]
                return "lambda" if lambda_node else str(self.program.kind(value[1]))
            if tag in ("extresult", "extinst") and value[1] in OPEN_FILE_CALLS:
                return "open-file"
            if tag in ("extresult", "extinst") and value[1] in CALLABLE_CALLS:
                return "callable"
        return None

    # -- data -----------------------------------------------------------------------------
    def sql(self, source: str, sql: str, line: int) -> None:
        read, written = sql_tables(sql)
        for table in sorted(read):
            self.table_edge(source, table, "reads", line)
        for table in sorted(written):
            self.table_edge(source, table, "writes", line)

    def table_access(self, source: str, values, kind: str, line: int) -> None:
        for value in values:
            table = self.data.table(value)
            if table:
                self.table_edge(source, table, kind, line)

    def _data_call(self, definition: Definition, site: CallSite, callees: frozenset, outside: bool) -> None:
        """What a call reads and writes: `outside`, whether one of `callees` is an outside name."""
        qname = definition.qname
        program = self.program
        container = mutated_container(site)
        if container is not None:
            for var in variables_in(program, self._values(container, definition)):
                self.edge(qname, var, "writes", site.line)
        if outside:
            for callee in callees:
                if callee[0] != "ext" or not callee[1].startswith("sqlalchemy"):
                    continue
                name = callee[1].rsplit(".", 1)[-1]
                if name in SQLALCHEMY_READ_FUNCS:
                    self.table_access(qname, self._arg_values(definition, site), "reads", site.line)
                elif name in SQLALCHEMY_WRITE_FUNCS and site.args:
                    self.table_access(qname, self._values(site.args[0], definition), "writes", site.line)
        func = site.func
        if func[0] != "attr":
            return
        method, base = func[2], func[1]
        receivers = self._values(base, definition)
        if container is None and _names_variable(program, receivers):  # `CACHE.get(k)` reads CACHE
            for var in variables_in(program, receivers):
                self.read_candidates.append((qname, var, site.line))
        if method in _RECEIVER_METHODS:
            self._receiver_call(definition, site, receivers)
        # `Model.objects...`, `Model.query...`, a related manager, or a longer chain (`_manager_chain`)
        if base[0] != "name" or method in _MANAGERS or method in self._accessors:
            self._manager_chain(definition, site)

    def _receiver_call(self, definition: Definition, site: CallSite, receivers: frozenset) -> None:
        """A method of a session or a row: `session.add(order)`, `order.save()`, `table.insert()`."""
        qname, method = definition.qname, site.func[2]
        if method in SESSION_WRITES and site.args:
            self.table_access(qname, self._arg_values(definition, site, elements=True), "writes", site.line)
        elif method in SESSION_CLASS_READS and site.args:
            self.table_access(qname, self._values(site.args[0], definition), "reads", site.line)
        if method in JOINS:
            self.table_access(qname, self._arg_values(definition, site), "reads", site.line)
        if method in INSTANCE_WRITES:
            self.table_access(qname, {v for v in receivers if v[0] == "inst"}, "writes", site.line)
        if method in _STATEMENTS and not site.args:
            kind = "reads" if method == "select" else "writes"
            self.table_access(qname, {v for v in receivers if v[0] == "sym"}, kind, site.line)

    def _arg_values(self, definition: Definition, site: CallSite, *, elements: bool = False) -> set[Value]:
        """What the arguments are; `select(Order.id)` counts as Order, `add_all([a, b])` as a and b."""
        values: set[Value] = set()
        for arg in site.args:
            found = self._values(arg, definition)
            if elements:
                found = found | self.program.elements(found)
            values |= found
            if arg[0] == "attr":  # select(Order.id) reads orders
                values |= self._values(arg[1], definition)
        return values

    def _manager_chain(self, definition: Definition, site: CallSite) -> None:
        """`Model.objects.filter(...).update(...)`, `Model.query.get(...)`, `session.query(M).delete()`,
        and Django related managers: `customer.orders.create(...)`, `order.line_set.all()`."""
        expr: Expr = site.func
        last = site.func[2] if site.func[0] == "attr" else ""
        kind = "writes" if last in DJANGO_WRITES or last in QUERY_WRITES or last in RELATED_WRITES else "reads"
        while expr[0] in ("attr", "call", "sub"):
            base = expr[1]
            if expr[0] == "attr" and expr[2] in _MANAGERS and base[0] in ("name", "attr"):
                models = {v for v in self._values(base, definition) if v[0] == "sym"}
                if models and self._is_model_set(models):
                    self.table_access(definition.qname, models, kind, site.line)
                return
            if expr[0] == "attr" and expr[2] in self._accessors and base[0] in ("name", "attr"):
                related = {self.data.related.get((v[1], expr[2])) for v in self._values(base, definition)
                           if v[0] == "inst"} - {None}
                if related:
                    self.table_access(definition.qname, {("sym", m) for m in related}, kind, site.line)
                    return
            if expr[0] == "call" and expr[1][0] == "attr" and expr[1][2] == "query":
                last = site.func[2] if site.func[0] == "attr" else ""
                if last in QUERY_WRITES:
                    models = {v for a in expr[2] for v in self._values(a, definition)}
                    self.table_access(definition.qname, models, "writes", site.line)
                return
            expr = base

    def _is_model_set(self, values: set[Value]) -> bool:
        return any(self.data.table(v) for v in values)

    def store(self, definition: Definition, store) -> None:
        program = self.program
        qname = definition.qname
        if store.kind == "name":
            module = program.module_of[qname]
            var = f"{module}.{store.target[1]}"
            if var not in program.variables:
                return
            self.edge(qname, var, "writes", store.line)
        elif store.kind == "item":
            for var in variables_in(program, self._values(store.target, definition)):
                self.edge(qname, var, "writes", store.line)
        elif store.kind == "attr":
            base = store.target[1]
            for value in self._values(base, definition):
                table = self.data.table(value) if value[0] == "inst" else None
                if table:
                    self.table_edge(qname, table, "writes", store.line)
                elif value[0] == "sym" and program.kind(value[1]) == "module":
                    var = f"{value[1]}.{store.target[2]}"
                    if var in program.variables:
                        self.edge(qname, var, "writes", store.line)
                elif value[0] == "sym" and program.kind(value[1]) == "class":  # Counter.total = ...
                    shared = program.class_variable(value[1], store.target[2])
                    if shared:
                        self.edge(qname, shared, "writes", store.line)

    def load(self, definition: Definition, expr: Expr, line: int) -> None:
        """A name or attribute chain read: module state, or a column of a model instance."""
        program = self.program
        if expr[0] != "attr":  # a name: module state only
            for value in self._values(expr, definition):
                if value[0] == "sym" and value[1] in program.variables:
                    self.read_candidates.append((definition.qname, value[1], line))
            return
        chain = [expr, expr[1]]  # most chains read are `x.a`: no longer walk
        while chain[-1][0] == "attr":
            chain.append(chain[-1][1])
        chain.reverse()
        values = self._values(chain[0], definition)
        tables = self.data.tables  # `DataModel.table` of a class or an instance
        for depth, prefix in enumerate(chain):
            if depth and len(values) == 1:
                values = program.attribute(next(iter(values)), prefix[2])
            elif depth:
                values = frozenset(v for base in values for v in program.attribute(base, prefix[2]))
            followed = False  # whether an attribute of one of these values may be state or a column
            for value in values:
                tag = value[0]
                if tag == "sym" and value[1] in program.variables:
                    self.read_candidates.append((definition.qname, value[1], line))
                elif (tag == "inst" or tag == "sym") and prefix is not expr:
                    table = tables.get(value[1])
                    if table:  # a column of a row, or `Order.status` in a query
                        self.table_edge(definition.qname, table, "reads", line)
                if tag == "sym" or tag == "inst" or tag == "super":
                    followed = True
            # the attributes of anything else are outside names or nothing, found without reading the program
            if not followed:
                return

    def state_variables(self) -> set[str]:
        """Module variables that are state: mutable containers, or rebound by functions."""
        written = {d for (_, d, k) in self.edges if k == "writes" and d in self.program.variables}
        return {q for q, v in self.program.variables.items() if v.mutable and not v.table_name} | written

    def add_reads(self, state: set[str]) -> None:
        for source, var, line in self.read_candidates:
            if var in state:
                self.edge(source, var, "reads", line)
