"""Names in written code: what a name or attribute chain stands for (`Names`), and small
readers of written values (string literals, calls). Shared by every detector in the package.

Resolution is by the facts alone: imports, re-exports, star imports and module variables
are followed, nothing is imported or run.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..facts import Definition, Expr, FileFacts, Variable

BUILTIN_NAMES = frozenset(dir(builtins))
MAX_DEPTH = 40  # name lookups in progress at once (imports of imports of variables ...)


class Names:
    """Dotted names of what name/attribute chains stand for, following imports, re-exports,
    star imports and module variables. An instance is written `Class()`: `db.Model` in a
    Flask-SQLAlchemy app is "flask_sqlalchemy.SQLAlchemy().Model". Unknown roots give None."""

    def __init__(self, files: list[FileFacts]) -> None:
        self.files = {f.module: f for f in files}
        self.defs: dict[str, Definition] = {}
        self.module_of: dict[str, str] = {}
        self.namespace: dict[str, dict[str, tuple[str, Any]]] = {}
        self.stars: dict[str, list[str]] = {}
        self.top_level: dict[str, list[str]] = {}  # module -> its top-level definitions, in file order
        self.packages = _packages(f.module for f in files)
        self._memo: dict[tuple[str, Expr], str | None] = {}
        self._active: set[tuple[str, Expr]] = set()  # lookups in progress (cycles end there)
        self._cuts = 0  # lookups ended that way: answers found meanwhile are not remembered
        for facts in files:
            self._index(facts)

    def _index(self, facts: FileFacts) -> None:
        namespace: dict[str, tuple[str, Any]] = {}
        for variable in facts.variables:
            namespace.setdefault(variable.qname.rsplit(".", 1)[1], ("var", variable))
        module = facts.module
        defs, module_of = self.defs, self.module_of
        top_level = self.top_level[module] = []
        for definition in facts.definitions:
            qname = definition.qname
            defs[qname] = definition
            module_of[qname] = module
            if definition.parent == module:
                namespace[qname.rsplit(".", 1)[1]] = ("def", qname)
                top_level.append(qname)
        stars = []
        for imp in facts.definitions[0].scope.imports if facts.definitions else ():
            if imp.name == "*":
                stars.append(imp.module)
            else:
                namespace[imp.name] = ("import", import_target(imp))
        self.namespace[facts.module] = namespace
        self.stars[facts.module] = stars

    def resolve(self, expr: Expr, scope: Definition) -> str | None:
        key = (scope.qname, expr)
        known = self._memo.get(key, _MISSING)
        if known is not _MISSING:
            return known  # type: ignore[return-value]
        active = self._active
        if key in active or len(active) > MAX_DEPTH:  # `_guarded`, written out: this is the hot path
            self._cuts += 1
            return None
        cuts = self._cuts
        active.add(key)
        try:
            found = self._resolve(expr, scope)
        finally:
            active.discard(key)
        if cuts == self._cuts:
            self._memo[key] = found
        return found

    def _guarded(self, key: tuple[str, Expr], compute: Callable[[], str | None]) -> str | None:
        """`compute()`, unless the same lookup is in progress already (a cycle) or too deep."""
        if key in self._active or len(self._active) > MAX_DEPTH:
            self._cuts += 1
            return None
        self._active.add(key)
        try:
            return compute()
        finally:
            self._active.discard(key)

    def _resolve(self, expr: Expr, scope: Definition) -> str | None:
        tag = expr[0]
        if tag == "name":
            return self._name(expr[1], scope)
        if tag in ("attr", "call"):
            base = self.resolve(expr[1], scope)
            if base is None:
                return None
            return self.canonical(f"{base}.{expr[2]}") if tag == "attr" else f"{base}()"
        return None

    def _name(self, name: str, scope: Definition | None) -> str | None:
        while scope is not None and scope.kind != "module":
            if scope.kind != "class":
                found = self._local(name, scope)
                if found is not _MISSING:
                    return found  # type: ignore[return-value]
            scope = self.defs.get(scope.parent or "")
        if scope is None:
            return None
        found = self.member(scope.qname, name)
        if found is None and name in BUILTIN_NAMES:
            return f"builtins.{name}"
        return found

    def _local(self, name: str, scope: Definition) -> object:
        """A function's own binding of `name`: an import, an assignment or a parameter."""
        for imp in scope.scope.imports:
            if imp.name == name:
                return self.canonical(import_target(imp))
        for target, value, _line in reversed(scope.scope.assigns):
            if target == name:
                if value[0] == "def":
                    return value[1]
                return self.resolve(value, scope) if value[0] in ("name", "attr", "call") else None
        if any(p.name == name for p in scope.params):
            return None
        return _MISSING

    def member(self, module: str, name: str) -> str | None:
        """The dotted name `module.name` stands for, or None if the module has no such name
        (or it is being looked up already: modules that import a name from each other)."""
        return self._guarded((module, ("member", name)), lambda: self._member(module, name))

    def _member(self, module: str, name: str) -> str | None:
        binding = self.namespace.get(module, {}).get(name)
        if binding is not None:
            kind, target = binding
            if kind == "def":
                return str(target)
            return self._variable(target) if kind == "var" else self.canonical(target)
        submodule = f"{module}.{name}"
        if submodule in self.files or submodule in self.packages:
            return submodule
        for star in self.stars.get(module, ()):
            found = self.member(star, name) if star in self.files else None
            if found is not None:
                return found
        return None

    def _variable(self, variable: Variable) -> str:
        """A module variable: what it was made from (`Flask()`, an alias), else itself."""
        if variable.value[0] in ("name", "attr", "call"):
            module = self.defs.get(variable.qname.rsplit(".", 1)[0])
            found = self.resolve(variable.value, module) if module else None
            if found is not None:
                return found
        return variable.qname

    def canonical(self, path: str) -> str:
        """A dotted path with its local prefix followed: `blog.models.Post` re-exported by `blog`."""
        parts = path.split(".")
        for i in range(len(parts) - 1, 0, -1):
            head = ".".join(parts[:i])
            if head not in self.files:
                continue
            bare = parts[i].removesuffix("()")
            found = self.member(head, bare)
            if found is None or found == f"{head}.{bare}":
                return path
            return ".".join([found + parts[i][len(bare):], *parts[i + 1:]])
        return path

    def local_def(self, expr: Expr, scope: Definition) -> str | None:
        """The local definition an argument names (`views.index`, `ItemView.as_view()`)."""
        if expr[0] == "call" and expr[1][0] == "attr" and expr[1][2] == "as_view":
            expr = expr[1][1]
        path = self.resolve(expr, scope) if expr[0] in ("name", "attr") else None
        return path if path in self.defs else None


