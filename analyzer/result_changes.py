"""Callers that change what a call returned and then commit or save it (pure, per definition).

    order = orders.get_order(session, order_id)
    order.status = "shipped"        # the change
    session.commit()                # the commit (or `order.save()`, Django's)

In the monolith this writes the row. Once `get_order` is an operation of another service, the
caller holds a read-only copy of the row (docs/extract.md), so the boundary stage turns such
a fact into a blocking hazard at the caller's line. Recorded here, from the facts of one
function: a local name bound to a call's result (or, in a `for`, to its items), an attribute
written on that name later, and a `commit()` / `flush()` on any receiver or a `save()` on the
name after that write. The resolver keeps it on the `calls` edges of that call site
(`changed_result`).
"""

from __future__ import annotations

from .facts import Definition, Expr

COMMITS = frozenset({"commit", "flush"})  # a session's, whatever its name
SAVES = frozenset({"save"})  # the changed object's own (Django)
Change = tuple[int, str, int]  # (line of the write, attribute written, line of the commit or save)
Site = tuple[int, Expr]  # a call's line and what it calls, as its CallSite has them


def changed_results(definition: Definition) -> dict[Site, tuple[Change, ...]]:
    """Call site -> the changes its result went through before a commit or save."""
    if definition.kind not in ("function", "method"):
        return {}
    scope = definition.scope
    if not scope.stores:  # the resolver asks for every definition: most write nothing
        return {}
    writes = [(store.line, store.target[1][1], store.target[2]) for store in scope.stores
              if store.kind == "attr" and store.target[0] == "attr" and store.target[1][0] == "name"]
    if not writes:
        return {}
    commits: list[int] = []
    saves: list[tuple[str, int]] = []
    for called in scope.calls:
        method = _method(called.func)
        if method in COMMITS:
            commits.append(called.line)
        elif method in SAVES and called.func[1][0] == "name":
            saves.append((called.func[1][1], called.line))
    if not commits and not saves:
        return {}
    commits.sort()
    bound = [(name, (line, call)) for name, value, line in scope.assigns if (call := bound_call(value)) is not None]
    found: dict[Site, list[Change]] = {}
    for name, site in bound:
        for line, written, attribute in writes:
            if written != name or line <= site[0]:
                continue
            saved = [c for c in commits if c > line] + [s for n, s in saves if n == name and s > line]
            if saved:
                found.setdefault(site, []).append((line, attribute, min(saved)))
    return {site: tuple(sorted(set(changes))) for site, changes in found.items()}


def bound_call(value: Expr) -> Expr | None:
    """What a bound value calls: `x = f(...)` or `for x in f(...)` -> f's expression."""
    if value and value[0] == "iter":
        value = value[1]
    return value[1] if value and value[0] == "call" else None


def _method(func: Expr) -> str | None:
    return func[2] if func and func[0] == "attr" else None
