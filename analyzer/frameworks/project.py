"""The state framework detection shares: the parsed files, their definitions and variables,
the tags found so far and the few lookups every detector needs.

Detectors (definitions, registrations, Django, Flask, module roles) are separate modules
that read and add to one `Project`; its tags are first-found-wins, so the order in which
`detect` runs them is part of the behaviour.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..facts import CallSite, Definition, FileFacts
from ..sources import migration_folders
from .names import Names
from .vocabulary import FRAMEWORK_PACKAGES, REGISTRATIONS, Tag


class Project:
    """One program's facts and what detection has found in them so far."""

    def __init__(self, files: list[FileFacts], tables: set[str]) -> None:
        self.names = Names(files)
        self.files = self.names.files
        self.defs = self.names.defs
        self.tables = tables
        self.variables = {v.qname: v for f in files for v in reversed(f.variables)}
        self.tags: dict[str, Tag] = {}
        self.module_roles: dict[str, str] = {}
        self.shapes: dict[str, Counter[str]] = {m: Counter() for m in self.files}
        self.declarative: set[str] = set()
        self.factories: dict[str, str] = {}  # app factory -> the application class it returns
        self.used = self._imported_frameworks()
        self.settings: list[str] = []  # Django settings modules: django.settings_modules fills it
        self._by_last: dict[str, list[str]] | None = None  # definitions by their last name
        self._modules_by_last: dict[str, list[str]] | None = None  # modules and packages by their last name
        self.app_objects: set[str] = set()  # module variables made by an application class
        self.migration_dirs = migration_folders(f.path for f in files)

    def _index_definitions(self) -> set[str]:
        """One pass over the definitions, in the order they were read (reading them in name
        order costs a cache miss each, and most detectors need them all): what they import, and
        the lists the detectors start from. Returns the imported module names."""
        self.classes: dict[str, Definition] = {}
        self.own_role_candidates: list[str] = []  # classes, functions and decorated methods (`DefinitionRoles.run`)
        self.registering: list[tuple[str, Definition, CallSite]] = []  # calls `registrations` looks at
        self.nested: list[tuple[str, str]] = []  # (definition, parent) but modules (`results.final_roles`)
        imported: set[str] = set()
        for qname, definition in self.defs.items():
            kind = definition.kind
            if definition.parent is not None:
                self.nested.append((qname, definition.parent))
            if kind == "class":
                self.classes[qname] = definition
                self.own_role_candidates.append(qname)
            elif kind == "function" or (kind == "method" and definition.decorators):
                self.own_role_candidates.append(qname)  # an undecorated method has no role of its own
            scope = definition.scope
            for imp in scope.imports:
                imported.add(imp.module)
            for site in scope.calls:
                func = site.func
                if func[0] == "attr" and func[2] in REGISTRATIONS and not site.synthetic:
                    self.registering.append((qname, definition, site))
        return imported

    def _imported_frameworks(self) -> set[str]:
        local = {m.split(".", 1)[0] for m in self.files}
        tops = {module.split(".", 1)[0] for module in self._index_definitions()}
        used = {FRAMEWORK_PACKAGES[t] for t in tops - local if t in FRAMEWORK_PACKAGES}
        return used | ({"flask"} if any(t.startswith("flask_") for t in tops - local) else set())

    def set_tag(self, node: str, tag: Tag | None) -> None:
        """Record a role unless the node has one already: the first rule to find one wins."""
        if tag is not None and node not in self.tags:
            self.tags[node] = tag

    def outside_class(self, path: str) -> str:
        """The outside class behind a local one (`class MyFlask(Flask)`) or an app factory."""
        for _ in range(10):
            if path in self.factories:
                return self.factories[path]
            definition = self.defs.get(path)
            if definition is None or definition.kind != "class" or not definition.bases:
                return path
            scope = self.defs.get(definition.parent or "")
            found = self.names.resolve(definition.bases[0], scope) if scope else None
            if found is None:
                return path
            path = found
        return path

    def local_name(self, dotted: str) -> str | None:
        """The local definition a dotted string names, whether or not the graph's module names
        carry the same leading packages (`blog.views.x` is `site.blog.views.x` or `views.x`)."""
        if "." not in dotted:
            return None
        if self._by_last is None:
            self._by_last = _by_last_name(self.defs)
        return _shortest_match(self._by_last, dotted)

    def local_module(self, dotted: str) -> str | None:
        """The same for a module or package name."""
        if self._modules_by_last is None:
            self._modules_by_last = _by_last_name(set(self.files) | self.names.packages)
        return _shortest_match(self._modules_by_last, dotted)


def _by_last_name(qnames: Iterable[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for qname in qnames:
        found.setdefault(qname.rsplit(".", 1)[-1], []).append(qname)
    return found


def _shortest_match(by_last: dict[str, list[str]], dotted: str) -> str | None:
    """The shortest name that is `dotted` or ends with `.dotted` (then by name): the indexed
    names with its last part are the only ones that can."""
    candidates = [q for q in by_last.get(dotted.rsplit(".", 1)[-1], ()) if q == dotted or q.endswith("." + dotted)]
    return min(candidates, key=lambda q: (len(q), q)) if candidates else None