_MISSING = object()


def _packages(modules: Iterable[str]) -> set[str]:
    """The packages that hold these modules, at every level (`a.b.c` -> a, a.b)."""
    found: set[str] = set()
    for module in modules:
        head = module.rpartition(".")[0]
        while head and head not in found:
            found.add(head)
            head = head.rpartition(".")[0]
    return found


def import_target(imp: Any) -> str:
    """The dotted name an import binds: `from a.b import c` -> a.b.c, `import a.b` -> a."""
    if imp.top_level_binding:
        return str(imp.module).split(".")[0]
    return f"{imp.module}.{imp.member}" if imp.member else str(imp.module)


def instance_split(path: str) -> tuple[str, str] | None:
    """"flask.Flask().cli.command" -> ("flask.Flask", "cli.command"): an instance's class and the rest."""
    index = path.find("().")
    return (path[:index], path[index + 3:]) if index > 0 else None


def class_key(path: str) -> tuple[str, str]:
    """(top package, last name): `fastapi.routing.APIRouter` -> ("fastapi", "APIRouter")."""
    return path.split(".", 1)[0], path.rsplit(".", 1)[-1].removesuffix("()")


def expr_path(expr: Expr) -> str | None:
    """The written text of a name/attribute chain (`app.route`), for names that don't resolve."""
    if expr[0] == "name":
        return str(expr[1])
    if expr[0] == "attr":
        base = expr_path(expr[1])
        return f"{base}.{expr[2]}" if base else None
    return None


# -- written values ---------------------------------------------------------------------------
def strings_in(expr: Expr) -> Iterator[str]:
    """String literals in a value, in order (lists, tuples, dicts, calls, `+`)."""
    tag = expr[0]
    if tag == "str":
        yield expr[1]
    elif tag == "seq":
        for item in expr[1]:
            yield from strings_in(item)
    elif tag == "add":
        yield from strings_in(expr[1])
        yield from strings_in(expr[2])
    elif tag == "call":
        for item in (*expr[2], *(v for _, v in expr[3])):
            yield from strings_in(item)


def calls_in(expr: Expr) -> Iterator[Expr]:
    """Call expressions in a value (`path("x/", views.x)` in urlpatterns), outermost first."""
    tag = expr[0]
    if tag == "call":
        yield expr
        for item in (*expr[2], *(v for _, v in expr[3])):
            yield from calls_in(item)
    elif tag == "seq":
        for item in expr[1]:
            yield from calls_in(item)
    elif tag == "add":
        yield from calls_in(expr[1])
        yield from calls_in(expr[2])

