"""The code graph: the one class that knows networkx; everything else talks to it.

Nodes are symbols (modules, classes, functions, methods, variables), data entities
(tables) and outside names (externals). Edges have a kind, a count and the source
lines they come from. The JSON form is documented in docs/graph-format.md.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable, Iterator, KeysView, Mapping
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from .gcpause import no_cycle_collection

if TYPE_CHECKING:  # networkx and igraph take 0.15 s to import: only the methods that use them do
    import networkx as nx

GRAPH_FORMAT = "mono2lambda-graph"
GRAPH_VERSION = 1
NODE_KINDS = ("module", "class", "function", "method", "variable", "table", "external")
EDGE_KINDS = ("imports", "calls", "instantiates", "inherits", "decorates", "references",
              "reads", "writes", "uses_type", "maps_to", "cochange", "observed")


class CodeGraph:
    """Nodes and edges in plain dictionaries; `to_networkx()` hands graph algorithms a
    MultiDiGraph (edges keyed by kind) built on demand.

    A node's attributes also hold its "id", an edge's its "source" and "target" (as graph.json
    writes them): writing some 15k nodes and 30k edges then takes no copy of each. `node` and
    `edge` give the attributes without them."""

    def __init__(self) -> None:
        self._nodes: dict[str, dict[str, Any]] = {}
        self._edges: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._incoming: dict[str, list[tuple[str, str, str]]] | None = None
        self._outgoing: dict[str, list[tuple[str, str, str]]] | None = None
        self._order: list[tuple[str, str, str]] | None = None  # edge keys sorted, made on first read
        self._ordered: list[dict[str, Any]] = []  # their attributes in that order, made with it
        self._by_kind: dict[str, list[tuple[str, str, str]]] | None = None  # the same per kind, made when asked
        self._ids_held = True  # each node's attributes hold its id (not so in an outline)
        self.meta: dict[str, Any] = {}
        self.unresolved_calls: list[dict[str, Any]] = []
        self.diagnostics: list[dict[str, Any]] = []

    # -- building -------------------------------------------------------------------------
    def add_symbol(self, node_id: str, kind: str, **attrs: Any) -> None:
        if kind not in NODE_KINDS:
            raise ValueError(f"unknown node kind {kind!r}")
        self._nodes[node_id] = {"kind": kind, **{k: v for k, v in attrs.items() if v is not None}, "id": node_id}

    def add_dependency(self, source: str, target: str, kind: str, *, count: int = 1,
                       lines: Iterable[int] = (), **attrs: Any) -> None:
        if kind not in EDGE_KINDS:
            raise ValueError(f"unknown edge kind {kind!r}")
        for end in (source, target):
            if end not in self._nodes:
                raise KeyError(f"edge {source} -> {target} names an unknown node {end}")
        self._edges[(source, target, kind)] = {"count": count, "kind": kind, "lines": sorted(lines),
                                               "source": source, "target": target,
                                               **{k: v for k, v in attrs.items() if v}}
        self._incoming = self._outgoing = self._order = self._by_kind = None

    def add_node_attrs(self, node_id: str, attrs: dict[str, Any]) -> None:
        """A node whose attributes are already as `add_symbol` keeps them (a known "kind" first,
        none that is None) but for its "id", which is added to them (they become the graph's):
        what a builder of tens of thousands of nodes gives."""
        attrs["id"] = node_id
        self._nodes[node_id] = attrs

    def add_edges(self, edges: Mapping[tuple[str, str, str], dict[str, Any]]) -> None:
        """Edges keyed (source, target, kind) whose attributes are already as `add_dependency`
        keeps them (that "source", "target" and "kind", a "count", "lines" sorted, no other
        attribute empty) and whose ends are nodes: what a builder of tens of thousands of edges
        gives, added in one update without checking each again."""
        self._edges.update(edges)
        self._incoming = self._outgoing = self._order = self._by_kind = None

    # -- reading --------------------------------------------------------------------------
    def __contains__(self, node_id: str) -> bool:
        return node_id in self._nodes

    def node_ids(self) -> KeysView[str]:
        """The ids of the nodes, unsorted: a live view to test membership in without a call per test."""
        return self._nodes.keys()

    def node(self, node_id: str) -> dict[str, Any]:
        """The attributes of one node, copied, without its id."""
        attrs = dict(self._nodes[node_id])
        attrs.pop("id", None)
        return attrs

    def node_attrs(self, *kinds: str) -> dict[str, dict[str, Any]]:
        """Every node of these kinds (all without kinds) and its attributes, sorted by id. The
        graph's own dictionaries, not copies as `node` gives them (they may hold the node's "id"
        too): read them, never change them."""
        return {n: self._nodes[n] for n in self.nodes(*kinds)}

    def outline(self, nodes: Mapping[str, dict[str, Any]]) -> CodeGraph:
        """A graph of these nodes with these attributes, this graph's meta and diagnostics, and
        no edges: what checking a plan reads, small enough to keep beside a scoring context."""
        outline = CodeGraph()
        outline._nodes = dict(nodes)
        outline._ids_held = False
        outline.meta, outline.diagnostics = dict(self.meta), list(self.diagnostics)
        return outline

    def attr(self, node_id: str, name: str) -> Any:
        """One attribute of a node (None if absent), without copying its attributes."""
        return self._nodes[node_id].get(name)

    def nodes(self, *kinds: str) -> list[str]:
        if not kinds:
            return sorted(self._nodes)
        # a list comprehension: a generator would be resumed once per node (15k on Django)
        return sorted([n for n, data in self._nodes.items() if data["kind"] in kinds])

    def dependencies(self, *kinds: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Edges sorted by (source, target, kind), of these kinds (all without kinds), with the
        graph's own attributes (read them, never change them)."""
        edges = self._edges
        for key in self._sorted_keys(kinds):
            yield key[0], key[1], edges[key]

    def _sorted_keys(self, kinds: tuple[str, ...]) -> list[tuple[str, str, str]]:
        """Edge keys in order, kept per kind until the next edge is added (scoring reads a
        graph's edges several times; sorting 150k keys each time cost more than the scoring)."""
        if self._order is None:
            # the keys alone sort in half the time of the (key, attributes) pairs; `load` reads
            # them in this order already, which timsort checks in one pass
            self._order = sorted(self._edges)
            self._ordered = list(map(self._edges.__getitem__, self._order))
            self._by_kind = None
        if not kinds:
            return self._order
        by_kind = self._by_kind
        if by_kind is None:
            by_kind = self._by_kind = {}
        wanted = [kind for kind in dict.fromkeys(kinds) if kind in _EDGE_KIND_SET]
        missing = [kind for kind in wanted if kind not in by_kind]  # listed when first asked for
        if len(missing) <= 2:  # a pass in C each (a summary asks for reads and writes)
            for kind in missing:
                by_kind[kind] = [key for key in self._order if key[2] == kind]
        else:  # one pass for all (scoring asks for most kinds)
            filled: dict[str, list[tuple[str, str, str]]] = {kind: [] for kind in missing}
            for key in self._order:
                found = filled.get(key[2])
                if found is not None:
                    found.append(key)
            by_kind.update(filled)
        lists = [by_kind[kind] for kind in wanted]
        return lists[0] if len(lists) == 1 else sorted(chain.from_iterable(lists))

    def _edges_in_order(self) -> list[dict[str, Any]]:
        """Every edge's own attributes, in the order of `_sorted_keys`."""
        self._sorted_keys(())
        return self._ordered

    def has_dependency(self, source: str, target: str, kind: str) -> bool:
        return (source, target, kind) in self._edges

    def edge(self, source: str, target: str, kind: str) -> dict[str, Any]:
        """The attributes of one edge (count, lines, ...), copied, without its ends."""
        return _without_ends(self._edges[(source, target, kind)])

    def targets(self, source: str, kind: str) -> list[str]:
        return sorted(t for _, t, k in self._adjacency()[1].get(source, ()) if k == kind)

    def sources(self, target: str, kind: str) -> list[str]:
        return sorted(s for s, _, k in self._adjacency()[0].get(target, ()) if k == kind)

    def _adjacency(self) -> tuple[dict[str, list], dict[str, list]]:
        if self._incoming is None or self._outgoing is None:
            self._incoming, self._outgoing = {}, {}
            for key in self._edges:
                self._outgoing.setdefault(key[0], []).append(key)
                self._incoming.setdefault(key[1], []).append(key)
        return self._incoming, self._outgoing

    def module_of(self, node_id: str) -> str | None:
        return self.attr(node_id, "module")

    def count_edges(self) -> Counter:
        return Counter(map(itemgetter(2), self._edges))  # each key's kind, read in C

    def count_nodes(self) -> Counter:
        return Counter(map(itemgetter("kind"), self._nodes.values()))

    def module_coupling(self, kinds: tuple[str, ...] = ("calls", "instantiates")) -> Counter:
        """Call weight between pairs of modules, in both directions together."""
        pairs: dict[tuple[str, str], int] = {}  # a plain dict: Counter's += calls a Python method per new pair
        nodes = self._nodes
        for (source, target, kind), data in self._edges.items():
            if kind in kinds:
                a, b = nodes[source].get("module"), nodes[target].get("module")
                if a and b and a != b:
                    pair = (a, b) if a < b else (b, a)
                    pairs[pair] = pairs.get(pair, 0) + data["count"]
        return Counter(pairs)

    def call_graph(self) -> dict[str, list[str]]:
        """{caller: [callees]} over modules, classes, functions and methods (externals included)."""
        outgoing = self._adjacency()[1]
        return {source: sorted(t for _, t, k in outgoing.get(source, ()) if k == "calls")
                for source in self.nodes("module", "function", "method", "class")}

    def to_networkx(self) -> nx.MultiDiGraph:
        """A MultiDiGraph copy for graph algorithms: node and edge attributes as here, edge key = kind."""
        import networkx as nx

        graph = nx.MultiDiGraph()
        graph.add_nodes_from((n, _without_id(self._nodes[n])) for n in self.nodes())
        graph.add_edges_from((s, t, d["kind"], _without_ends(d)) for s, t, d in self.dependencies())
        return graph

    # -- serialising ----------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """The graph as graph.json holds it, in new dictionaries."""
        document = self._document()
        document["nodes"], document["edges"] = list(map(dict, document["nodes"])), list(map(dict, document["edges"]))
        return document

    def _document(self) -> dict[str, Any]:
        """`to_json`, whose nodes and edges are the graph's own attributes, which hold their id and
        ends already (the nodes given to `outline` may not: those are copied with their id)."""
        all_nodes = self._nodes
        if self._ids_held:
            nodes = list(map(all_nodes.__getitem__, sorted(all_nodes)))
        else:
            nodes = [attrs if "id" in (attrs := all_nodes[n]) else dict(attrs, id=n) for n in sorted(all_nodes)]
        return {
            "format": GRAPH_FORMAT,
            "version": GRAPH_VERSION,
            **dict(sorted(self.meta.items())),
            "nodes": nodes,
            "edges": self._edges_in_order(),
            "unresolved_calls": self.unresolved_calls,
            "diagnostics": self.diagnostics,
        }

    def dumps(self) -> str:
        """JSON with one node, edge or finding per line: fast to write (orjson), easy to diff."""
        return self.dump_bytes().decode()

    def dump_bytes(self) -> bytes:
        """`dumps` as UTF-8 bytes, what a file gets: no decoding and encoding again of some 10 MB."""
        parts = [b"{\n"]  # joined once at the end: each `+` of two parts would copy some 10 MB again
        for key, value in self._document().items():
            if len(parts) > 1:
                parts.append(b",\n")
            parts.append(orjson.dumps(key))
            if key in ("nodes", "edges") and value:  # the graph's own dictionaries
                parts += (b": [\n", _objects_per_line(value), b"\n]")
            elif isinstance(value, list) and value:
                parts += (b": [\n", _one_per_line(value), b"\n]")
            else:
                parts += (b": ", orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
        parts.append(b"\n}\n")
        return b"".join(parts)

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> CodeGraph:
        if document.get("format") != GRAPH_FORMAT:
            raise ValueError("not a mono2lambda graph file")
        if document.get("version") != GRAPH_VERSION:
            raise ValueError(f"graph format version {document.get('version')} is not supported "
                             f"(this mono2lambda reads version {GRAPH_VERSION}); re-run analyze")
        graph = cls()
        reserved = {"format", "version", "nodes", "edges", "unresolved_calls", "diagnostics"}
        graph.meta = {k: v for k, v in document.items() if k not in reserved}
        for node in document["nodes"]:
            attrs = {k: v for k, v in node.items() if k not in ("id", "kind")}
            graph.add_symbol(node["id"], node["kind"], **attrs)
        for edge in document["edges"]:
            attrs = {k: v for k, v in edge.items() if k not in ("source", "target", "kind", "count", "lines")}
            graph.add_dependency(edge["source"], edge["target"], edge["kind"], count=edge["count"],
                                 lines=edge["lines"], **attrs)
        graph.unresolved_calls = list(document.get("unresolved_calls", []))
        graph.diagnostics = list(document.get("diagnostics", []))
        return graph

    @classmethod
    def load(cls, path: Path) -> CodeGraph:
        """The graph in the JSON file at `path` (as `from_json`, but some 4x faster).

        The parsed document is this method's own, so its node and edge dicts become the
        graph's without copies (an edge's keeps its ends)."""
        with no_cycle_collection():
            document = orjson.loads(path.read_bytes())
            if not isinstance(document, dict):
                raise ValueError("not a mono2lambda graph file")
            return cls._from_owned(document)

    @classmethod
    def _from_owned(cls, document: dict[str, Any]) -> CodeGraph:
        nodes, edges = document.get("nodes"), document.get("edges")
        if not isinstance(nodes, list) or not isinstance(edges, list):
            return cls.from_json(document)  # which says what is wrong
        graph = cls.from_json({**document, "nodes": [], "edges": []})
        for node in nodes:
            if _plain_node(node):
                graph._nodes[node["id"]] = node
            else:
                graph.add_symbol(node["id"], node["kind"], **{k: v for k, v in node.items() if k not in ("id", "kind")})
        for edge in edges:
            if _plain_edge(edge, graph._nodes):
                graph._edges[(edge["source"], edge["target"], edge["kind"])] = edge
            else:
                graph.add_dependency(edge["source"], edge["target"], edge["kind"], count=edge["count"],
                                     lines=edge["lines"], **{k: v for k, v in edge.items() if k not in _EDGE_FIELDS})
        return graph

    def to_graphml(self) -> str:
        """GraphML with list attributes flattened to JSON text (GraphML holds scalars only)."""
        import networkx as nx

        flat = nx.MultiDiGraph()
        for node in self.nodes():
            flat.add_node(node, **_scalars(_without_id(self._nodes[node])))
        for source, target, data in self.dependencies():
            flat.add_edge(source, target, key=data["kind"], **_scalars(_without_ends(data)))
        return "\n".join(nx.generate_graphml(flat, prettyprint=True)) + "\n"

    def to_dot(self) -> str:
        lines = ["digraph mono2lambda {", "  rankdir=LR;", "  node [shape=box, fontsize=10];"]
        for node in self.nodes():
            lines.append(f"  {_dot_id(node)} [label={_dot_id(node)}, kind={_dot_id(self._nodes[node]['kind'])}];")
        for source, target, data in self.dependencies():
            lines.append(f"  {_dot_id(source)} -> {_dot_id(target)} "
                         f"[kind={_dot_id(data['kind'])}, weight={data['count']}];")
        lines.append("}")
        return "\n".join(lines) + "\n"


def _without_id(node: dict[str, Any]) -> dict[str, Any]:
    """A node's attributes without its id (which names it)."""
    return {k: v for k, v in node.items() if k != "id"}


def _without_ends(edge: dict[str, Any]) -> dict[str, Any]:
    """An edge's attributes without its source and target (which name it)."""
    return {k: v for k, v in edge.items() if k != "source" and k != "target"}


def _scalars(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, (str, int, float, bool)) else json.dumps(v, sort_keys=True))
            for k, v in sorted(attrs.items())}


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class UnitGraph:
    """An undirected weighted graph of units (modules or classes) for clustering and
    scoring; like `CodeGraph`, the only way the rest of the code reaches networkx.

    Kept as an adjacency dict (cheap to build and query); the networkx graph is made only
    when an algorithm needs it."""

    def __init__(self, units: Iterable[str] = (), weights: Mapping[tuple[str, str], float] | None = None) -> None:
        self._adj: dict[str, dict[str, float]] = {unit: {} for unit in units}
        self._inner: dict[str, float] = {}  # weight inside a unit that stands for several (see `fold`)
        self._nx: nx.Graph | None = None
        for (a, b), weight in (weights or {}).items():
            self.add_weight(a, b, weight)

    def add_weight(self, a: str, b: str, weight: float) -> None:
        """Pull two units together (weights add up); a unit's tie to itself is ignored."""
        if a == b or weight <= 0:
            return
        for x, y in ((a, b), (b, a)):
            ties = self._adj.setdefault(x, {})
            ties[y] = ties.get(y, 0.0) + weight
        self._nx = None

    def fold(self, groups: Mapping[str, Iterable[str]]) -> UnitGraph:
        """A graph where each group becomes one unit named by its key. The weight inside a
        group is kept as that unit's inner weight, so modularity (and the clustering that
        maximises it) is the same as on the unfolded graph for partitions that keep groups whole."""
        node_of = {unit: name for name, members in groups.items() for unit in members}
        folded = UnitGraph(node_of.get(u, u) for u in self._adj)
        for unit, ties in self._adj.items():
            for other, weight in ties.items():
                if unit < other:
                    a, b = node_of.get(unit, unit), node_of.get(other, other)
                    if a == b:
                        folded._inner[a] = folded._inner.get(a, 0.0) + weight
                    else:
                        folded.add_weight(a, b, weight)
        return folded

    @property
    def units(self) -> list[str]:
        return sorted(self._adj)

    def weight(self, a: str, b: str) -> float:
        return self._adj.get(a, {}).get(b, 0.0)

    def neighbours(self, unit: str) -> dict[str, float]:
        return dict(self._adj.get(unit, {}))

    def subgraph(self, units: Iterable[str]) -> UnitGraph:
        keep = set(units)
        sub = UnitGraph(keep)
        sub._adj = {u: {v: w for v, w in self._adj.get(u, {}).items() if v in keep} for u in keep}
        return sub

    def _graph(self) -> nx.Graph:
        import networkx as nx

        if self._nx is None:
            graph = nx.Graph()
            graph.add_nodes_from(sorted(self._adj))
            graph.add_edges_from((a, b, {"weight": w}) for a in sorted(self._adj)
                                 for b, w in sorted(self._adj[a].items()) if a < b)
            self._nx = graph
        return self._nx

    def communities(self, *, resolution: float = 1.0, seed: int = 0) -> list[set[str]]:
        """Leiden communities (modularity; igraph's C implementation, some 20x faster than
        networkx's Louvain on 5,000 units, and its communities are always connected),
        deterministic for a seed, sorted by their smallest member."""
        units = sorted(self._adj)
        if not units:
            return []
        index = {unit: i for i, unit in enumerate(units)}
        edges = [(index[a], index[b], w) for a in units for b, w in sorted(self._adj[a].items()) if a < b]
        edges += [(index[a], index[a], self._inner[a]) for a in units if self._inner.get(a)]
        import igraph

        graph = igraph.Graph(n=len(units), edges=[(a, b) for a, b, _ in edges], directed=False)
        state = random.getstate()  # igraph draws from Python's `random`: seed it, then put it back
        try:
            random.seed(seed)
            found = graph.community_leiden(objective_function="modularity", weights=[w for _, _, w in edges],
                                           resolution=resolution, n_iterations=-1)
        finally:
            random.setstate(state)
        return sorted(({units[i] for i in members} for members in found), key=lambda c: min(c))

    def bisect(self, units: Iterable[str], *, seed: int = 0) -> tuple[set[str], set[str]]:
        """Split a group in two with the smallest weight between the halves (Kernighan-Lin)."""
        import networkx as nx

        part = self.subgraph(units)._graph()
        first, second = nx.community.kernighan_lin_bisection(part, weight="weight", seed=seed)
        return set(first), set(second)

    def modularity(self, groups: Iterable[Iterable[str]]) -> float:
        """Newman modularity of a partition of all units (higher: denser inside groups)."""
        import networkx as nx

        graph = self._graph()
        if not graph.number_of_edges():
            return 0.0
        return float(nx.community.modularity(graph, [set(g) for g in groups], weight="weight"))


