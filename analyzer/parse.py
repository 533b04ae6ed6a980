"""Source text -> `FileFacts`, with the stdlib `ast` (fast; libcst is kept for rewriting).

Pure: no file system, no imports of the analyzed code. Anything that stops a file
from parsing becomes a `Diagnostic` with file:line, never an exception.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from .exprs import MUTATING_METHODS, NAMES, annotation_expr, arg_expr, last_name, name_expr, to_expr, type_names
from .facts import (
    OTHER,
    CallSite,
    Definition,
    Diagnostic,
    Expr,
    FileFacts,
    Import,
    Param,
    Scope,
    Store,
    Variable,
)
from .newer_syntax import parse_newer

_new = tuple.__new__  # (named tuple class, all its fields) -> an instance, without a Python-level __new__ call
SQL_START = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE)\b", re.IGNORECASE)
SESSION_LIKE = re.compile(r"\b(Session|AsyncSession|Connection|Engine|Cursor)\b")
SQL_CALLS = frozenset({"execute", "executemany", "executescript", "text", "raw", "exec_driver_sql",
                       "read_sql", "read_sql_query", "mogrify"})
MUTABLE_CONSTRUCTORS = frozenset(
    {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque", "bytearray",
     "WeakValueDictionary", "WeakKeyDictionary", "WeakSet", "ChainMap"}
)
MUTABLE_LITERALS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
_MUTABLE_LITERAL_CLASSES = frozenset(MUTABLE_LITERALS)
METHOD_DECORATORS = {"staticmethod": "static", "classmethod": "class", "property": "property",
                     "cached_property": "property"}
MAX_KEPT_STRING = 200  # longer literals (templates, prose) are not names of anything
LIST_GROWERS = frozenset({"append", "extend", "insert"})
_KEPT_ARGUMENTS = (ast.Lambda, ast.GeneratorExp)  # kept when assigned: passing them on is a hazard
# Iterables whose iteration is never our code (no protocol call is recorded for them).
PLAIN_ITERABLES = frozenset({"range", "enumerate", "zip", "reversed", "sorted", "len", "list", "tuple", "dict",
                             "set", "str", "items", "keys", "values", "split", "splitlines", "glob", "walk"})
PROTOCOLS = {ast.For: ("__iter__", "__next__"), ast.AsyncFor: ("__aiter__", "__anext__"),
             ast.With: ("__enter__", "__exit__"), ast.AsyncWith: ("__aenter__", "__aexit__")}


def read_source(data: bytes, path: str) -> tuple[str | None, Diagnostic | None]:
    """Decode bytes as Python source (PEP 263), or say why not."""
    if b"\x00" in data:
        return None, Diagnostic(path, 1, "error", "binary-file",
                                "contains NUL bytes: not a Python source file; skipped")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), None
    except (SyntaxError, LookupError) as exc:
        return None, Diagnostic(path, 1, "error", "bad-encoding",
                                f"cannot be decoded ({exc}); skipped (save the file as UTF-8)")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, Diagnostic(path, line, "error", "bad-encoding",
                                f"invalid {exc.encoding} byte {data[exc.start:exc.start + 1]!r}; "
                                "skipped (save the file as UTF-8 or declare its encoding)")


def extract_facts(data: bytes, path: str, module: str, is_package: bool) -> FileFacts:
    """Everything the analyzer needs from one file; a file that cannot be read is a diagnostic."""
    text, problem = read_source(data, path)
    lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    facts = FileFacts(path=path, module=module, is_package=is_package, lines=lines)
    if problem is not None:
        facts.diagnostics.append(problem)
        facts.parsed = False
        return facts
    assert text is not None
    try:
        with warnings.catch_warnings():  # "invalid escape" warnings: noise, or errors under -W error
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        newer = parse_newer(text, path, exc)  # newer Python syntax: read without it, or say which Python
        facts.diagnostics.append(newer[1] if newer else _syntax_diagnostic(path, exc))
        if newer is None or newer[0] is None:
            facts.parsed = False
            return facts
        tree = newer[0]
    except (ValueError, RecursionError, MemoryError) as exc:
        facts.diagnostics.append(Diagnostic(path, 1, "error", "parse-error",
                                            f"could not be parsed ({type(exc).__name__}); skipped"))
        facts.parsed = False
        return facts
    if not tree.body and not is_package:
        facts.diagnostics.append(Diagnostic(path, 1, "info", "empty-module", "empty module"))
    try:
        _FactsVisitor(facts).visit_module(tree)
    except RecursionError:
        facts.definitions.clear()
        facts.variables.clear()
        facts.all_names = None
        facts.diagnostics.append(Diagnostic(path, _deepest_line(tree), "error", "too-deep",
                                            "nested too deeply to analyze; skipped"))
        facts.parsed = False
    return facts


def _deepest_line(tree: ast.AST) -> int:
    """The line of the most deeply nested node, found without recursion (that is what failed)."""
    deepest, line = -1, 1
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        node_line = getattr(node, "lineno", None)
        if depth > deepest and node_line:
            deepest, line = depth, node_line
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return line


def _syntax_diagnostic(path: str, exc: SyntaxError) -> Diagnostic:
    text = (exc.text or "").strip()
    hint = ""
    if text.startswith(("<<<<<<<", "=======", ">>>>>>>")):
        hint = " (an unresolved merge conflict marker)"
    elif text.startswith(("print ", "exec ")):
        hint = " (Python 2 syntax?)"
    shown = f": {text[:80]}" if text else ""
    return Diagnostic(path, exc.lineno or 1, "error", "syntax-error",
                      f"does not parse: {exc.msg}{hint}{shown}; skipped")


def _is_mutable_value(node: ast.AST | None) -> bool:
    kind = node.__class__
    if kind in _MUTABLE_LITERAL_CLASSES:
        return True
    return kind is ast.Call and last_name(node.func) in MUTABLE_CONSTRUCTORS  # type: ignore[union-attr,operator]


def _string(node: ast.AST | None) -> str | None:
    if node.__class__ is ast.Constant and node.value.__class__ is str:  # type: ignore[union-attr]
        return node.value  # type: ignore[union-attr]
    return None


def _value_expr(node: Any) -> Expr:
    """A module-level value or class attribute: `to_expr`, keeping short string literals and
    `+` all the way down, so that settings (`INSTALLED_APPS = BASE_APPS + ["blog"]`),
    `Blueprint("auth", __name__)` and `AppConfig.name = "blog"` can be read later."""
    kind = type(node)
    if kind is ast.Constant:
        text = node.value
        return ("str", text) if isinstance(text, str) and len(text) <= MAX_KEPT_STRING else OTHER
    if kind is ast.List or kind is ast.Tuple or kind is ast.Set:
        return ("seq", tuple(map(_value_expr, node.elts)))
    if kind is ast.Dict:
        return ("seq", tuple(map(_value_expr, node.values)))
    if kind is ast.BinOp and type(node.op) is ast.Add:
        return ("add", _value_expr(node.left), _value_expr(node.right))
    if kind is ast.Call:
        return ("call", to_expr(node.func), tuple(map(_value_expr, node.args)),
                tuple([(k.arg or "**", _value_expr(k.value)) for k in node.keywords]))
    return to_expr(node)


def _docstring(body: list[ast.stmt]) -> str | None:
    """The first line of the docstring of a module, class or function with this body: what
    `ast.get_docstring` cleans and strips gives, without its cost (cleaning only removes whitespace
    at the start of lines, and that is stripped anyway)."""
    first = body[0] if body else None
    if first.__class__ is not ast.Expr:
        return None
    value = first.value  # type: ignore[union-attr]
    if value.__class__ is not ast.Constant or value.value.__class__ is not str:
        return None
    text = value.value.expandtabs().strip()
    return text.splitlines()[0][:200] if text else None


def _class_body(body: list[ast.stmt]) -> tuple[dict[str, tuple[Expr, int]], str | None, tuple[str, ...]]:
    """Names bound in a class's body, the table it maps to (`__tablename__`, Django `Meta.db_table`),
    and the names bound to a mutable container (state shared by every instance)."""
    attrs: dict[str, tuple[Expr, int]] = {}
    table = None
    state: list[str] = []
    statement: Any  # narrowed by its class
    for statement in body:
        kind = statement.__class__
        if kind is ast.Assign:
            for target in statement.targets:
                if target.__class__ is ast.Name:
                    attrs[target.id] = (_value_expr(statement.value), statement.lineno)
                    if _is_mutable_value(statement.value):
                        state.append(target.id)
                    if target.id == "__tablename__":
                        table = _string(statement.value) or table
        elif kind is ast.AnnAssign and isinstance(statement.target, ast.Name):
            value = annotation_expr(statement.annotation) or _value_expr(statement.value)
            attrs[statement.target.id] = (value, statement.lineno)
            if statement.target.id == "__tablename__":
                table = _string(statement.value) or table
        elif kind is ast.ClassDef and statement.name == "Meta":
            for inner in statement.body:
                if (isinstance(inner, ast.Assign) and _string(inner.value)
                        and any(isinstance(t, ast.Name) and t.id == "db_table" for t in inner.targets)):
                    table = _string(inner.value)
    return attrs, table, tuple(state)


def _settle_locals(definition: Definition) -> None:
    """Once a function is read: a bare read of a local name can't be module state (chains such
    as `order.status` and globals stay), and a parameter rebound locally is no longer the caller's."""
    scope = definition.scope
    loads, mutated = scope.loads, scope.mutated_params
    if loads:
        local = set(map(_first, scope.assigns)).union(map(_first, definition.params), map(_first, scope.imports))
        if scope.globals:
            local -= scope.globals
        names = NAMES
        for name in local:  # their forms are the shared ones (a name never read has none)
            key = names.get(name)
            if key is not None:
                loads.pop(key, None)
    if mutated:
        mutated.difference_update(map(_first, scope.assigns))  # `p = list(p)` then `p.append`


