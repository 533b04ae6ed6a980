"""One file's facts <-> bytes: the form facts travel in from worker processes and sit in
the cache (collect.py).

Pickling a named tuple calls a Python method per instance, and a program has some hundred
thousand of them; here the named tuples become plain tuples in one C-level `map` per list,
and `marshal` (plain tuples, lists, dicts, sets, strings and numbers) writes them, about
twice as fast as pickling the facts. Reading builds the named tuples back the same way,
without calling their Python constructors. marshal never runs code when it reads (the cache
is signed all the same), and a facts form it cannot write fails loudly (ValueError), so a
new nested named tuple in facts.py must be named here (tests/analyzer/test_factcodec.py).
"""

from __future__ import annotations

import marshal
from dataclasses import fields
from functools import partial
from typing import Any

from .facts import CallSite, Definition, Diagnostic, FileFacts, Import, Param, Scope, Store, Variable

_tuple_of = tuple.__new__  # cls, iterable -> an instance of the named tuple cls, no Python call
_FILE_FIELDS = tuple(f.name for f in fields(FileFacts))
_SCOPE = Definition._fields.index("scope")
_PARAMS = Definition._fields.index("params")
_CALLS = Scope._fields.index("calls")
_STORES = Scope._fields.index("stores")
_IMPORTS = Scope._fields.index("imports")
_callsite, _store, _import = partial(_tuple_of, CallSite), partial(_tuple_of, Store), partial(_tuple_of, Import)
_param, _variable = partial(_tuple_of, Param), partial(_tuple_of, Variable)
_diagnostic = partial(_tuple_of, Diagnostic)


def encode_facts(facts: FileFacts) -> bytes:
    plain = [getattr(facts, name) for name in _FILE_FIELDS]
    plain[_FILE_FIELDS.index("definitions")] = list(map(_plain_definition, facts.definitions))
    plain[_FILE_FIELDS.index("variables")] = list(map(tuple, facts.variables))
    plain[_FILE_FIELDS.index("diagnostics")] = list(map(tuple, facts.diagnostics))
    return marshal.dumps(plain)


def decode_facts(data: bytes) -> FileFacts:
    plain = marshal.loads(data)
    found = dict(zip(_FILE_FIELDS, plain, strict=True))
    found["definitions"] = list(map(_definition, found["definitions"]))
    found["variables"] = list(map(_variable, found["variables"]))
    found["diagnostics"] = list(map(_diagnostic, found["diagnostics"]))
    return FileFacts(**found)


def _plain_definition(definition: Definition) -> list[Any]:
    """Lists of named tuples (those that are not empty) become lists of tuples."""
    plain: list[Any] = list(definition)
    scope = definition.scope
    plain_scope: list[Any] = list(scope)
    if scope.calls:
        plain_scope[_CALLS] = list(map(tuple, scope.calls))
    if scope.stores:
        plain_scope[_STORES] = list(map(tuple, scope.stores))
    if scope.imports:
        plain_scope[_IMPORTS] = list(map(tuple, scope.imports))
    plain[_SCOPE] = plain_scope
    if definition.params:
        plain[_PARAMS] = tuple(map(tuple, definition.params))
    return plain


def _definition(plain: list[Any]) -> Definition:
    scope = plain[_SCOPE]
    if scope[_CALLS]:
        scope[_CALLS] = list(map(_callsite, scope[_CALLS]))
    if scope[_STORES]:
        scope[_STORES] = list(map(_store, scope[_STORES]))
    if scope[_IMPORTS]:
        scope[_IMPORTS] = list(map(_import, scope[_IMPORTS]))
    plain[_SCOPE] = _tuple_of(Scope, scope)
    if plain[_PARAMS]:
        plain[_PARAMS] = tuple(map(_param, plain[_PARAMS]))
    return _tuple_of(Definition, plain)
