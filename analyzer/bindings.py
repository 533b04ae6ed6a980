"""How functions flow as values: parameters that receive callbacks, and containers that
store them (registries, event buses, handler tables). Found before calls are resolved,
so that `fn()` on a parameter, or `HANDLERS[name]()`, can name what it calls.
"""

from __future__ import annotations

from typing import Any

from .data import mutated_container
from .facts import CallSite, Definition, Expr
from .values import Program, Value

CALLABLE_KINDS = ("function", "method", "class")
_NAMED = ("name", "attr")


def collect_bindings(program: Program, definitions: list[Definition]) -> None:
    """Two rounds: functions that received callbacks may pass them on or store them."""
    for definition in definitions:
        _collect_bindings(program, definition, everything=False)
    receivers = {target for target, _ in program.param_values}
    program.forget_memos()
    for definition in definitions:
        if definition.qname in receivers:
            _collect_bindings(program, definition, everything=True)
    program.forget_memos()


def _targets(program: Program, callee: Value) -> list[tuple[str, int]]:
    """The internal functions a call on `callee` runs, with the index of their first argument."""
    tag = callee[0]
    if tag == "sym" and program.kind(callee[1]) in ("function", "method"):
        definition = program.defs[callee[1]]
        offset = 1 if definition.kind == "method" and definition.method_kind in ("class", "instance") else 0
        return [(callee[1], offset)]
    if tag == "bound":
        return [(callee[1], 1)]
    if tag == "sym" and program.kind(callee[1]) == "class":
        init = program.class_member(callee[1], "__init__")
        return [(init, 1)] if init else []
    return []


def _callable_values(program: Program, values: frozenset) -> set[Value]:
    return {v for v in values if (v[0] == "sym" and program.kind(v[1]) in CALLABLE_KINDS)
            or v[0] == "bound"}


def evaluated_sites(definition: Definition, callable_names: frozenset[str]) -> list[CallSite]:
    """The calls of `definition` the first round may evaluate something at (`callable_names`: the
    program's): those handed a lambda or a name spelled like a function, also inside a display.
    At the others it evaluates nothing, so they change nothing."""
    def may_be_callable(arg: Expr) -> bool:
        return arg[0] == "lambda" or (arg[0] in _NAMED and arg[-1] in callable_names)

    return [site for site in definition.scope.calls if not site.protocol and any(
        may_be_callable(a) or (a[0] == "seq" and any(map(may_be_callable, a[1])))
        for a in (*site.args, *(a for _, a in site.kwargs)))]


def evaluates_nothing(definition: Definition, callable_names: frozenset[str]) -> bool:
    """Whether the first round evaluates nothing in `definition`: no call it evaluates something
    at, no item set to what may be a function."""
    return not evaluated_sites(definition, callable_names) and not any(
        store.kind == "item" and (store.value[0] == "lambda" or (store.value[0] in _NAMED
                                                                 and store.value[-1] in callable_names))
        for store in definition.scope.stores)


class _Answers:
    """What `eval` gave at the top of the bindings pass (no evaluation in progress), for one
    definition, and the functions among it, until a binding grows.

    Before `Program.freeze` the evaluator remembers no answer for a whole expression, only for
    the questions below it (a local name, an instance attribute, a module's member...), and keeps
    those, even when bindings grow, until the round ends. So asking again what an expression is,
    with no binding grown since, asks the same questions at the same nesting and gets the same
    answers back (found then or remembered then): the answer is the same, and nothing around it
    (none is in progress) sees the difference. A grown binding (a parameter's values or a
    container's) may be read afresh below (`Program.elements`), so it forgets them all."""

    def __init__(self, program: Program, definition: Definition) -> None:
        self.program, self.definition = program, definition
        self._found: dict[Expr, frozenset] = {}
        self._callables: dict[Expr, set[Value]] = {}  # made only for the expressions asked for them

    def values(self, expr: Expr) -> frozenset:
        found = self._found.get(expr)
        if found is None:
            found = self._found[expr] = self.program.eval(expr, self.definition)
        return found

    def callables(self, expr: Expr) -> set[Value]:
        found = self._callables.get(expr)
        if found is None:
            found = self._callables[expr] = _callable_values(self.program, self.values(expr))
        return found

    def add(self, into: dict, key: Any, values: set[Value]) -> None:
        """`values` added to the binding `into[key]`: what was remembered is forgotten if it grew."""
        bound = into.setdefault(key, set())
        size = len(bound)
        bound |= values
        if len(bound) != size:
            self._found.clear()
            self._callables.clear()


def _collect_bindings(program: Program, definition: Definition, everything: bool) -> None:
    """Parameters that receive functions, and containers functions are stored into.

    Unless `everything`, only arguments spelled like a function, class or imported name
    are followed (a cheap test that skips most data arguments; `evaluates_nothing` repeats it).
    Most definitions evaluate nothing: their answers are made once something is asked."""
    names = None if everything else program.callable_names  # the cheap test, inlined: most sites fail it
    answers: _Answers | None = None
    for site in definition.scope.calls:
        _, func, args, kwargs, _, _, protocol = site
        if protocol:
            continue
        candidates = []
        for a in args:  # the cheap test, inlined again: a loop here costs no call per site
            if a[0] == "lambda" or (a[0] in _NAMED and (names is None or a[-1] in names)):
                candidates.append(a)
        if not candidates and not kwargs and (func[0] != "attr" or func[2] != "update"):
            continue  # nothing below can find a candidate: no container is updated, no callee bound
        if answers is None:
            answers = _Answers(program, definition)
        container = mutated_container(site)
        if container is not None and func[2] == "update":  # HANDLERS.update({"b": g}, c=h)
            candidates = [v for a in args if a[0] == "seq" for v in a[1] if _may_be_callable(v, names)]
            candidates += [a for _, a in kwargs if _may_be_callable(a, names)]
        if container is not None and candidates:
            for var in variables_in(program, answers.values(container)):
                for arg in candidates:
                    answers.add(program.stored, var, answers.callables(arg))
        if kwargs:
            candidates += [a for _, a in kwargs if _may_be_callable(a, names)]
        if not candidates or not any(answers.callables(a) for a in candidates):
            continue
        for callee in answers.values(func):
            for target, offset in _targets(program, callee):
                params = program.defs[target].params
                for i, arg in enumerate(args):
                    if i + offset < len(params) and params[i + offset].kind == "positional":
                        _bind(answers, target, params[i + offset].name, arg)
                for name, arg in kwargs:
                    if any(p.name == name for p in params):
                        _bind(answers, target, name, arg)
    for store in definition.scope.stores:
        if store.kind == "item" and _may_be_callable(store.value, names):
            if answers is None:
                answers = _Answers(program, definition)
            for var in variables_in(program, answers.values(store.target)):
                answers.add(program.stored, var, answers.callables(store.value))


def _may_be_callable(arg: Expr, names: frozenset[str] | None) -> bool:
    """The cheap test: a lambda, or a name or chain ending in one of `names` (any, when None)."""
    return arg[0] == "lambda" or (arg[0] in _NAMED and (names is None or arg[-1] in names))


def _bind(answers: _Answers, target: str, param: str, arg: Expr) -> None:
    if arg[0] not in ("name", "attr", "lambda"):
        return
    values = answers.callables(arg)
    if values:
        answers.add(answers.program.param_values, (target, param), values)


def variables_in(program: Program, values: frozenset) -> list[str]:
    return sorted(v[1] for v in values if v[0] == "sym" and v[1] in program.variables)