def _param(arg: ast.arg, kind: str, has_default: bool) -> Param:
    annotation = arg.annotation
    if annotation is None:
        return _new(Param, (arg.arg, None, kind, has_default, None))
    return _new(Param, (arg.arg, annotation_expr(annotation), kind, has_default, ast.unparse(annotation)))


def _params(args: ast.arguments) -> tuple[tuple[Param, ...], bool]:
    """The parameters, and whether any of them is annotated."""
    positional = args.posonlyargs + args.args if args.posonlyargs else args.args
    first_default = len(positional) - len(args.defaults)
    params = []
    annotated = False
    for index, arg in enumerate(positional):  # the commonest: not annotated, built here without a call
        if arg.annotation is None:
            params.append(_new(Param, (arg.arg, None, "positional", index >= first_default, None)))
        else:
            params.append(_param(arg, "positional", index >= first_default))
            annotated = True
    vararg, keyword_only, kwarg = args.vararg, args.kwonlyargs, args.kwarg
    if vararg:
        params.append(_param(vararg, "vararg", False))
    if keyword_only:
        params.extend(_param(a, "keyword", default is not None)
                      for a, default in zip(keyword_only, args.kw_defaults, strict=True))
    if kwarg:
        params.append(_param(kwarg, "varkw", False))
    if not annotated and (vararg or keyword_only or kwarg):  # an annotation has text: unparse gives some
        annotated = any(map(_annotation_text, params))
    return tuple(params), annotated


