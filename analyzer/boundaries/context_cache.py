"""A graph's scoring context kept beside the graph, so that `plan` commands need not read it.

Reading a real graph (Django with its tests: 47 MB) and building its `ScoringContext`
took a second, on every `plan score`, `plan move` and `plan show`, for a result that only
changes when `analyze` writes a new graph. So the first command keeps the context, with
the graph's outline (its code nodes, meta and diagnostics: what checking a plan reads), in
`cache/scoring-<unit>.pickle` beside the graph, and the next ones load that instead. It is
kept only where `analyze` keeps its own cache (a `cache/` folder beside the graph), so a
graph copied elsewhere (a test's golden file) gets no folder written next to it.

The file names the graph file it was made from (size, modification time in ns, inode) and
the code that made it (a hash of this stage's scoring modules); anything else is stale and
rebuilt. A pickle runs code when loaded and the folder may come from a cloned repository,
so the file is signed like the facts cache (`analyzer/cachekey.py`) and never unpickled
when the signature does not match this user's key. Failing to write it only costs the
next command the full read.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..cachekey import cache_key, opened, sealed
from ..files import write_atomic
from ..gcpause import no_cycle_collection
from ..graph import CodeGraph

if TYPE_CHECKING:  # imported where a context is built (unpickling one imports it too): `plan show` never does
    from .metrics import ScoringContext

CACHE_MAGIC = b"M2L-SCORING-HMAC-SHA256\n"
# The modules whose code decides what a kept context and outline hold and how they are used
# (the outline is a CodeGraph).
SCORING_CODE = ("metrics.py", "hazards.py", "wire_shapes.py", "placement.py", "partition.py", "decorating.py",
                "context_cache.py", "units_of_work.py", "../graph.py")


def plan_inputs(graph_path: Path, unit_kind: str,
                read_graph: Callable[[Path], CodeGraph]) -> tuple[CodeGraph, ScoringContext]:
    """The graph's outline and its scoring context for `unit_kind`: from the cache file when it
    was made from this graph file, else from `read_graph(graph_path)` (and then kept)."""
    key = cache_key()
    path = cache_path(graph_path, unit_kind)
    identity = _identity(graph_path, unit_kind)
    found = _load(path, key, identity) if key is not None and identity is not None else None
    if found is not None:
        return found
    from .metrics import ScoringContext

    graph = read_graph(graph_path)
    context = ScoringContext(graph, unit_kind)
    outline = graph.outline(context.attrs)
    if key is not None and identity is not None:
        _save(path, key, identity, outline, context)
    return outline, context


def plan_outline(graph_path: Path, unit_kind: str, read_graph: Callable[[Path], CodeGraph]) -> CodeGraph:
    """The graph's outline alone, for the commands that check or edit a plan without scoring it:
    as `plan_inputs` gives it where a context is or can be kept (the next `plan score` then finds
    it), else from the graph, without building a scoring context nobody would read."""
    if cache_key() is None or not cache_path(graph_path, unit_kind).parent.is_dir():
        graph = read_graph(graph_path)
        return graph.outline(graph.node_attrs("module", "class", "function", "method"))
    return plan_inputs(graph_path, unit_kind, read_graph)[0]


def cache_path(graph_path: Path, unit_kind: str) -> Path:
    return graph_path.parent / "cache" / f"scoring-{unit_kind}.pickle"


def _identity(graph_path: Path, unit_kind: str) -> tuple[object, ...] | None:
    try:
        status = graph_path.stat()
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ino, unit_kind, _code_version())


def _code_version() -> str:
    digest = hashlib.blake2b(digest_size=8)
    for name in SCORING_CODE:
        digest.update(name.encode() + b"\0" + (Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


def _load(path: Path, key: bytes, identity: tuple[object, ...]) -> tuple[CodeGraph, ScoringContext] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    body = opened(CACHE_MAGIC, key, data)
    if body is None:
        return None
    try:
        with no_cycle_collection():
            document = pickle.loads(body)
        if document["identity"] != identity:
            return None
        return document["outline"], document["context"]
    except (EOFError, pickle.UnpicklingError, AttributeError, KeyError, TypeError, ValueError):
        return None


def _save(path: Path, key: bytes, identity: tuple[object, ...], outline: CodeGraph,
          context: ScoringContext) -> None:
    if not path.parent.is_dir():  # not an analysis output folder: nothing is written beside a graph kept elsewhere
        return
    body = pickle.dumps({"identity": identity, "outline": outline, "context": context},
                        protocol=pickle.HIGHEST_PROTOCOL)
    with contextlib.suppress(OSError):  # a read-only folder: the next command reads the graph again
        write_atomic(path, sealed(CACHE_MAGIC, key, body))
