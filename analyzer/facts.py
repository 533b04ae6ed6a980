"""What one source file says, before anything is resolved across files.

Facts are plain, picklable values so that files can be read in worker processes and
cached by content hash. The many small ones are named tuples, which pickle several
times faster than dataclasses. Expressions are kept in a small syntactic
form (`Expr`, nested tuples) that is enough to resolve names later:

    ("name", "foo")                      foo
    ("attr", <expr>, "bar")              <expr>.bar
    ("call", <expr>, (args...), (("kw", <expr>), ...))
    ("sub", <expr>)                      <expr>[...]
    ("str", "text")                      a string literal (module-level values and class attributes)
    ("add", <expr>, <expr>)              <expr> + <expr> (module-level values only)
    ("iter", <expr>)                     an element of <expr> (for loops, comprehensions)
    ("seq", (<expr>, ...))               a list, tuple, set or dict display (its values)
    ("lambda", line, col)                a lambda: the function node `<scope>.<lambda:LINE:COL>`
    ("genexp",)                          a generator expression (arguments and returns only)
    ("const", type, value)               a literal argument: `str`, `int`, `float`, `bool`, `bytes`,
                                         `NoneType`...; value None for bytes, f-strings, long strings
    ("other",)                           anything else
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

Expr = tuple[Any, ...]  # one of the forms above

OTHER: Expr = ("other",)
GENERATOR: Expr = ("genexp",)


class Diagnostic(NamedTuple):
    """A problem found in the input; never fatal for the run."""

    file: str
    line: int
    severity: str  # "error" | "warning" | "info"
    code: str
    message: str

    def location(self) -> str:
        return f"{self.file}:{self.line}"


class Import(NamedTuple):
    """`import module as name` (member is None) or `from module import member as name`."""

    name: str  # the local name bound; "*" for a star import
    module: str  # absolute module path (relative imports already made absolute)
    member: str | None
    line: int
    top_level_binding: bool = False  # `import a.b` binds `a`, not `a.b`


class CallSite(NamedTuple):
    line: int
    func: Expr
    args: tuple[Expr, ...]
    kwargs: tuple[tuple[str, Expr], ...]
    result_used: bool
    synthetic: bool = False  # applying a decorator: not written as a call, so not counted if unknown
    # a call the language makes implicitly (`for x in obj` calls obj.__iter__, `with`, `raise C`):
    # only calls of our own code are recorded, never an outside name or an unresolved call
    protocol: bool = False


class Store(NamedTuple):
    """A write: `kind` is "name" (rebinding a global), "item" (`x[k] = v`), "attr" (`x.a = v`)."""

    kind: str
    target: Expr  # the name, or the container / object written into
    value: Expr
    line: int


class Param(NamedTuple):
    name: str
    annotation: Expr | None
    kind: str  # "positional" | "vararg" | "keyword" | "varkw"
    has_default: bool
    annotation_text: str | None = None


class Scope(NamedTuple):
    """The code of one function, class body or module body, nested definitions excluded."""

    calls: list[CallSite]
    assigns: list[tuple[str, Expr, int]]
    stores: list[Store]
    loads: dict[Expr, int]  # non-local names and chains read -> first line
    globals: set[str]
    imports: list[Import]
    sql: list[tuple[int, str]]  # SQL string literals passed to calls
    type_refs: list[Expr]  # annotations used in this scope's signature
    returns: list[Expr]  # what `return` statements give back
    mutated_params: set[str]  # parameters written into (`p.x = ...`, `p[k] = ...`, `p.append(...)`)

    @classmethod
    def empty(cls) -> Scope:
        return cls([], [], [], {}, set(), [], [], [], [], set())


class Definition(NamedTuple):
    """A module, class, function or method, with the scope of its own code.

    A named tuple (whose lists and dicts are filled while the file is read), because
    programs have tens of thousands of these and named tuples pickle quickly."""

    qname: str
    kind: str  # "module" | "class" | "function" | "method"
    line: int
    end_line: int
    scope: Scope
    class_attrs: dict[str, tuple[Expr, int]]  # classes: body assigns
    self_attrs: dict[str, list[Expr]]  # methods: self.x = value
    parent: str | None = None  # enclosing definition
    decorators: tuple[Expr, ...] = ()
    params: tuple[Param, ...] = ()
    returns: Expr | None = None
    returns_text: str | None = None
    is_async: bool = False
    method_kind: str | None = None  # "instance" | "class" | "static" | "property" for methods
    bases: tuple[Expr, ...] = ()  # classes
    table_name: str | None = None  # classes: __tablename__ / Meta.db_table
    docstring: str | None = None
    class_state: tuple[str, ...] = ()  # classes: attributes holding a mutable container (shared state)


class Variable(NamedTuple):
    """A module-level name bound by assignment (not a def, class or import)."""

    qname: str
    line: int
    value: Expr
    mutable: bool  # a literal or constructor of a mutable container
    sql: str | None = None  # a module-level SQL string constant
    table_name: str | None = None  # `x = Table("name", ...)`


@dataclass
class FileFacts:
    path: str  # relative to the analyzed root, with forward slashes
    module: str
    is_package: bool
    lines: int
    definitions: list[Definition] = field(default_factory=list)  # the module itself first
    variables: list[Variable] = field(default_factory=list)
    all_names: tuple[str, ...] | None = None  # a literal __all__
    # module-level `NAME += value`, `NAME.append(value)`, `NAME.extend(value)`, `NAME.insert(i, value)`
    # (settings that grow a list, `urlpatterns += [...]`): (name, value, line)
    extended: list[tuple[str, Expr, int]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    parsed: bool = True
