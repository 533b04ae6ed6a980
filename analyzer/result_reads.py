"""What callers read on what a call returned (pure, per definition).

    cart = cart_service.open_cart(session, customer_id)
    if not cart.items:                 # an attribute read on the result
        ...
    pairs = cart.item_pairs()          # a method called on it

Once `open_cart` is an operation of another service, the caller holds a read-only copy of
the row, which has no relationships (docs/extract.md): which of these reads are
relationships (or methods of the model that read one) is decided later, with the whole
program (analyzer/relationships.py). Recorded here, from the facts of one function: a
local name bound to a call's result (or, in a `for`, to its items), and each attribute read
on that name (`x.a`, `x.a[k]`, `len(x.a)`) or method called on it (`x.m()`, `x.a.append()`)
after the binding, attributed to the latest binding before it (none when the name was bound to
something else in between). A read is kept once per
attribute and binding, at its first line (the facts keep one line per expression read).
"""

from __future__ import annotations

from .facts import Definition, Expr
from .result_changes import Site, bound_call

Read = tuple[int, str]  # (line of the read, attribute read or method called)


def result_reads(definition: Definition, wanted: frozenset[str] | None = None) -> dict[Site, tuple[Read, ...]]:
    """Call site -> the attributes read on its result later in the function (only those in
    `wanted`, when given)."""
    if definition.kind not in ("function", "method"):
        return {}
    scope = definition.scope
    if not scope.assigns:  # no name bound, to a call's result or anything else
        return {}
    # the reads first: with `wanted` (a few names) most definitions have none
    reads = [(line, rooted) for expr, line in scope.loads.items() if (rooted := _rooted(expr)) is not None
             and (wanted is None or rooted[1] in wanted)]
    reads += [(site.line, rooted) for site in scope.calls if (rooted := _rooted(site.func)) is not None
              and (wanted is None or rooted[1] in wanted)]
    if not reads:
        return {}
    bound: dict[str, list[tuple[int, Expr | None]]] = {}  # every binding of a name: a call's site, or None
    for name, value, line in scope.assigns:
        bound.setdefault(name, []).append((line, bound_call(value)))
    if not any(call is not None for sites in bound.values() for _, call in sites):
        return {}
    first: dict[Site, dict[str, int]] = {}
    for line, (root, attr) in reads:
        earlier = [site for site in bound.get(root, ()) if site[0] < line]
        latest = max(earlier, key=lambda s: s[0]) if earlier else None
        if latest is not None and latest[1] is not None:  # bound to a call's result, not rebound since
            lines = first.setdefault((latest[0], latest[1]), {})
            lines[attr] = min(line, lines.get(attr, line))
    return {site: tuple(sorted((line, attr) for attr, line in attrs.items())) for site, attrs in first.items()}


def _rooted(expr: Expr) -> tuple[str, str] | None:
    """(name, attribute) for `name.attribute`, at the root of a longer chain (`name.a.b`, `name.a[k]`)."""
    while expr:
        tag = expr[0]
        if tag == "attr":
            inner = expr[1]
            if inner[0] == "name":
                return inner[1], expr[2]
        elif tag != "sub" and tag != "call":
            return None
        expr = expr[1]
    return None
