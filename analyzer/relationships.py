"""Which attributes of an ORM model are relationships, and which reads of a returned row load one.

A relationship is an attribute whose value is other rows, loaded from the database when it
is read:
- SQLAlchemy: a class attribute annotated with a model (`customer: Mapped[Customer]`) or a
  collection of one (`items: Mapped[list["CartItem"]]`), or bound to `relationship(...)`;
- Django: a `ForeignKey`, `OneToOneField` or `ManyToManyField` field, and the reverse
  accessors other models' fields give it (`related_name`, else `<model>_set`).
Inherited ones count. A method or property of the model that reads `self.<relationship>`
(itself, or through another method of `self` it calls) loads it too.

After every module is resolved, one pass over the program asks, for each call whose result a
caller reads (result_reads.py): of the model classes the callee returns (its annotation,
else its `return`s), which of the attributes read are relationships, directly or through
such a method. Those are kept on the `calls` edge (`relationship_reads`) and become a
blocking hazard once the callee is an operation of another service, whose result the caller
only gets as a read-only copy of its columns. It is a global pass, not part of a module's
resolution, because it reads the bodies of the models' methods, which a module's kept
resolution (reuse.py) does not depend on. Only reads of a name that is a relationship or a
method reading one, of some model, are evaluated. After an edit that keeps the bindings and
touches no file holding a model or one of its bases (`model_modules`), what the models say is
the same: only the callers in modules resolved again are looked at (`KeptReads`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .data import RELATION_FIELDS, DataModel
from .facts import Definition, Expr
from .result_reads import Read, result_reads
from .values import Program

RELATIONSHIP_CALLS = frozenset({"relationship", "relation", "dynamic_loader"})
MAX_METHOD_DEPTH = 4  # methods of the model calling each other before one reads a relationship

RelationshipRead = tuple[int, str, str, str]  # (line, relationship, model, method read through or "")


Found = dict[tuple[str, str], set[RelationshipRead]]


@dataclass(frozen=True)
class KeptReads:
    """What a previous run's pass found that still holds (reuse.py): the names that load a
    relationship, and what the definitions of `modules` read (they are not looked at again)."""

    wanted: frozenset[str]
    found: Found
    modules: frozenset[str]


def relationship_reads(program: Program, data: DataModel, definitions: Iterable[Definition],
                       edges: Mapping[tuple[str, str, str], object],
                       kept: KeptReads | None = None) -> tuple[Found, frozenset[str]]:
    """(caller, callee) -> the relationships the caller read on rows the callee returned, for the
    calls the resolution made `calls` edges of; and the names that load a relationship."""
    relationships = Relationships(program, data)
    wanted = kept.wanted if kept is not None else relationships.loading_names()
    found: Found = dict(kept.found) if kept is not None else {}
    if not wanted:
        return found, wanted
    skipped = kept.modules if kept is not None else frozenset()
    for definition in definitions:
        if skipped and program.module_of[definition.qname] in skipped:
            continue
        for (_line, func), reads in result_reads(definition, wanted).items():
            program.begin()
            for callee in program.eval(func, definition):
                target = callee[1] if callee[0] in ("sym", "bound") else None
                if target is None or (definition.qname, target, "calls") not in edges:
                    continue
                read = relationships.reads(target, reads)
                if read:
                    found.setdefault((definition.qname, target), set()).update(read)
    return found, wanted


def model_modules(program: Program, data: DataModel) -> frozenset[str]:
    """The modules holding a model class or one of its bases: all the pass reads of the program
    besides the callers' own code and resolution (and the data model)."""
    return frozenset(program.module_of[cls] for model in data.tables if program.kind(model) == "class"
                     for cls in program.mro(model))


