"""What an expression may stand for, found by following names across the whole program.

A value is a small tuple:

    ("sym", qname)          a module, class, function, method or variable we analyzed
    ("inst", class)         an instance of one of our classes
    ("bound", method, cls)  a method looked up on an instance whose static class is cls
    ("super", class)        `super()` inside class
    ("ext", dotted)         something from outside the tree (builtins, third-party)
    ("extinst", dotted)     an instance of an outside class
    ("extresult", dotted)   what calling an outside function returned
    ("coll", values)        a collection whose elements are values
    ("method_of", var, m)   a getter or view method of a module-level container (`CACHE.get`)
    ("coll_method", coll, m) a getter or view method of a collection value (`handlers.get`)

Evaluation is flow-insensitive and keeps only what the code states: imports,
assignments, annotations, constructors and return annotations. What it cannot
know it leaves out, so callers see an empty set rather than a guess.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable
from typing import Any

from .facts import Definition, Expr, FileFacts, Import, Variable
from .memo import ANY_DEPTH, MAX_NESTING, Entry, Memo

Value = tuple
BUILTIN_NAMES = frozenset(dir(builtins))
BUILTIN_TYPES = frozenset(f"builtins.{n}" for n in BUILTIN_NAMES if isinstance(getattr(builtins, n), type))
CONTAINER_GETTERS = frozenset({"get", "pop", "setdefault", "__getitem__"})
CONTAINER_VIEWS = frozenset({"values", "copy", "items", "keys"})
ROW_GETTERS = frozenset({"get", "get_one"})
SINGLE_ROW = frozenset({"first", "one", "one_or_none", "scalar", "scalar_one", "scalar_one_or_none"})
MANY_ROWS = frozenset({"all", "scalars", "fetchall", "unique"})
QUERY_RESULTS = ROW_GETTERS | SINGLE_ROW | MANY_ROWS
MAX_DEPTH = 12  # attribute and call chains within one expression
EMPTY: frozenset = frozenset()
BUILTIN_VALUES = {name: frozenset({("ext", f"builtins.{name}")}) for name in BUILTIN_NAMES}  # what a builtin's name is
# What every file's names and classes give the whole program (`Program.callable_names`, `.subclasses`)
Outline = tuple[frozenset[str], dict[str, set[str]]]
# `lookup`'s view of a scope: the scopes binding names around it (with their bindings and the answers found),
# its module, the module's read bit and the answers found for its names
Chain = tuple[tuple[tuple[Definition, dict, dict[str, Entry]], ...], str, int, dict[str, Entry]]
_EVALUATED = frozenset({"name", "attr", "call", "def", "lambda", "ann", "sub", "iter", "seq"})  # tags `_eval` reads


class Program(Memo):
    """Indexes every file's facts and answers "what may this expression be?".

    Answers are remembered as memo.py says: the same whatever order they are asked in, each with
    the modules it read (`touch`)."""

    def __init__(self, files: Iterable[FileFacts], outline: Outline | None = None) -> None:
        """`outline`: what a previous run found of the same names and classes (reuse.py), else
        found here, before any binding (the facts alone give each base)."""
        super().__init__()
        self.files = {f.module: f for f in files}
        self.defs: dict[str, Definition] = {}
        self.variables: dict[str, Variable] = {}
        self.module_of: dict[str, str] = {}
        self.namespace: dict[str, dict[str, tuple]] = {}
        self.stars: dict[str, list[Import]] = {}
        self.members: dict[str, dict[str, str]] = {}  # class -> member name -> qname
        self.packages: set[str] = set()
        self.class_variables: set[str] = set()  # class attributes that are state
        for facts in self.files.values():
            self._index(facts)
        self.param_values: dict[tuple[str, str], set[Value]] = {}
        self.stored: dict[str, set[Value]] = {}  # variable -> values put into it
        self._member_memo: dict[str, dict[str, Entry]] = {}  # module -> what its names are
        self._local_memo: dict[str, dict[str, Entry]] = {}  # binding scope -> its local names' answers
        self._mro_memo: dict[str, Entry] = {}
        self._external_memo: dict[str, Entry] = {}
        self._attribute_memo: dict[str, dict[str, Entry]] = {}  # class -> what its instances' attributes are
        self._kinds: dict[str, tuple[str | None, int]] = {}  # kind and the modules it read, once variables are final
        self._variables_final = False  # set once the class attributes that are state are known
        self._self_assignments: dict[str, dict[str, list[tuple[Definition, Expr]]]] = {}
        self._overrides_memo: dict[tuple[str, str], tuple[tuple[str, ...], int]] = {}  # (answer, modules read)
        self._settled: dict[tuple, tuple[Any, int]] = {}  # the resolver's top-level questions (`settle`)
        self._bindings: dict[str, dict[str, list[tuple[str, int, Any]]]] = {}
        self._chains: dict[str, Chain] = {}  # `lookup`'s scopes
        self._scope_bits: dict[str, int] = {}
        self._owners: dict[str, str] = {}
        self._module_names: dict[str, tuple[bool, int]] = {}  # `is_module`'s answer and what it reads
        self._descendants: dict[str, tuple[tuple[str, ...], int]] = {}  # (subclasses at any depth, modules read)
        # `eval`'s answers, by scope and then expression: a definition's own are asked together, in a small
        # table of their own (`_scope_memo`: the last scope's is at hand without a lookup)
        self._eval_memo: dict[str, dict[Expr, Entry]] | None = None
        self._last_scope: Definition | None = None
        self._last_memo: dict[Expr, Entry] = {}
        self._last_bit = 0  # the last scope's module's read bit (`_scope_bit`)
        self._deepest = 0  # the deepest expression depth (`eval`) reached by the answer being found
        self._returns_memo: dict[str, Entry] | None = None
        self.callable_names, self.subclasses = outline if outline is not None else self._outline()

    def _outline(self) -> Outline:
        subclasses: dict[str, set[str]] = {}
        for qname, definition in self.defs.items():
            if definition.kind == "class":
                for base in self.base_classes(qname):
                    subclasses.setdefault(base, set()).add(qname)
        return _callable_names(self), subclasses

    # -- index ----------------------------------------------------------------------------
    def _index(self, facts: FileFacts) -> None:
        module = facts.module
        package = module.rpartition(".")[0]
        while package and package not in self.packages:
            self.packages.add(package)
            package = package.rpartition(".")[0]
        ns: dict[str, tuple] = {}
        self.namespace[module] = ns
        self.stars[module] = []
        defs, module_of = self.defs, self.module_of
        for variable in facts.variables:
            self.variables.setdefault(variable.qname, variable)
            module_of[variable.qname] = module
            ns.setdefault(variable.qname.rpartition(".")[2], ("var", variable.qname))
        for definition in facts.definitions:
            qname, parent = definition.qname, definition.parent
            defs[qname] = definition
            module_of[qname] = module
            for name in definition.class_state:
                self._add_class_variable(definition, name, mutable=True)
            if parent == module:
                ns[qname.rpartition(".")[2]] = ("def", qname)
            elif parent and parent in defs and defs[parent].kind == "class":
                self.members.setdefault(parent, {})[qname.rpartition(".")[2]] = qname
        if facts.definitions:
            for imp in facts.definitions[0].scope.imports:
                if imp.name == "*":
                    self.stars[module].append(imp)
                else:
                    ns[imp.name] = ("import", imp)

    def forget_memos(self) -> None:
        """After new parameter bindings or stored values, local answers may change."""
        self._forget_locals()
        self._attribute_memo.clear()
        self._scratch = {}

    def _add_class_variable(self, definition: Definition, name: str, mutable: bool) -> None:
        qname = f"{definition.qname}.{name}"
        value, line = definition.class_attrs[name]
        self.variables.setdefault(qname, Variable(qname, line, value, mutable))
        self.module_of[qname] = self.module_of[definition.qname]
        self.class_variables.add(qname)

    def register_rebound_class_attributes(self) -> None:
        """Class attributes that functions rebind (`Counter.total = ...`, `cls.seen = ...`) are
        state as well, like a module global rebound with `global`."""
        for definition in list(self.defs.values()):
            for store in definition.scope.stores:
                if store.kind != "attr" or not self._names_class_itself(store.target[1], definition):
                    continue
                for value in self.eval(store.target[1], definition):
                    if value[0] == "sym" and self.kind(value[1]) == "class":
                        for owner in self.mro(value[1]):
                            if store.target[2] in self.defs[owner].class_attrs:
                                self._add_class_variable(self.defs[owner], store.target[2], mutable=False)
                                break
        self._variables_final = True
        self.forget_memos()

    def rebound_class_variables(self) -> tuple[str, ...]:
        """The class attributes `register_rebound_class_attributes` made state, in its order."""
        return tuple(q for q, v in self.variables.items() if q in self.class_variables and not v.mutable)

    def register_class_variables(self, rebound: Iterable[str]) -> None:
        """What `register_rebound_class_attributes` found in a previous run whose writes and
        module-level names read the same (reuse.py)."""
        for qname in rebound:
            owner, name = qname.rsplit(".", 1)
            self._add_class_variable(self.defs[owner], name, mutable=False)
        self._variables_final = True

    def _names_class_itself(self, base: Expr, definition: Definition) -> bool:
        """`Counter.total = ...` or `cls.total = ...` in a classmethod: not `klass.code = ...` on
        some class a function was handed (a decorator configuring the class it decorates)."""
        root = base
        while root[0] == "attr":
            root = root[1]
        if root[0] != "name":
            return False
        if definition.method_kind == "class" and definition.params and root[1] == definition.params[0].name:
            return True
        return definition.kind != "module" and root[1] not in self._local_bindings_of(definition)

    def is_module(self, name: str) -> bool:
        known = self._module_names.get(name)
        if known is None:  # not one: the module it would be written in is read (a new file may make it one)
            found = name in self.files or name in self.packages
            known = self._module_names[name] = (found, self.bit(name if found else self._owner(name)))
        self._reads |= known[1]
        return known[0]

    def kind(self, qname: str) -> str | None:
        """"module", "class", "function", "method", "variable", or None for a name nothing here defines."""
        known = self._kinds.get(qname)
        if known is not None:
            self._reads |= known[1]
            return known[0]
        outer = self._reads
        self._reads = 0
        found = self._kind(qname)
        if self._variables_final:  # no class attribute becomes a variable any more
            self._kinds[qname] = (found, self._reads)
        self._reads |= outer
        return found

    def _kind(self, qname: str) -> str | None:
        module = self.module_of.get(qname)
        if module is not None:
            bit = self._scope_bits.get(qname)
            self._reads |= bit if bit is not None else self._scope_bit(qname)
            definition = self.defs.get(qname)
            if definition is not None:
                return definition.kind
            if qname in self.variables:
                return "variable"
        if qname in self.packages:
            self.touch(qname)
            return "module"
        self.touch(self._owner(qname))
        return None

    def _owner(self, name: str) -> str:
        """Where a name nothing defines would be written: the module of its longest defined
        prefix, else its first part (a file added under that prefix is a change for it, reuse.py)."""
        found = self._owners.get(name)
        if found is None:
            head, found = name, name.split(".", 1)[0]
            while "." in head:
                head = head.rsplit(".", 1)[0]
                module = self.module_of.get(head) or (head if head in self.packages else None)
                if module is not None:
                    found = module
                    break
            self._owners[name] = found
        return found

    def settle(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """A question of another stage asked where nothing is being evaluated, found once for all
        askers (`Memo.settled`), once bindings are final."""
        return self.settled(self._settled, key, compute)

    # -- names ----------------------------------------------------------------------------
    def module_value(self, name: str) -> Value:
        return ("sym", name) if self.is_module(name) else ("ext", name)

    def member(self, module: str, name: str) -> frozenset:
        """What `module.name` is, following imports, re-exports and star imports."""
        answers = self._member_memo.get(module)
        if answers is None:
            answers = self._member_memo[module] = {}
        found = answers.get(name)
        if found is not None and self._nesting + found[2] <= MAX_NESTING:
            self._reads |= found[1]
            return found[0]
        return self.found(answers, name, EMPTY, self._member, module, name)

    def _member(self, module: str, name: str) -> frozenset:
        bit = self._scope_bits.get(module)
        self._reads |= bit if bit is not None else self._scope_bit(module)
        binding = self.namespace.get(module, {}).get(name)
        if binding is not None:
            return self._binding(binding, module)
        submodule = f"{module}.{name}"
        if self.is_module(submodule):
            return frozenset({("sym", submodule)})
        all_names = self.files[module].all_names if module in self.files else None
        if not name.startswith("_") or (all_names and name in all_names):
            for star in self.stars.get(module, ()):
                if self.is_module(star.module):
                    found = self.member(star.module, name)
                    if found:
                        return found
        return frozenset()

    def _binding(self, binding: tuple, module: str) -> frozenset:
        kind, target = binding
        if kind == "def":
            return frozenset({("sym", target)})
        if kind == "var":
            return frozenset({("sym", target)})
        return self.import_value(target)

    def import_value(self, imp: Import) -> frozenset:
        if imp.member is None:
            bound = imp.module.split(".")[0] if imp.top_level_binding else imp.module
            return frozenset({self.module_value(bound)})
        if self.is_module(imp.module):
            return self.member(imp.module, imp.member)
        return frozenset({("ext", f"{imp.module}.{imp.member}" if imp.module else imp.member)})

    def lookup(self, name: str, scope: Definition) -> frozenset:
        """A bare name as seen from inside `scope`: locals, enclosing functions, module, builtins.
        Remembered per binding scope (`_local_memo`) or module (`member`), whose hit tests are
        repeated here: the hottest path. Reading a name in `scope` reads its module."""
        chain = self._chains.get(scope.qname)
        if chain is None:
            chain = self._chains[scope.qname] = self._chain(scope)
        scopes, module, bit, members = chain
        self._reads |= bit
        for current, bindings, answers in scopes:
            sources = bindings.get(name)
            if sources is not None:
                found = answers.get(name)
                if found is not None and self._nesting + found[2] <= MAX_NESTING:
                    self._reads |= found[1]
                    return found[0]
                if len(sources) == 1 and sources[0][0] == "param" and sources[0][2].annotation is None:
                    return self._parameter(current, answers, name, sources[0])
                return self.found(answers, name, EMPTY, self._bound_values, current, sources)
        found = members.get(name)
        if found is not None and self._nesting + found[2] <= MAX_NESTING:
            self._reads |= found[1]
            values = found[0]
        else:
            values = self.found(members, name, EMPTY, self._member, module, name)
        if values:
            return values
        return BUILTIN_VALUES.get(name, EMPTY)

    def _parameter(self, scope: Definition, answers: dict[str, Entry], name: str,
                   source: tuple[str, int, Any]) -> frozenset:
        """A local name bound only by a parameter without annotation: what callers pass and what
        the method's first parameter is, found without evaluating anything (so never cut short,
        nor nested): remembered as `found` would, without its guards."""
        outer = self._reads
        self._reads = 0
        answer = frozenset(self._param_value(scope, source[1], source[2]))
        reads = self._reads
        answers[name] = (answer, reads, 0, ANY_DEPTH)
        self._reads = reads | outer
        return answer

    def _chain(self, scope: Definition) -> Chain:
        """Where a bare name read in `scope` may be bound, innermost first: the functions around it
        (a class body's names only from inside it), with their local bindings and the answers found
        for those (`_local_memo`); then its module, the module's read bit (`_scope_bit`) and what its
        names were found to be (`member`)."""
        scopes: list[tuple[Definition, dict, dict[str, Entry]]] = []
        current: Definition | None = scope
        while current is not None and current.kind in ("function", "method", "class"):
            if current.kind != "class" or current is scope:
                answers = self._local_memo.get(current.qname)
                if answers is None:
                    answers = self._local_memo[current.qname] = {}
                scopes.append((current, self._local_bindings_of(current), answers))
            current = self.defs.get(current.parent or "")
        bit = self._scope_bits.get(scope.qname)
        module = self.module_of.get(scope.qname, scope.qname)
        members = self._member_memo.get(module)
        if members is None:
            members = self._member_memo[module] = {}
        return tuple(scopes), module, bit if bit is not None else self._scope_bit(scope.qname), members

    def _forget_locals(self) -> None:
        """Forget what local names were found to be (each scope's table stays, in the chains that hold it)."""
        for answers in self._local_memo.values():
            answers.clear()

    def _local_bindings_of(self, scope: Definition) -> dict[str, list[tuple[str, int, Any]]]:
        bindings = self._bindings.get(scope.qname)
        if bindings is None:
            bindings = self._bindings[scope.qname] = _local_bindings(scope)
        return bindings

    def _bound_values(self, scope: Definition, sources: list[tuple[str, int, Any]]) -> frozenset:
        if len(sources) == 1:
            kind, index, item = sources[0]
            if kind == "assign":
                return self.eval(item, scope)
            if kind == "param":
                return frozenset(self._param_value(scope, index, item))
        values: set[Value] = set()
        for kind, index, item in sources:
            if kind == "param":
                values |= self._param_value(scope, index, item)
            elif kind == "import":
                values |= self.import_value(item)
            else:
                values |= self.eval(item, scope)
        return frozenset(values)

    def _param_value(self, scope: Definition, index: int, param) -> set[Value]:
        values: set[Value] = set(self.param_values.get((scope.qname, param.name), ()))
        if values:
            self._touch_values(values)
        if index == 0 and scope.kind == "method" and scope.parent:
            if scope.method_kind == "instance" or scope.method_kind == "property":
                values.add(("inst", scope.parent))
            elif scope.method_kind == "class":
                values.add(("sym", scope.parent))
        if param.annotation is not None:
            values |= self.eval(param.annotation, scope)
        return values

    # -- expressions ----------------------------------------------------------------------
    def eval(self, expr: Expr, scope: Definition, depth: int = 0) -> frozenset:
        """What `expr` may be inside `scope` (remembered once bindings are final, see memo.py)."""
        nesting = self._nesting
        if depth > MAX_DEPTH or nesting > MAX_NESTING:
            self._cut += 1
            return EMPTY
        tag = expr[0]
        if tag == "name":
            # a bare name: `lookup` remembers it, per scope binding it (shared by nested functions, a
            # module's by all its code), so a second answer per asking scope would only repeat it;
            # it reads the scope's module, and what it finds reads what it read
            if self._peak <= nesting:
                self._peak = nesting + 1
            if self._deepest < depth:
                self._deepest = depth
            self._nesting = nesting + 1
            try:
                return self.lookup(expr[1], scope)
            finally:
                self._nesting = nesting
        memo = self._eval_memo
        literal = tag not in _EVALUATED
        if literal or memo is None:
            # a literal, an operator: nothing to follow, nothing to remember; or bindings still grow:
            # no answer is kept at this level, so what it reads and how deep it goes is not kept apart
            qname = scope.qname
            bit = self._scope_bits.get(qname)
            self._reads |= bit if bit is not None else self._scope_bit(qname)
            if self._peak <= nesting:
                self._peak = nesting + 1
            if self._deepest < depth:
                self._deepest = depth
            if literal:
                return EMPTY
            self._nesting = nesting + 1
            try:
                return self._eval(expr, scope, depth)
            finally:
                self._nesting = nesting
        scoped = self._last_memo if scope is self._last_scope else self._scope_memo(scope, memo)
        found = scoped.get(expr)
        if found is not None and depth <= found[3] and nesting + found[2] <= MAX_NESTING:
            self._reads |= found[1]
            reached = depth + MAX_DEPTH - found[3]  # as deep as finding it again here would go
            if self._deepest < reached:
                self._deepest = reached
            return found[0]
        if self._scratch:
            found = self._scratch.get((scope.qname, expr))
            if found is not None:
                self._cut += 1
                self._reads |= found[1]
                return found[0]
        outer_reads, outer_peak, outer_deepest, cut = self._reads, self._peak, self._deepest, self._cut
        self._reads = self._last_bit  # the scope's module: `scope` is still the last one (nothing asked since)
        self._nesting = self._peak = nesting + 1
        self._deepest = depth
        try:  # the commonest forms first, without a call to `_eval`
            if tag == "attr":
                base_expr = expr[1]
                if base_expr[0] != "name":
                    bases = self.eval(base_expr, scope, depth + 1)
                elif depth >= MAX_DEPTH or nesting >= MAX_NESTING:  # what `eval` of the name would find
                    self._cut += 1
                    bases = EMPTY
                else:  # `self.x`: the name's answer is `lookup`'s, asked as `eval` of the name would ask it
                    self._peak = nesting + 2
                    self._deepest = depth + 1
                    self._nesting = nesting + 2
                    bases = self.lookup(base_expr[1], scope)
                    self._nesting = nesting + 1
                if len(bases) == 1:
                    (base,) = bases
                    result = self.attribute(base, expr[2])
                else:
                    result = frozenset(v for base in bases for v in self.attribute(base, expr[2]))
            else:
                result = self._eval(expr, scope, depth)
        finally:
            self._nesting = nesting
        reads, peak, deepest = self._reads, self._peak, self._deepest
        # the answer holds for any depth that leaves room for the chain below it (`_deepest`)
        entry = (result, reads, peak - nesting, depth + MAX_DEPTH - deepest)
        if self._cut == cut:
            scoped[expr] = entry
        else:
            self._scratch[(scope.qname, expr)] = entry
        self._reads = reads | outer_reads
        if outer_peak > peak:
            self._peak = outer_peak
        if outer_deepest > deepest:
            self._deepest = outer_deepest
        return result

    def _scope_memo(self, scope: Definition, memo: dict[str, dict[Expr, Entry]]) -> dict[Expr, Entry]:
        """`eval`'s answers in `scope`, made the ones at hand with its module's read bit."""
        scoped = memo.get(scope.qname)
        if scoped is None:
            scoped = memo[scope.qname] = {}
        bit = self._scope_bits.get(scope.qname)
        self._last_bit = bit if bit is not None else self._scope_bit(scope.qname)
        self._last_scope, self._last_memo = scope, scoped
        return scoped

    def _scope_bit(self, qname: str) -> int:
        """The bit of the module a definition is written in (reading its code reads that module)."""
        module = self.module_of.get(qname)
        bit = self._scope_bits[qname] = self.bit(module if module is not None else qname)
        return bit

    def freeze(self) -> None:
        """Bindings are final: from now on the same expression in the same scope has one answer.
        Answers found while bindings were still growing are forgotten, except what a module's names
        are (`member`): imports, definitions and star imports, which no binding changes."""
        self._forget_locals()
        for memo in (self._mro_memo, self._external_memo,
                     self._attribute_memo, self._settled):
            memo.clear()
        self._scratch = {}
        self._eval_memo = {}
        self._last_scope, self._last_memo = None, {}
        self._returns_memo = {}
        self._variables_final = True

    def _eval(self, expr: Expr, scope: Definition, depth: int) -> frozenset:
        """`eval`'s answer for any form but a bare name (`lookup`), found without remembering it."""
        tag = expr[0]
        if tag == "attr":
            bases = self.eval(expr[1], scope, depth + 1)
            if len(bases) == 1:
                (base,) = bases
                return self.attribute(base, expr[2])
            return frozenset(v for base in bases for v in self.attribute(base, expr[2]))
        if tag == "call":
            func = expr[1]
            if func == ("name", "super"):
                return self._super(scope)
            callees = self.eval(func, scope, depth + 1)
            if len(callees) == 1:
                found = self.call_result(next(iter(callees)))
            else:
                found = frozenset(v for callee in callees for v in self.call_result(callee))
            if func[0] == "attr" and func[2] in QUERY_RESULTS:
                found |= self._query_rows(expr, scope)
            return found
        if tag == "def":
            return frozenset({("sym", expr[1])})
        if tag == "lambda" and len(expr) == 3:
            qname = f"{scope.qname}.<lambda:{expr[1]}:{expr[2]}>"
            return frozenset({("sym", qname)}) if qname in self.defs else frozenset()
        if tag == "ann":
            return frozenset(self._instance(v) for v in self.eval(expr[1], scope, depth + 1)
                             if v[0] in ("sym", "ext") and self._instance(v) is not None)
        if tag in ("sub", "iter"):
            return self.elements(self.eval(expr[1], scope, depth + 1))
        if tag == "seq":
            return frozenset({("coll", frozenset(
                v for item in expr[1] for v in self.eval(item, scope, depth + 1)))})
        return frozenset()

    def _query_rows(self, call: Expr, scope: Definition) -> frozenset:
        """Rows an ORM query returns: `session.get(Order, id)`, `session.scalars(select(Order)).first()`."""
        method, args = call[1][2], call[2]
        if method in ROW_GETTERS:
            classes = self.eval(args[0], scope) if args else frozenset()
        else:
            classes = self._selected(call, scope, 0)
        rows = frozenset(("inst", v[1]) for v in classes if v[0] == "sym" and self.kind(v[1]) == "class")
        if method in MANY_ROWS and rows:
            return frozenset({("coll", rows)})
        return rows

    def _selected(self, expr: Expr, scope: Definition, hops: int) -> frozenset:
        """The classes named first in a `select(...)` or `query(...)` within a query expression."""
        if not isinstance(expr, tuple) or not expr:
            return frozenset()
        parts = expr[1:] if isinstance(expr[0], str) else expr  # an expression, or a tuple of them
        if expr[0] == "call":
            func, args = expr[1], expr[2]
            name = func[-1] if func[0] in ("name", "attr") else None
            if name in ("select", "query") and args:
                return self.eval(args[0], scope)
        if expr[0] == "name" and hops < 2 and scope.kind != "module":
            return frozenset(v for target, value, _ in scope.scope.assigns if target == expr[1]
                             for v in self._selected(value, scope, hops + 1))
        found: frozenset = frozenset()
        for part in parts:
            if isinstance(part, tuple):
                found |= self._selected(part, scope, hops)
                if found:
                    return found
        return found

    def _instance(self, value: Value) -> Value | None:
        if value[0] == "sym" and self.kind(value[1]) == "class":
            return ("inst", value[1])
        if value[0] == "ext":
            return ("extinst", value[1])
        return None

    def _super(self, scope: Definition) -> frozenset:
        current: Definition | None = scope
        while current is not None and current.kind != "class":
            current = self.defs.get(current.parent or "")
        return frozenset({("super", current.qname)}) if current is not None else frozenset()

    def elements(self, values: frozenset) -> frozenset:
        """What indexing or iterating over these values gives."""
        found: set[Value] = set()
        for value in values:
            if value[0] == "coll":
                found |= value[1]
            elif value[0] == "sym" and value[1] in self.variables:
                self.touch(self.module_of[value[1]])
                stored = self.stored.get(value[1], set())
                self._touch_values(stored)
                found |= stored
                for initial in self.variable_values(value[1]):
                    if initial[0] == "coll":
                        found |= initial[1]
        return frozenset(found)

    def callables_in(self, qname: str) -> frozenset:
        """What calling a module variable may run: its value, or a function stored in it."""
        direct = frozenset(v for v in self.variable_values(qname) if v[0] != "coll")
        return direct | self.elements(frozenset({("sym", qname)}))

    def variable_values(self, qname: str) -> frozenset:
        variable = self.variables[qname]
        self.touch(self.module_of[qname])
        module = self.defs.get(self.module_of[qname])
        if module is None:
            return frozenset()
        key = ("var", qname)
        if key in self._in_progress:
            self._cut += 1
            return frozenset()
        self._in_progress.add(key)
        try:
            return self.eval(variable.value, module)
        finally:
            self._in_progress.discard(key)

    def attribute(self, value: Value, name: str) -> frozenset:
        tag = value[0]
        if tag == "sym":
            target = value[1]
            kind = self.kind(target)
            if kind == "module":
                return self.member(target, name)
            if kind == "class":
                member = self.class_member(target, name) or self.class_variable(target, name)
                return frozenset({("sym", member)}) if member else frozenset()
            if kind == "variable":
                if name in CONTAINER_GETTERS or name in CONTAINER_VIEWS:
                    return frozenset({("method_of", target, name)})
                return frozenset(v for inner in self.variable_values(target)
                                 for v in self.attribute(inner, name))
            return frozenset()
        if tag == "inst":
            return self._instance_attribute(value[1], name)
        if tag == "super":
            mro = self.mro(value[1])
            for cls in mro[1:]:
                member = self.members.get(cls, {}).get(name)
                if member:
                    return frozenset({("bound", member, None)})
            return frozenset()
        if tag in ("ext", "extinst"):
            return frozenset({("ext", f"{value[1]}.{name}")})
        if tag == "extresult":  # a method of what an outside function returned
            return frozenset({("ext", f"{value[1]}().{name}")})
        if tag == "coll" and (name in CONTAINER_GETTERS or name in CONTAINER_VIEWS):
            return frozenset({("coll_method", value, name)})
        return frozenset()

    def _instance_attribute(self, cls: str, name: str) -> frozenset:
        answers = self._attribute_memo.get(cls)
        if answers is None:
            answers = self._attribute_memo[cls] = {}
        found = answers.get(name)
        if found is not None and self._nesting + found[2] <= MAX_NESTING:
            self._reads |= found[1]
            return found[0]
        return self.found(answers, name, EMPTY, self._find_instance_attribute, cls, name)

    def _find_instance_attribute(self, cls: str, name: str) -> frozenset:
        for owner in self.mro(cls):
            member = self.members.get(owner, {}).get(name)
            if member:
                definition = self.defs[member]
                if definition.kind == "method" and definition.method_kind == "property":
                    return self.returns(definition)
                if definition.kind == "method" and definition.method_kind != "static":
                    return frozenset({("bound", member, cls)})
                return frozenset({("sym", member)})
            attr = self.defs[owner].class_attrs.get(name) if owner in self.defs else None
            if attr is not None:
                if f"{owner}.{name}" in self.class_variables and not self._set_on_instances(cls, name):
                    return frozenset({("sym", f"{owner}.{name}")})  # `self.registry` is the class's
                return self.eval(attr[0], self.defs[owner])
        values: set[Value] = set()
        for owner in self.mro(cls):
            for definition, expr in self._set_on_self(owner).get(name, ()):
                values |= self.eval(expr, definition)
        return frozenset(values)

    def _set_on_instances(self, cls: str, name: str) -> bool:
        """Whether some method assigns `self.name`, hiding a class attribute of that name."""
        return any(name in self._set_on_self(owner) for owner in self.mro(cls))

    def _set_on_self(self, owner: str) -> dict[str, list[tuple[Definition, Expr]]]:
        """What the methods of `owner` assign to `self.<name>`, by name, in the order they are
        written: looked up once per class, not once per attribute asked of it."""
        found = self._self_assignments.get(owner)
        if found is None:
            found = self._self_assignments[owner] = {}
            for method in self.members.get(owner, {}).values():
                definition = self.defs[method]
                for name, exprs in definition.self_attrs.items():
                    found.setdefault(name, []).extend((definition, expr) for expr in exprs)
        return found

    def class_variable(self, cls: str, name: str) -> str | None:
        """The class attribute holding shared mutable state that `cls.name` names, if any."""
        for owner in self.mro(cls):
            if f"{owner}.{name}" in self.class_variables:
                return f"{owner}.{name}"
        return None

    def class_member(self, cls: str, name: str) -> str | None:
        for owner in self.mro(cls):
            member = self.members.get(owner, {}).get(name)
            if member:
                return member
        return None

    def call_result(self, callee: Value) -> frozenset:
        tag = callee[0]
        if tag == "sym":
            kind = self.kind(callee[1])
            if kind == "class":
                return frozenset({("inst", callee[1])})
            if kind in ("function", "method"):
                return self.returns(self.defs[callee[1]])
            if kind == "variable":
                return frozenset(v for inner in self.callables_in(callee[1])
                                 for v in self.call_result(inner))
            return frozenset()
        if tag == "bound":
            return self.returns(self.defs[callee[1]])
        if tag == "method_of":  # HANDLERS.get(k) or REGISTRY.values(): (part of) the container
            return frozenset({("sym", callee[1])})
        if tag == "coll_method":  # handlers.get(k): an element; handlers.values(): the collection
            return callee[1][1] if callee[2] in CONTAINER_GETTERS else frozenset({callee[1]})
        if tag == "ext":
            last = callee[1].rsplit(".", 1)[-1]
            if (last[:1].isupper() and not last.isupper()) or callee[1] in BUILTIN_TYPES:
                return frozenset({("extinst", callee[1])})
            return frozenset({("extresult", callee[1])})
        return frozenset()

    def returns(self, definition: Definition) -> frozenset:
        """What a call gives back: its return annotation, else what its `return`s name; remembered
        once bindings are final (before, stored values may still grow under it)."""
        memo = self._returns_memo
        if memo is None:
            return self._returns(definition)
        found = memo.get(definition.qname)
        if found is not None and self._nesting + found[2] <= MAX_NESTING:
            self._reads |= found[1]
            return found[0]
        return self.found(memo, definition.qname, EMPTY, self._returns, definition)

    def _returns(self, definition: Definition) -> frozenset:
        if definition.returns is not None:
            found = self.eval(definition.returns, definition)
            if found:
                return found
        key = ("returns", definition.qname)
        bit = self._scope_bits.get(definition.qname)
        self._reads |= bit if bit is not None else self._scope_bit(definition.qname)
        if key in self._in_progress:
            self._cut += 1
            return frozenset()
        if not definition.scope.returns:
            return frozenset()
        self._in_progress.add(key)
        try:
            if len(definition.scope.returns) == 1:
                return self.eval(definition.scope.returns[0], definition)
            return frozenset(v for expr in definition.scope.returns for v in self.eval(expr, definition))
        finally:
            self._in_progress.discard(key)

    # -- classes --------------------------------------------------------------------------
    def base_values(self, cls: str) -> list[Value]:
        definition = self.defs[cls]
        self.touch(self.module_of[cls])
        scope = self.defs.get(definition.parent or "") or definition
        found: list[Value] = []
        for base in definition.bases:
            for value in sorted(self.eval(base, scope)):
                if value not in found:
                    found.append(value)
        return found

    def base_classes(self, cls: str) -> list[str]:
        return [v[1] for v in self.base_values(cls) if v[0] == "sym" and self.kind(v[1]) == "class"]

    def mro(self, cls: str) -> tuple[str, ...]:
        """C3 linearization over the classes we analyzed (outside bases end the chain)."""
        found = self._mro_memo.get(cls)
        if found is not None and self._nesting + found[2] <= MAX_NESTING:
            self._reads |= found[1]
            return found[0]
        return self.found(self._mro_memo, cls, (cls,), self._mro, cls)

    def _mro(self, cls: str) -> tuple[str, ...]:
        bases = self.base_classes(cls)
        return (cls,) + _c3([list(self.mro(b)) for b in bases] + [bases])

    def external_base(self, cls: str) -> str | None:
        """The first class from outside the tree in cls's ancestry, if any."""
        return self.remembered(self._external_memo, cls, lambda: next(
            (str(v[1]) for owner in self.mro(cls) for v in self.base_values(owner) if v[0] == "ext"), None), None)

    def overrides(self, cls: str, name: str) -> tuple[str, ...]:
        """Methods named `name` defined in subclasses of cls (where a call may dispatch)."""
        key = (cls, name)
        found = self._overrides_memo.get(key)
        if found is None:  # no evaluation below: the answer and what it read are the same for every asker
            outer = self._reads
            self._reads = 0
            found = self._overrides_memo[key] = (self._overrides(cls, name), self._reads)
            self._reads = outer
        self._reads |= found[1]
        return found[0]

    def _overrides(self, cls: str, name: str) -> tuple[str, ...]:
        subclasses, reads = self._descendants_of(cls)
        self._reads |= reads
        members = self.members
        return tuple(sorted(member for sub in subclasses if (member := members.get(sub, {}).get(name))))

    def _descendants_of(self, cls: str) -> tuple[tuple[str, ...], int]:
        """cls's subclasses at any depth, and the modules they and cls are written in (read bits):
        the same for every name asked of cls, so found once."""
        found = self._descendants.get(cls)
        if found is None:
            reads = self.bit(self.module_of[cls])
            stack, seen = list(self.subclasses.get(cls, ())), set()
            while stack:
                sub = stack.pop()
                if sub not in seen:
                    seen.add(sub)
                    reads |= self.bit(self.module_of[sub])
                    stack.extend(self.subclasses.get(sub, ()))
            found = self._descendants[cls] = (tuple(seen), reads)
        return found

    def _touch_values(self, values: Iterable[Value]) -> None:
        """Values another module's code put in a parameter or a container: their modules are read too."""
        for value in values:
            if value[0] in ("sym", "inst", "bound", "super"):
                module = self.module_of.get(value[1])
                self.touch(module if module is not None else self._owner(value[1]))
            elif value[0] == "coll":
                self._touch_values(value[1])


def ordered(values: frozenset) -> Iterable[Value]:
    """Values in a fixed order (what they print as), without sorting the usual one or none."""
    return values if len(values) < 2 else sorted(values, key=repr)


def _callable_names(program: Program) -> frozenset[str]:
    """Short names that may stand for a function or class: definitions, imports and aliases."""
    names = {qname.rsplit(".", 1)[-1] for qname, d in program.defs.items() if d.kind != "module"}
    names |= {imp.name for d in program.defs.values() for imp in d.scope.imports}
    names |= {q.rsplit(".", 1)[-1] for q, v in program.variables.items() if v.value[0] in ("name", "attr")}
    return frozenset(names)


def _local_bindings(scope: Definition) -> dict[str, list[tuple[str, int, Any]]]:
    """Where each local name of a function gets its value: parameters, imports, assignments."""
    bindings: dict[str, list[tuple[str, int, Any]]] = {}
    for i, param in enumerate(scope.params):
        bindings.setdefault(param.name, []).append(("param", i, param))
    for imp in scope.scope.imports:
        bindings.setdefault(imp.name, []).append(("import", 0, imp))
    for target, expr, _ in scope.scope.assigns:
        bindings.setdefault(target, []).append(("assign", 0, expr))
    for name in scope.scope.globals:
        bindings.pop(name, None)
    return bindings


def _c3(sequences: list[list[str]]) -> tuple[str, ...]:
    result: list[str] = []
    sequences = [s for s in sequences if s]
    while sequences:
        for sequence in sequences:
            head = sequence[0]
            if not any(head in s[1:] for s in sequences):
                break
        else:  # inconsistent hierarchy: fall back to depth-first order
            head = sequences[0][0]
        result.append(head)
        sequences = [[c for c in s if c != head] for s in sequences]
        sequences = [s for s in sequences if s]
    return tuple(result)
