"""Data dependencies: which code reads and writes which tables and module state.

Tables come from ORM models (SQLAlchemy declarative classes and `Table(...)`, Django
and Flask-SQLAlchemy models) and from raw SQL strings. Module state is a module-level
variable holding a mutable container, or one that functions rebind with `global`.
"""

from __future__ import annotations

import re

from .exprs import MUTATING_METHODS
from .facts import CallSite, Definition, Expr
from .values import Program, Value

NESTED_GETTERS = frozenset({"get", "setdefault", "__getitem__"})
SESSION_WRITES = frozenset({"add", "add_all", "delete", "merge", "bulk_save_objects"})
SESSION_CLASS_READS = frozenset({"get", "get_one", "query"})
JOINS = frozenset({"join", "outerjoin", "join_from", "select_from"})
QUERY_WRITES = frozenset({"update", "delete", "insert"})
DJANGO_WRITES = frozenset({"create", "update", "delete", "bulk_create", "bulk_update",
                           "get_or_create", "update_or_create"})
INSTANCE_WRITES = frozenset({"save", "delete"})
RELATED_WRITES = frozenset({"add", "remove", "clear", "set"})  # Django related managers
RELATION_FIELDS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})
SQLALCHEMY_READ_FUNCS = frozenset({"select", "exists"})
SQLALCHEMY_WRITE_FUNCS = frozenset({"insert", "update", "delete"})
MODEL_BASES = re.compile(r"(^|\.)(models\.Model|Model)$")

SQL_WRITE = re.compile(r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+[\"`\[]?(\w+)",
                       re.IGNORECASE)
SQL_READ = re.compile(r"\b(?:FROM|JOIN)\s+[\"`\[]?(\w+)", re.IGNORECASE)


def sql_tables(sql: str) -> tuple[set[str], set[str]]:
    """(tables read, tables written) named in a SQL statement."""
    written = {m.lower() for m in SQL_WRITE.findall(sql)}
    read = {m.lower() for m in SQL_READ.findall(sql)}
    read -= {w for w in written if re.search(rf"DELETE\s+FROM\s+[\"`\[]?{w}\b", sql, re.IGNORECASE)}
    return read - {"select"}, written


DataFound = tuple[dict[str, str], dict[tuple[str, str], str]]  # DataModel.tables, .related


class DataModel:
    """Which classes are ORM models, and the table behind each model or `Table` variable."""

    def __init__(self, program: Program, found: DataFound | None = None) -> None:
        """`found`: the tables and related managers a previous run found in a program whose
        classes, module-level names and bindings read the same (reuse.py)."""
        self.program = program
        self.tables: dict[str, str] = {}  # model class or Table variable -> table name
        if found is not None:
            self.tables, self.related = found
            return
        for qname, variable in program.variables.items():
            if variable.table_name:
                self.tables[qname] = variable.table_name
        for qname, definition in program.defs.items():
            if definition.kind == "class":
                table = self._table_of(qname, definition)
                if table:
                    self.tables[qname] = table
        self.related = self._related_managers()  # (model, accessor) -> the model the manager holds

    def _related_managers(self) -> dict[tuple[str, str], str]:
        """Django's reverse accessors: `ForeignKey(Customer, related_name="orders")` on Order
        gives customers an `orders` manager (`order_set` without a related_name)."""
        related: dict[tuple[str, str], str] = {}
        for model in sorted(self.tables):
            definition = self.program.defs.get(model)
            if definition is None or not self._django(model):
                continue
            scope = self.program.defs.get(definition.parent or "") or definition
            for expr, _line in definition.class_attrs.values():
                if expr[0] != "call" or expr[1][-1] not in RELATION_FIELDS or not expr[2]:
                    continue
                kwargs = dict(expr[3])
                name = kwargs.get("related_name", ("",))
                accessor = name[1] if name[0] == "str" else f"{model.rsplit('.', 1)[1].lower()}_set"
                for target in self.program.eval(expr[2][0], scope):
                    if target[0] == "sym" and target[1] in self.tables:
                        related[(target[1], accessor)] = model
        return related

    def _table_of(self, qname: str, definition: Definition) -> str | None:
        if definition.table_name:
            return definition.table_name
        if not self._inherits_model(qname) or self._abstract(qname):
            return None
        if definition.class_attrs.get("__abstract__"):
            return None
        name = qname.rsplit(".", 1)[1]
        if self._django(qname):
            module = self.program.module_of[qname].split(".")
            app = module[-2] if len(module) > 1 and module[-1] == "models" else module[-1]
            return f"{app}_{name.lower()}"
        return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()

    def _abstract(self, qname: str) -> bool:
        """Django `class Meta: abstract = True` (nobody writes `abstract = False`)."""
        meta = self.program.defs.get(f"{qname}.Meta")
        return meta is not None and "abstract" in meta.class_attrs

    def _external_bases(self, qname: str) -> list[str]:
        return [v[1] for cls in self.program.mro(qname) for v in self.program.base_values(cls)
                if v[0] == "ext"]

    def _inherits_model(self, qname: str) -> bool:
        return any(MODEL_BASES.search(b) for b in self._external_bases(qname))

    def _django(self, qname: str) -> bool:
        return any(b.startswith("django.") for b in self._external_bases(qname))

    def table(self, value: Value) -> str | None:
        """The table behind a model class, a model instance or a `Table` variable."""
        if value[0] in ("sym", "inst"):
            return self.tables.get(value[1])
        return None


def mutated_container(site: CallSite) -> Expr | None:
    """The object a call like `x.append(...)` or `x[k].update(...)` changes, if any."""
    func = site.func
    if func[0] == "attr" and func[2] in MUTATING_METHODS:
        target = func[1]
        while True:  # x[k].append(...) and x.setdefault(k, []).append(...) change x
            if target[0] == "sub":
                target = target[1]
            elif target[0] == "call" and target[1][0] == "attr" and target[1][2] in NESTED_GETTERS:
                target = target[1][1]
            else:
                return target
    return None


def chain_calls(expr: Expr) -> list[tuple[str, tuple]]:
    """The method names and args along a call chain, innermost first: a.b(x).c(y) -> [(b,x),(c,y)]."""
    chain: list[tuple[str, tuple]] = []
    while expr[0] in ("call", "attr", "sub"):
        if expr[0] == "call" and expr[1][0] == "attr":
            chain.append((expr[1][2], expr[2]))
            expr = expr[1][1]
        else:
            expr = expr[1]
    chain.reverse()
    return chain