class Relationships:
    """The relationships of the program's models, found on demand and remembered."""

    def __init__(self, program: Program, data: DataModel) -> None:
        self.program = program
        self.data = data
        self._of: dict[str, frozenset[str]] = {}
        self._returned: dict[str, tuple[str, ...]] = {}
        self._through: dict[tuple[str, str], frozenset[str]] = {}
        self._self_reads: dict[str, frozenset[str]] = {}  # method -> the attributes it reads on `self`

    def of(self, model: str) -> frozenset[str]:
        """The names of `model`'s relationships (its bases' included)."""
        found = self._of.get(model)
        if found is None:
            found = self._of[model] = frozenset(self._find(model))
        return found

    def loading_names(self) -> frozenset[str]:
        """Every attribute name that loads a relationship of some model: the relationships, and the
        methods and properties that read one."""
        names: set[str] = set()
        program = self.program
        for model in sorted(self.data.tables):
            if program.kind(model) != "class":
                continue
            names |= self.of(model)
            for owner in program.mro(model):
                for member in program.members.get(owner, {}):
                    if member not in names and self.through(model, member):
                        names.add(member)
        return frozenset(names)

    def reads(self, callee: str, reads: tuple[Read, ...]) -> set[RelationshipRead]:
        """The reads of `callee`'s result that load a relationship of a model it returns."""
        found: set[RelationshipRead] = set()
        for model in self.returned_models(callee):
            relationships = self.of(model)
            for line, attr in reads:
                if attr in relationships:
                    found.add((line, attr, model, ""))
                else:
                    found.update((line, name, model, attr) for name in self.through(model, attr))
        return found

    def returned_models(self, callee: str) -> tuple[str, ...]:
        """The model classes a call of `callee` gives back: one, or the items of a collection."""
        found = self._returned.get(callee)
        if found is not None:
            return found
        definition = self.program.defs.get(callee)
        models: set[str] = set()
        if definition is not None and definition.kind in ("function", "method"):
            values = self.program.returns(definition)
            for value in values | self.program.elements(values):
                if value[0] == "inst" and value[1] in self.data.tables:
                    models.add(value[1])
        self._returned[callee] = found = tuple(sorted(models))
        return found

    def through(self, model: str, attr: str) -> frozenset[str]:
        """The relationships a method or property `attr` of `model` reads on `self`."""
        key = (model, attr)
        found = self._through.get(key)
        if found is None:
            found = self._through[key] = frozenset(self._method_reads(model, attr, 0))
        return found

    # -- finding them -------------------------------------------------------------------------
    def _find(self, model: str) -> set[str]:
        program = self.program
        found: set[str] = set()
        for owner in program.mro(model):
            definition = program.defs.get(owner)
            if definition is None:
                continue
            for name, (expr, _line) in definition.class_attrs.items():
                if self._is_relationship(expr, definition):
                    found.add(name)
        found.update(accessor for (target, accessor) in self.data.related if target in program.mro(model))
        return found

    def _is_relationship(self, expr: Expr, cls: Definition) -> bool:
        if expr[0] == "call":
            name = expr[1][-1] if expr[1][0] in ("name", "attr") else ""
            return name in RELATIONSHIP_CALLS or name in RELATION_FIELDS
        if expr[0] not in ("ann", "seq"):
            return False
        scope = self.program.defs.get(cls.parent or "") or cls
        values = self.program.eval(expr, scope)
        return any(v[0] == "inst" and v[1] in self.data.tables for v in values | self.program.elements(values))

    def _method_reads(self, model: str, attr: str, depth: int) -> set[str]:
        member = self.program.class_member(model, attr)
        definition = self.program.defs.get(member) if member else None
        if definition is None or definition.kind != "method" or definition.method_kind == "static" \
                or not definition.params or depth > MAX_METHOD_DEPTH:
            return set()
        relationships = self.of(model)
        attrs = self._self_reads.get(definition.qname)
        if attrs is None:  # the same for every model inheriting the method
            me = definition.params[0].name
            attrs = frozenset({a for expr in definition.scope.loads if (a := _self_attribute(expr, me))}
                              | {a for site in definition.scope.calls if (a := _self_attribute(site.func, me))})
            self._self_reads[definition.qname] = attrs
        found = set(attrs & relationships)
        for other in sorted(attrs - relationships - {attr}):
            found |= self._method_reads(model, other, depth + 1)
        return found


def _self_attribute(expr: Expr, me: str) -> str | None:
    """`a` for `self.a`, at the root of a longer chain (`self.a.b`, `self.a[k]`, `self.a.append`)."""
    while expr and expr[0] in ("attr", "sub", "call"):
        inner = expr[1]
        if expr[0] == "attr" and inner == ("name", me):
            return str(expr[2])
        expr = inner
    return None