_EDGE_FIELDS = ("source", "target", "kind", "count", "lines")
_NODE_KIND_SET, _EDGE_KIND_SET = frozenset(NODE_KINDS), frozenset(EDGE_KINDS)


def _plain_node(node: dict[str, Any]) -> bool:
    """A node as `dumps` writes it, which `load` can keep as it is: a known kind, no null attribute."""
    return isinstance(node.get("id"), str) and node.get("kind") in _NODE_KIND_SET and None not in node.values()


def _plain_edge(edge: dict[str, Any], nodes: Mapping[str, Any]) -> bool:
    """An edge as `dumps` writes it: known kind and ends, a count, sorted lines, no empty attribute."""
    lines = edge.get("lines")
    if not (edge.get("kind") in _EDGE_KIND_SET and edge.get("source") in nodes and edge.get("target") in nodes
            and "count" in edge and isinstance(lines, list)):
        return False
    if len(lines) > 1 and lines != sorted(lines):
        return False
    return len(edge) == len(_EDGE_FIELDS) or all(value for key, value in edge.items() if key not in _EDGE_FIELDS)


_ITEM_BREAK = "m2l: one item per line"  # a string put between the items of a list, then replaced
_ITEM_BREAK_JSON = b"," + orjson.dumps(_ITEM_BREAK) + b","


