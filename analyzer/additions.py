"""Edits that only add functions no other code can name: what the global passes keep through them.

Appending a helper function to a file changes its reader and bindings keys (reuse.file_keys),
since those cover every definition of the file; yet nothing outside the new function can see
it when:
- the rest of the file reads the same (its other definitions, variables and `__all__`, line
  numbers aside);
- every added definition is an undecorated function at the top of the module, or nested in
  one, that writes no item or attribute (which could fill a container or make a class
  attribute state) and hands no call anything that may be a function (the bindings pass,
  bindings.py, evaluates nothing in it);
- no other code spells a name the new functions bring into the program (their short names,
  and the names they import, which the bindings' cheap test reads), in any file's text:
  comments and strings count, so a `getattr(module, "name")` counts too. The evaluator
  (values.py) finds a function only through a name written somewhere; a function is in no
  class hierarchy, and names the language looks up unwritten (`__init__`, `__call__`, ...)
  never pass.
Then every other definition evaluates the same in the bindings pass and in its module's
resolution, so the bindings and the other modules' resolutions are what a run without the
cache finds (tests/analyzer/test_reuse.py compares them).
"""

from __future__ import annotations

from collections.abc import Mapping

from .bindings import evaluates_nothing
from .facts import CallSite, Definition, FileFacts, Scope


def added_functions(old: FileFacts, new: FileFacts, callable_names: frozenset[str]) -> list[Definition] | None:
    """The definitions `new` adds to `old` when that is all that changed and each is a function
    as the module's docstring says (`unseen` checks their names); None otherwise.
    `callable_names`: this run's (values.Program), which the bindings pass tests arguments with."""
    if (old.module, old.is_package, old.parsed, old.all_names) != (new.module, new.is_package, new.parsed,
                                                                   new.all_names) \
            or [v._replace(line=0) for v in old.variables] != [v._replace(line=0) for v in new.variables]:
        return None
    before = {d.qname: d for d in old.definitions}
    added: list[Definition] = []
    for definition in new.definitions:
        previous = before.pop(definition.qname, None)
        if previous is None:
            added.append(definition)
        elif definition_text(previous) != definition_text(definition) \
                or binders_text(previous) != binders_text(definition):
            return None
    if before:
        return None
    new_names = {d.qname for d in added}
    for definition in added:
        if definition.kind != "function" or definition.decorators \
                or (definition.parent != new.module and definition.parent not in new_names) \
                or any(store.kind in ("item", "attr") for store in definition.scope.stores) \
                or not evaluates_nothing(definition, callable_names):
            return None
    return added


def brought_names(added: list[Definition]) -> set[str]:
    """The names new functions bring into the program: theirs, and those they import."""
    names = {d.qname.rsplit(".", 1)[-1] for d in added}
    return names | {imp.name for d in added for imp in d.scope.imports}


def unseen(names: set[str], module: str, added: list[Definition], texts: Mapping[str, bytes]) -> bool:
    """Whether no text spells one of `names`, but the added functions' own lines in `module`'s."""
    if any(name.startswith("__") and name.endswith("__") for name in names):
        return False
    spans = [(d.line, d.end_line) for d in added if d.parent == module]
    own = texts.get(module)
    if own is None:
        return False
    rest = b"".join(line for number, line in enumerate(own.splitlines(keepends=True), 1)
                    if not any(start <= number <= end for start, end in spans))
    spelled = [name.encode("utf-8", "surrogateescape") for name in names]
    return not any(name in text for name in spelled for text in (rest, *(t for m, t in texts.items() if m != module)))


def definition_text(definition: Definition) -> str:
    """What other modules' resolution can read of a definition (see reuse.file_keys)."""
    scope = definition.scope
    return repr((
        definition._replace(line=0, end_line=0, docstring=None, scope=Scope.empty(),
                            class_attrs={name: value for name, (value, _) in definition.class_attrs.items()}),
        [(target, value) for target, value, _ in scope.assigns], sorted(scope.globals),
        [imp._replace(line=0) for imp in scope.imports], scope.type_refs, scope.returns))


def binders_text(definition: Definition) -> str:
    """What the bindings pass and the rebound class attributes read of a definition: every
    write, and the calls that may hand on a function."""
    scope = definition.scope
    return repr(([store._replace(line=0) for store in scope.stores],
                 [site._replace(line=0) for site in scope.calls if _hands_on(site)]))


BINDING_ARGUMENTS = frozenset({"name", "attr", "lambda", "seq"})


def _hands_on(site: CallSite) -> bool:
    return any(arg[0] in BINDING_ARGUMENTS for arg in (*site.args, *(value for _, value in site.kwargs)))