def _empty_scope() -> Scope:
    """`Scope.empty()`, without the named tuple's Python-level constructor."""
    return _new(Scope, ([], [], [], {}, set(), [], [], [], [], set()))


_first = itemgetter(0)
_annotation_text = itemgetter(Param._fields.index("annotation_text"))


_UNPACKED = frozenset({ast.Tuple, ast.List})
_MODULE_BINDINGS = frozenset({ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr})  # what _module_statement reads
_NO_NODES: list[ast.expr] = []  # never changed
_PENDING = CallSite(0, OTHER, (), (), False)  # a call's place while its arguments are read


def _unpack(target: ast.expr, value: ast.expr | None) -> list[tuple[ast.expr, ast.expr | None]]:
    """The targets an assignment writes (names, attributes, items), each with the part of
    the value it gets: `a, (b, c) = f, (g, h)` pairs a-f, b-g, c-h; `first, *rest = f, g, h`
    gives rest the display `[g, h]`; what cannot be matched up gets None."""
    kind = type(target)
    if kind is ast.Starred:
        return _unpack(target.value, value if type(value) is ast.List else None)  # type: ignore[attr-defined]
    if kind not in _UNPACKED:
        return [(target, value)]
    elements: list[ast.expr] = target.elts  # type: ignore[attr-defined]
    parts: list[ast.expr | None] = [None] * len(elements)
    if type(value) in _UNPACKED and not any(type(e) is ast.Starred for e in value.elts):  # type: ignore[union-attr]
        values = value.elts  # type: ignore[union-attr]
        stars = [i for i, e in enumerate(elements) if type(e) is ast.Starred]
        if not stars and len(values) == len(elements):
            parts = list(values)
        elif len(stars) == 1 and len(values) >= len(elements) - 1:
            star, after = stars[0], len(elements) - stars[0] - 1
            parts = list(values[:star]) + [ast.List(elts=values[star:len(values) - after], ctx=ast.Load())] \
                + list(values[len(values) - after:])
    return [pair for element, part in zip(elements, parts, strict=True) for pair in _unpack(element, part)]