def _one_per_line(items: list[Any]) -> bytes:
    """The items as JSON (sorted keys), joined by a comma and a new line: the bytes one orjson
    call per item would give, from one call for the whole list (some 10 times faster on a
    Django graph). A list of objects gets a marker string between its items, whose commas
    become new lines; the marker can only be where it was put, since an object's JSON starts
    and ends with a brace, so when it was replaced as often as it was put in, each was a break
    (how often shows in the length: each replacement is the same number of bytes shorter)."""
    if set(map(type, items)) == {dict}:  # in C: some 10 times faster than a test per item
        return _objects_per_line(items)
    return _each_per_line(items)


def _objects_per_line(items: list[dict[str, Any]]) -> bytes:
    """`_one_per_line` of dictionaries, not checked again."""
    marked: list[Any] = [_ITEM_BREAK] * (2 * len(items) - 1)
    marked[::2] = items
    text = orjson.dumps(marked, option=orjson.OPT_SORT_KEYS)
    lines = text.replace(_ITEM_BREAK_JSON, b",\n")
    if len(text) - len(lines) == (len(items) - 1) * (len(_ITEM_BREAK_JSON) - 2):
        return lines[1:-1]
    return _each_per_line(items)


def _each_per_line(items: list[Any]) -> bytes:
    return b",\n".join(orjson.dumps(item, option=orjson.OPT_SORT_KEYS) for item in items)
