"""Per-process configuration: module variables that hold a resource each process builds for itself.

A database engine, a session factory, a connection pool or a client of a remote service,
kept in a module variable and (re)built from settings (`_engine = create_engine(url)` in an
`init_db()` that rebinds it with `global`), is not state that the places using it share:
every process, the monolith and each Lambda execution environment alike, builds its own
from the same configuration, which is how Lambda wants connections made (once per execution
environment, outside the handler). So such a variable is not module state: no
`shared-module-state` or `lambda-module-state` hazard, and no data tie between the units
that use it. The graph records the factory on the variable (`resource`).

The rule, from what the code states: the variable is not a mutable container, at least one
value stored into it (its initial value, a `global` rebinding, or `module.name = ...`) is
built by a known resource factory, and every other is a plain literal (`None`, the "not
built yet" marker). A variable that some code also sets to anything else stays state.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .facts import OTHER, Definition, Expr, Store
from .values import Program

# Factories whose result is a per-process resource, by top-level package and last name (the
# evaluator names `sqlalchemy.create_engine` and `sqlalchemy.engine.create_engine` alike).
RESOURCE_FACTORIES: dict[str, frozenset[str]] = {
    "sqlalchemy": frozenset({"create_engine", "engine_from_config", "create_async_engine",
                             "async_engine_from_config", "sessionmaker", "async_sessionmaker",
                             "scoped_session", "async_scoped_session"}),
    "sqlite3": frozenset({"connect"}),
    "psycopg2": frozenset({"connect", "SimpleConnectionPool", "ThreadedConnectionPool"}),
    "psycopg": frozenset({"connect"}),
    "psycopg_pool": frozenset({"ConnectionPool", "AsyncConnectionPool"}),
    "pymysql": frozenset({"connect"}),
    "MySQLdb": frozenset({"connect"}),
    "asyncpg": frozenset({"connect", "create_pool"}),
    "pymongo": frozenset({"MongoClient"}),
    "motor": frozenset({"AsyncIOMotorClient"}),
    "redis": frozenset({"Redis", "StrictRedis", "from_url", "ConnectionPool"}),
    "boto3": frozenset({"client", "resource", "Session"}),
    "httpx": frozenset({"Client", "AsyncClient"}),
    "requests": frozenset({"Session"}),
}
_BUILT = ("extresult", "extinst")


def resource_factory(dotted: str) -> bool:
    """Whether calling the outside name `dotted` builds a per-process resource."""
    names = RESOURCE_FACTORIES.get(dotted.partition(".")[0])
    return names is not None and dotted.rsplit(".", 1)[-1] in names


def per_process_variables(program: Program, candidates: Iterable[str]) -> dict[str, str]:
    """The candidate variables (module state so far) that hold a per-process resource, each with
    the factory that builds it (the first in sorted order when there are several)."""
    wanted = {v for v in candidates if v in program.variables and not program.variables[v].mutable}
    names = {v.rsplit(".", 1)[1] for v in wanted}  # a store of another name rebinds none of them
    stored: dict[str, list[tuple[Expr, Definition]]] = {}
    for definition, store in _stores(program):
        if store.target[-1] not in names:
            continue
        variable = _rebound(program, definition, store)
        if variable in wanted:
            stored.setdefault(variable, []).append((store.value, definition))
    found = {}
    for variable, values in sorted(stored.items()):
        module = program.defs.get(program.module_of[variable])
        initial = [(program.variables[variable].value, module)] if module is not None else []
        factories = _factories(program, [*initial, *values])
        if factories:
            found[variable] = factories[0]
    return found


def _stores(program: Program) -> Iterator[tuple[Definition, Store]]:
    for definition in program.defs.values():
        for store in definition.scope.stores:
            yield definition, store


def _rebound(program: Program, definition: Definition, store: Store) -> str | None:
    """The module variable a store rebinds: `global name; name = ...` or `module.name = ...`."""
    if store.kind == "name":
        return f"{program.module_of[definition.qname]}.{store.target[1]}"
    if store.kind == "attr":
        for value in program.eval(store.target[1], definition):
            if value[0] == "sym" and program.kind(value[1]) == "module":
                return f"{value[1]}.{store.target[2]}"
    return None


def _factories(program: Program, values: list[tuple[Expr, Definition]]) -> list[str]:
    """The resource factories building these values; empty when one of them is something else."""
    factories: set[str] = set()
    for expr, definition in values:
        if expr == OTHER:
            continue  # None (or another plain literal): not built yet
        built = program.eval(expr, definition)
        if not built or not all(value[0] in _BUILT and resource_factory(value[1]) for value in built):
            return []
        factories |= {value[1] for value in built}
    return sorted(factories)