class _FactsVisitor(ast.NodeVisitor):
    """Walks one module, filling a Scope per definition; nested defs get their own."""

    def __init__(self, facts: FileFacts) -> None:
        self.facts = facts
        self.stack: list[Definition] = []
        self.current: Definition  # the innermost definition being read, and its scope
        self.scope: Scope
        self.result_used = True
        # the last call read and its site, the last chain read and its form (two fields each: no
        # pair is made for every call and chain read)
        self.last_call: ast.Call | None = None
        self.last_site: CallSite = _PENDING
        self.last_chain: ast.Attribute | None = None
        self.last_chain_form: Expr = OTHER

    # -- traversal (a leaner NodeVisitor: this loop runs for every node of every file) ----
    def visit(self, node: ast.AST) -> None:
        method = _METHODS.get(node.__class__)
        if method is not None:
            method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        """Visit the children, in field order, looking their methods up inline (a call less
        per node); fields and classes that can hold nothing the facts need are skipped."""
        methods = _METHODS
        for field in _CHILD_FIELDS[node.__class__]:
            value = getattr(node, field, None)
            if value.__class__ is list:
                for item in value:
                    kind = item.__class__
                    if kind is ast.Name:  # visit_Name, inlined (elements of displays and the like)
                        if item.ctx.__class__ is ast.Load:
                            self.scope.loads.setdefault(NAMES.get(item.id) or name_expr(item.id), item.lineno)
                        continue
                    method = methods.get(kind)
                    if method is not None:
                        method(self, item)
            else:
                method = methods.get(value.__class__)
                if method is not None:
                    method(self, value)

    def _visit_all(self, nodes: list[ast.stmt] | list[ast.expr]) -> None:
        methods = _METHODS
        for node in nodes:
            method = methods.get(node.__class__)
            if method is not None:
                method(self, node)

    # -- structure ------------------------------------------------------------------------
    def _enter(self, definition: Definition) -> None:
        self.stack.append(definition)
        self.current, self.scope = definition, definition.scope

    def _leave(self) -> None:
        self.stack.pop()
        if self.stack:
            self.current = self.stack[-1]
            self.scope = self.current.scope

    def visit_module(self, tree: ast.Module) -> None:
        body = tree.body
        end = (body[-1].end_lineno or 1) if body else 1  # statements end in order
        module = Definition(self.facts.module, "module", 1, end, _empty_scope(), {}, {},
                            docstring=_docstring(body))
        self.facts.definitions.append(module)
        self._enter(module)
        methods = _METHODS
        for statement in body:  # each statement read once: for the variables it binds, then visited
            kind = statement.__class__
            if kind in _MODULE_BINDINGS:
                self._module_statement(statement)
            method = methods.get(kind)
            if method is not None:
                method(self, statement)
        self._leave()

    def _module_statement(self, node: ast.stmt) -> None:
        """Module-level names bound by assignment become variables."""
        targets: list[ast.expr]
        value: ast.expr | None
        kind = node.__class__
        if kind is ast.Assign:
            targets, value = node.targets, node.value  # type: ignore[attr-defined]
        elif kind is ast.AnnAssign:
            targets, value = [node.target], node.value  # type: ignore[attr-defined]
        else:
            if kind is ast.AugAssign or kind is ast.Expr:
                self._module_extension(node)
            return
        pairs = [pair for target in targets for pair in _unpack(target, value)]
        for target, value in pairs:
            if type(target) is not ast.Name or (value is None and target not in targets):
                continue
            assert isinstance(target, ast.Name)
            if target.id == "__all__" and isinstance(value, (ast.List, ast.Tuple)):
                names = tuple(s for s in (_string(e) for e in value.elts) if s)
                self.facts.all_names = names
                continue
            sql = _string(value)
            table = None
            if isinstance(value, ast.Call) and last_name(value.func) == "Table" and value.args:
                table = _string(value.args[0])
            self.facts.variables.append(_new(Variable, (
                f"{self.facts.module}.{target.id}", node.lineno, _value_expr(value), _is_mutable_value(value),
                sql if sql and SQL_START.match(sql) else None, table)))

    def _module_extension(self, node: ast.stmt) -> None:
        """`NAME += value` and `NAME.append/extend/insert(value)` at module level."""
        if (isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name)
                and isinstance(node.op, ast.Add)):
            self.facts.extended.append((node.target.id, _value_expr(node.value), node.lineno))
            return
        call = node.value if isinstance(node, ast.Expr) else None
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.args
                and call.func.attr in LIST_GROWERS and isinstance(call.func.value, ast.Name)):
            value = _value_expr(call.args[-1])
            if call.func.attr != "extend":
                value = ("seq", (value,))
            self.facts.extended.append((call.func.value.id, value, node.lineno))

    def _qname(self, name: str) -> str:
        parent = self.current
        if parent.kind in ("function", "method"):
            return f"{parent.qname}.<locals>.{name}"
        return f"{parent.qname}.{name}"

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """The commonest definition: its helpers (_qname, _visit_defaults, _bind_def, _enter, _leave) inlined."""
        name, args, returns, decorators, body = node.name, node.args, node.returns, node.decorator_list, node.body
        parent = self.current
        parent_kind = parent.kind
        method_kind = None
        decorator_exprs = self._decorators(decorators, name) if decorators else ()
        if parent_kind == "class":
            kind, method_kind = "method", "instance"
            for decorator in decorators:
                method_kind = METHOD_DECORATORS.get(last_name(decorator) or "", method_kind)
        else:
            kind = "function"
        in_function = parent_kind == "function" or parent_kind == "method"
        qname = f"{parent.qname}.<locals>.{name}" if in_function else f"{parent.qname}.{name}"
        scope = _empty_scope()
        params, annotated = _params(args)
        definition = _new(Definition, (
            qname, kind, node.lineno, node.end_lineno or node.lineno, scope, {}, {}, parent.qname,
            decorator_exprs, params,
            annotation_expr(returns), ast.unparse(returns) if returns else None,
            node.__class__ is ast.AsyncFunctionDef, method_kind, (), None, _docstring(body), ()))
        if returns is not None:
            scope.type_refs.extend(type_names(returns))
        if args.defaults or args.kw_defaults:
            self._visit_defaults(args)
        if in_function:  # a nested def is a local name of its enclosing function
            self.scope.assigns.append((name, ("def", qname), 0))
        self.facts.definitions.append(definition)
        stack = self.stack
        stack.append(definition)
        self.current, self.scope = definition, scope
        if annotated:
            for arg in args.posonlyargs + args.args + args.kwonlyargs:
                if arg.annotation is not None:
                    scope.type_refs.extend(type_names(arg.annotation))
        methods = _METHODS
        for statement in body:
            method = methods.get(statement.__class__)
            if method is not None:
                method(self, statement)
        stack.pop()
        self.current, self.scope = parent, parent.scope
        _settle_locals(definition)

    # The async forms are methods that delegate, not class-body aliases: a compiled build (mypyc) cannot
    # alias a method (docs/compiled-build.md).
    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.visit_FunctionDef(node)

    def _visit_defaults(self, args: ast.arguments) -> None:
        self._visit_all(args.defaults)
        for default in args.kw_defaults:
            if default is not None:
                self.visit(default)

    def _decorators(self, decorators: list[ast.expr], name: str) -> tuple[Expr, ...]:
        """Applying a decorator is a call made where the definition is; the decorators' forms."""
        forms = []
        calls = self.scope.calls
        for decorator in decorators:
            self.visit(decorator)
            form = to_expr(decorator)
            calls.append(_new(CallSite, (decorator.lineno, form, (name_expr(name),), (), True, True, False)))
            forms.append(form)
        return tuple(forms)

    def _bind_def(self, name: str, qname: str) -> None:
        """A nested def or class is a local name of its enclosing function."""
        if self.current.kind in ("function", "method"):
            self.scope.assigns.append((name, ("def", qname), 0))

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        decorator_exprs = self._decorators(node.decorator_list, node.name)
        for base in node.bases + [k.value for k in node.keywords]:
            self.visit(base)
        body = node.body
        class_attrs, table_name, class_state = _class_body(body)
        definition = _new(Definition, (
            self._qname(node.name), "class", node.lineno, node.end_lineno or node.lineno, _empty_scope(),
            class_attrs, {}, self.current.qname, decorator_exprs, (), None, None, False,
            None, tuple(map(to_expr, node.bases)), table_name, _docstring(body), class_state))
        self._bind_def(node.name, definition.qname)
        self.facts.definitions.append(definition)
        self._enter(definition)
        self._visit_all(body)
        self._leave()

    def visit_Lambda(self, node: ast.Lambda) -> None:
        """A lambda is a function of its own, named by where it is written."""
        self._visit_defaults(node.args)
        parent = self.current
        definition = _new(Definition, (
            f"{parent.qname}.<lambda:{node.lineno}:{node.col_offset}>", "function", node.lineno,
            node.end_lineno or node.lineno, _empty_scope(), {}, {}, parent.qname, (), _params(node.args)[0],
            None, None, False, None, (), None, None, ()))
        self.facts.definitions.append(definition)
        self._enter(definition)
        used, self.result_used = self.result_used, True
        self.visit(node.body)
        self.result_used = used
        definition.scope.returns.append(arg_expr(node.body))
        self._leave()
        _settle_locals(definition)

    # -- imports -------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.scope.imports.append(_new(Import, (alias.asname, alias.name, None, node.lineno, False)))
            else:
                top = alias.name.split(".")[0]
                self.scope.imports.append(_new(Import, (top, alias.name, None, node.lineno, True)))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = self._absolute(node.module, node.level)
        if base is None:
            self.facts.diagnostics.append(Diagnostic(
                self.facts.path, node.lineno, "warning", "bad-relative-import",
                "relative import goes above the analyzed root"))
            return
        for alias in node.names:
            self.scope.imports.append(_new(Import, (alias.asname or alias.name, base, alias.name, node.lineno, False)))

    def _absolute(self, module: str | None, level: int) -> str | None:
        if level == 0:
            return module or ""
        package = self.facts.module.split(".")
        if not self.facts.is_package:
            package = package[:-1]
        if level - 1 > len(package) or (level - 1 == len(package) and not module):
            return None
        base = package[: len(package) - (level - 1)]
        return ".".join(base + ([module] if module else []))

    # -- statements that bind or write ---------------------------------------------------
    def visit_Return(self, node: ast.Return) -> None:
        value = node.value
        if value is not None:
            (expr,) = self._read_arguments((value,))  # read as an argument is: the same forms
            self.scope.returns.append(expr)

    def visit_Raise(self, node: ast.Raise) -> None:
        """`raise AppError` makes an instance: AppError.__init__ runs."""
        if node.exc is not None:
            self.visit(node.exc)
            if type(node.exc) is ast.Name or type(node.exc) is ast.Attribute:
                self._protocol(to_expr(node.exc), node.lineno)
        if node.cause is not None:
            self.visit(node.cause)

    def visit_Global(self, node: ast.Global) -> None:
        self.scope.globals.update(node.names)

    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        method = _METHODS.get(value.__class__)
        if method is not None:
            method(self, value)
        targets = node.targets
        if len(targets) == 1 and targets[0].__class__ is ast.Name:  # `name = value`: _target's first case, inlined
            name = targets[0].id  # type: ignore[attr-defined]
            value_expr = self._assigned_expr(value)
            if value_expr is OTHER and type(value) in _KEPT_ARGUMENTS:  # `cb = lambda x: ...`
                value_expr = arg_expr(value)
            scope = self.scope
            if name in scope.globals:
                scope.stores.append(_new(Store, ("name", name_expr(name), value_expr, node.lineno)))
            if self.current.kind != "module":
                scope.assigns.append((name, value_expr, node.lineno))
            return
        for target in targets:
            self._target(target, value, node.lineno)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        if isinstance(node.target, ast.Name) and self.current.kind in ("function", "method"):
            ann = annotation_expr(node.annotation)
            if ann is not None:
                self.scope.assigns.append((node.target.id, ann, node.lineno))
        if node.value is not None:
            self._target(node.target, node.value, node.lineno)
        elif not isinstance(node.target, ast.Name):
            self.visit(node.target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        self._target(node.target, node.value, node.lineno)
        if isinstance(node.target, ast.Name):
            self._load(node.target)  # `x += 1` reads x too

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._target(target, None, node.lineno)

    def _target(self, target: Any, value: ast.expr | None, line: int) -> None:  # Any: narrowed by its class
        if type(target) in _UNPACKED:  # `a, b = f, g` binds a to f and b to g
            for element, part in _unpack(target, value):
                self._target(element, part, line)
            return
        value_expr = self._assigned_expr(value) if value is not None else OTHER
        if value_expr is OTHER and type(value) in _KEPT_ARGUMENTS:  # `cb = lambda x: ...`
            value_expr = arg_expr(value)
        kind = target.__class__
        if kind is ast.Name:
            name = target.id
            scope = self.scope
            if name in scope.globals:
                scope.stores.append(_new(Store, ("name", name_expr(name), value_expr, line)))
            if self.current.kind != "module":
                scope.assigns.append((name, value_expr, line))
        elif kind is ast.Subscript:
            self._grow_local(target.value, ("seq", (value_expr,)), line)
            self._note_param_write(target.value)
            self._visit_callee(target.value)
            self.visit(target.slice)
            self.scope.stores.append(_new(Store, ("item", to_expr(target.value), value_expr, line)))
        elif kind is ast.Attribute:
            self._note_param_write(target.value)
            self._visit_callee(target.value)
            self.scope.stores.append(_new(Store, ("attr", to_expr(target), value_expr, line)))
            if (isinstance(target.value, ast.Name) and target.value.id == "self"
                    and self.current.kind == "method"):
                self.current.self_attrs.setdefault(target.attr, []).append(value_expr)

    def _grow_local(self, container: ast.expr, value: Expr, line: int) -> None:
        """`d[k] = v` or `d.update(...)` on a local `d` of a function: d may hold v as well."""
        if (type(container) is ast.Name and self.current.kind in ("function", "method")
                and any(a[0] == container.id for a in self.scope.assigns)):
            self.scope.assigns.append((container.id, value, line))

    def _protocol(self, func: Expr, line: int) -> None:
        self.scope.calls.append(_new(CallSite, (line, func, (), (), True, True, True)))

    def _protocol_calls(self, node: ast.For | ast.AsyncFor | ast.comprehension | ast.With | ast.AsyncWith,
                        source: ast.expr, line: int) -> None:
        """`for x in obj` calls obj.__iter__ and then __next__ of what that gave; `with obj`
        calls obj.__enter__ and obj.__exit__ (recorded only when they are our own methods)."""
        if isinstance(source, ast.Call):
            if (last_name(source.func) or "") in PLAIN_ITERABLES:
                return
        elif type(source) is not ast.Name and type(source) is not ast.Attribute:
            return
        first, second = PROTOCOLS.get(type(node), ("__iter__", "__next__"))
        expr = to_expr(source)
        self._protocol(("attr", expr, first), line)
        if first.endswith("iter__"):
            self._protocol(("attr", ("call", ("attr", expr, first), (), ()), second), line)
        else:
            self._protocol(("attr", expr, second), line)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self._protocol_calls(node, node.iter, node.lineno)
        self._iteration_target(node.target, node.iter, node.lineno)
        self._visit_all(node.body)
        self._visit_all(node.orelse)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> None:
        self.visit_For(node)

    def _iteration_target(self, target: ast.expr, source: ast.expr, line: int) -> None:
        if isinstance(target, ast.Name):
            if self.current.kind != "module":
                self.scope.assigns.append((target.id, ("iter", to_expr(source)), line))
        else:
            self._target(target, None, line)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self.visit(node.iter)
        self._protocol_calls(node, node.iter, getattr(node.iter, "lineno", 0))
        self._iteration_target(node.target, node.iter, getattr(node.iter, "lineno", 0))
        for condition in node.ifs:
            self.visit(condition)

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            self._protocol_calls(node, item.context_expr, node.lineno)
            if item.optional_vars is not None:
                self._target(item.optional_vars, item.context_expr, node.lineno)
        self._visit_all(node.body)

    def visit_AsyncWith(self, node: ast.AsyncWith) -> None:
        self.visit_With(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
            if node.name and self.current.kind != "module":
                ann = annotation_expr(node.type)
                if ann is not None:
                    self.scope.assigns.append((node.name, ann, node.lineno))
        self._visit_all(node.body)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self._target(node.target, node.value, node.lineno)

    def visit_Expr(self, node: ast.Expr) -> None:
        method = _METHODS.get(node.value.__class__)
        if method is not None:
            self.result_used = False
            method(self, node.value)
            self.result_used = True

    def visit_If(self, node: ast.If) -> None:  # the commonest nodes with nothing of their own: visited directly
        methods = _METHODS
        method = methods.get(node.test.__class__)
        if method is not None:
            method(self, node.test)
        for statement in node.body:
            method = methods.get(statement.__class__)
            if method is not None:
                method(self, statement)
        if node.orelse:
            self._visit_all(node.orelse)

    # -- expressions ---------------------------------------------------------------------
    def visit_Compare(self, node: ast.Compare) -> None:
        method = _METHODS.get(node.left.__class__)
        if method is not None:
            method(self, node.left)
        self._visit_all(node.comparators)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        methods = _METHODS
        method = methods.get(node.left.__class__)
        if method is not None:
            method(self, node.left)
        method = methods.get(node.right.__class__)
        if method is not None:
            method(self, node.right)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        self._visit_all(node.values)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        self.visit(node.operand)

    def visit_Await(self, node: ast.Await) -> None:
        self.visit(node.value)  # keeps result_used as set by the statement

    def visit_Call(self, node: ast.Call) -> None:
        used, self.result_used = self.result_used, True
        func, args, keywords = node.func, node.args, node.keywords
        func_class = func.__class__
        owner = None  # the object of a method call
        func_expr: Expr  # declared: the compiled build would hold it to the first branch's tuple shape
        if func_class is ast.Attribute:  # to_expr's commonest cases built here, each field read once
            name = func.attr  # type: ignore[attr-defined]
            owner = func.value  # type: ignore[attr-defined]
            if owner.__class__ is ast.Name:
                func_expr = ("attr", NAMES.get(owner.id) or name_expr(owner.id), name)
            else:
                func_expr = to_expr(func)
        elif func_class is ast.Name:
            name = func.id  # type: ignore[attr-defined]
            func_expr = NAMES.get(name) or name_expr(name)
        else:
            name, func_expr = None, to_expr(func)
        scope = self.scope
        calls = scope.calls
        place = len(calls)
        calls.append(_PENDING)  # its place, before the calls its arguments hold: filled once they are read
        values = [k.value for k in keywords] if keywords else _NO_NODES
        if owner is not None and name in MUTATING_METHODS:
            self._mutating_call(node, func)  # type: ignore[arg-type]
        if name in SQL_CALLS:
            for argument in args + values:
                sql = _string(argument)
                if sql and SQL_START.match(sql):
                    scope.sql.append((argument.lineno, sql))
        if name is None:
            self.visit(func)
        elif owner is not None:  # what the callee contains, without recording it as a read
            while owner.__class__ is ast.Attribute:
                owner = owner.value
            if owner.__class__ is not ast.Name:
                self.visit(owner)
        arguments = self._read_arguments(args) if args else ()
        if keywords:
            forms = self._read_arguments(values)
            kwargs = tuple([(k.arg or "**", forms[i]) for i, k in enumerate(keywords)])
        else:
            kwargs = ()
        site = calls[place] = _new(CallSite, (node.lineno, func_expr, arguments, kwargs, used, False, False))
        self.last_call, self.last_site = node, site  # visited last of the calls it holds: what an assignment reads next

    def _read_arguments(self, nodes: Sequence[ast.expr]) -> tuple[Expr, ...]:
        """A call's arguments' forms (`arg_expr`), each visited as it is made (one pass): an argument
        that is a name, or a chain of attributes on one, is what it reads (`visit_Name`,
        `visit_Attribute`); the others are visited for what they hold."""
        loads = self.scope.loads
        methods = _METHODS
        forms = []
        for node in nodes:
            kind = node.__class__
            if kind is ast.Name:  # an argument is always read (Load)
                form = NAMES.get(node.id) or name_expr(node.id)  # type: ignore[attr-defined]
                loads.setdefault(form, node.lineno)
            elif kind is ast.Attribute:
                form = arg_expr(node)
                root = node.value  # type: ignore[attr-defined]
                while root.__class__ is ast.Attribute:
                    root = root.value
                if root.__class__ is ast.Name:
                    loads.setdefault(form, node.lineno)
                else:
                    self.visit(root)
            else:
                form = arg_expr(node)
                method = methods.get(kind)
                if method is not None:
                    method(self, node)
            forms.append(form)
        return tuple(forms)

    def _assigned_expr(self, value: ast.expr) -> Expr:
        """`to_expr(value)`, without building a call's form again when the call was just read, nor
        a chain's when it was just read."""
        if value is self.last_call:
            site = self.last_site
            if not site.kwargs or not any(k[0] == "related_name" for k in site.kwargs):  # to_expr keeps its text
                return ("call", site.func, site.args, site.kwargs)
        if value is self.last_chain:
            return self.last_chain_form
        return to_expr(value)

    def _mutating_call(self, node: ast.Call, func: ast.Attribute) -> None:
        """`p.append(...)` writes into p; `d.update(...)` on a local d may put values in it."""
        self._note_param_write(func.value)
        if func.attr == "update" and type(func.value) is ast.Name:
            grown = tuple(("sub", to_expr(a)) for a in node.args) + tuple(to_expr(k.value) for k in node.keywords)
            self._grow_local(func.value, ("seq", grown), node.lineno)

    def _note_param_write(self, target: ast.expr) -> None:
        """`p.x = ...`, `p[k] = ...` or `p.items.append(...)` on a parameter `p` (not self/cls)."""
        while target.__class__ is ast.Attribute or target.__class__ is ast.Subscript:
            target = target.value  # type: ignore[attr-defined]
        current = self.current
        if target.__class__ is ast.Name and current.kind in ("function", "method"):
            name = target.id  # type: ignore[attr-defined]
            skip = 1 if current.kind == "method" and current.method_kind != "static" else 0
            for param in current.params[skip:]:  # names are unique
                # a session's `add` is not a change to caller data (and a session is flagged anyway)
                if param.name == name:
                    if not SESSION_LIKE.search(param.annotation_text or ""):
                        self.scope.mutated_params.add(name)
                    break

    def _visit_callee(self, func: ast.expr) -> None:
        """Visit what the callee expression contains without recording it as a read."""
        while func.__class__ is ast.Attribute:
            func = func.value  # type: ignore[attr-defined]
        if func.__class__ is not ast.Name:
            self.visit(func)

    def visit_Name(self, node: ast.Name) -> None:
        if node.ctx.__class__ is ast.Load:
            self.scope.loads.setdefault(NAMES.get(node.id) or name_expr(node.id), node.lineno)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.ctx.__class__ is not ast.Load:
            self.visit(node.value)
            return
        root = node.value
        if root.__class__ is ast.Name:  # the commonest chain, `name.attr`: its form built here
            expr: Expr = ("attr", NAMES.get(root.id) or name_expr(root.id), node.attr)  # type: ignore[attr-defined]
            self.scope.loads.setdefault(expr, node.lineno)
            self.last_chain, self.last_chain_form = node, expr
            return
        while root.__class__ is ast.Attribute:
            root = root.value  # type: ignore[attr-defined]
        if root.__class__ is ast.Name:
            expr = to_expr(node)
            self.scope.loads.setdefault(expr, node.lineno)
            self.last_chain, self.last_chain_form = node, expr
        else:
            self.visit(root)

    def _load(self, node: ast.expr) -> None:
        self.scope.loads.setdefault(to_expr(node), node.lineno)


# Fields that never hold a node the facts need: contexts, operators (nodes without fields)
# and plain values (names, levels, kinds).
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "name", "names", "asname", "level",
                             "module", "kind", "type_comment", "conversion", "is_async", "simple",
                             "kwd_attrs", "rest", "tag", "type_ignores"})
# Node classes visited for nothing: literals, statements without parts, and the operators and contexts.
_LEAVES = (ast.Constant, ast.Pass, ast.Break, ast.Continue, ast.expr_context, ast.boolop, ast.operator, ast.unaryop,
           ast.cmpop)


def _node_classes(base: type[ast.AST]) -> list[type[ast.AST]]:
    found = [base]
    sub: type[ast.AST]
    for sub in base.__subclasses__():
        found.extend(_node_classes(sub))
    return found


def _traversal() -> tuple[dict[type, Callable[[_FactsVisitor, Any], None]], dict[type, tuple[str, ...]]]:
    """For every node class: the visitor method (none for leaves), and the fields to descend into."""
    methods: dict[type, Callable[[_FactsVisitor, Any], None]] = {}
    fields: dict[type, tuple[str, ...]] = {}
    for cls in _node_classes(ast.AST):
        fields[cls] = tuple(f for f in cls._fields if f not in _SKIPPED_FIELDS)
        if not issubclass(cls, _LEAVES):
            methods[cls] = getattr(_FactsVisitor, f"visit_{cls.__name__}", _FactsVisitor.generic_visit)
    return methods, fields


_METHODS, _CHILD_FIELDS = _traversal()
