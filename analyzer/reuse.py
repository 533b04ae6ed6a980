"""Keeping each module's resolution for the next run, and which of it a run may use again.

A module's resolution (resolve.FileResolution) depends on the facts of the modules it read
(memo.py records them, with names that might become modules), but only on what another
module's resolution can see of them (`reader_key`: not line numbers, calls, writes, reads or
SQL, which only a definition's own resolution and the global passes look at), and on what the global passes
put into the program from every file's code: callbacks bound to parameters, functions stored
in containers, subclasses, class attributes rebound elsewhere, tables and Django's related
managers. Each of those entries belongs to a module (the one of the parameter's function,
the container, the base class, the model), and a digest per module covers them. So a module's
kept resolution is used again when its own file is unchanged and none of the names it read
is a module whose reader key or digest changed; a file added or removed also invalidates
every resolution that read its module's name, a package above it or a name inside it.

The file (OUT/cache/resolution.pickle) is signed like the facts cache (collect.py): it is
never unpickled unless its signature matches this user's key.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import ANALYZER_VERSION
from .cachekey import CACHE_FORMAT, SIGNATURE_BYTES, sign, verified
from .data import DataModel
from .facts import Definition, FileFacts, Scope
from .files import write_atomic
from .resolve import FileResolution, Resolution
from .values import Program, Value

RESOLUTION_FILE = "resolution.pickle"
RESOLUTION_MAGIC = b"M2L-RESOLUTION-HMAC-SHA256\n"


@dataclass
class Kept:
    """What the last run left: per module, its file's content key, the digest of the global
    entries it owns, what its resolution read and that resolution (pickled)."""

    keys: dict[str, str] = field(default_factory=dict)
    readers: dict[str, str] = field(default_factory=dict)  # module -> its reader key, when it was needed
    digests: dict[str, str] = field(default_factory=dict)
    reads: dict[str, tuple[str, ...]] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)


class Reuse:
    """A `resolve.Keep`: given this run's program, the kept resolutions still true; then `save`."""

    def __init__(self, keys: dict[str, str], kept: Kept | None,
                 old_facts: Callable[[str], FileFacts | None] = lambda key: None) -> None:
        self.keys = keys  # module -> content key of its file(s), this run
        self.kept = kept
        self.old_facts = old_facts  # the facts the last run read, by content key, while they are at hand
        self.digests: dict[str, str] = {}
        self.readers: dict[str, str] = {}

    def __call__(self, program: Program, data: DataModel) -> dict[str, FileResolution]:
        self.digests = ownership_digests(program, data)
        kept = self.kept
        if kept is None:
            return {}
        edited = {m for m in kept.keys.keys() | self.keys.keys() if kept.keys.get(m) != self.keys.get(m)}
        changed = {m for m in edited if self._reader_changed(m, program)}
        changed |= {m for m in kept.digests.keys() | self.digests.keys()
                    if kept.digests.get(m) != self.digests.get(m)}
        appeared = kept.keys.keys() ^ self.keys.keys()
        return {module: pickle.loads(kept.blobs[module]) for module, reads in kept.reads.items()
                if module in self.keys and module not in edited and not _affected(reads, changed, appeared)}

    def _reader_changed(self, module: str, program: Program) -> bool:
        """Whether what other modules' resolution can read of an edited module changed."""
        assert self.kept is not None
        facts = program.files.get(module)
        if facts is None or module not in self.kept.keys or "+" in self.keys.get(module, "+"):
            return True
        old = self.kept.readers.get(module)
        if old is None:
            before = self.old_facts(self.kept.keys[module])
            if before is None:
                return True
            old = reader_key(before)
        self.readers[module] = reader_key(facts)
        return self.readers[module] != old

    def kept_for_next(self, resolution: Resolution) -> Kept:
        previous = self.kept.blobs if self.kept is not None else {}
        blobs = {module: previous[module] if module not in resolution.resolved and module in previous
                 else pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)
                 for module, found in resolution.by_module.items()}
        reads = {module: found.reads for module, found in resolution.by_module.items()}
        return Kept(dict(self.keys), dict(self.readers), dict(self.digests), reads, blobs)


def reader_key(facts: FileFacts) -> str:
    """A digest of what other modules' resolution can read of a file's facts: its definitions'
    names, kinds, signatures, decorators, bases, class and instance attributes and the locals
    and returns their values are found from; its variables' values; its `__all__`. Line numbers
    (but those of lambdas, which name them), calls, writes, reads and SQL are left out: a
    definition's own resolution reads those, and the global passes that read them across files
    are compared by `ownership_digests`."""
    parts = [repr((facts.module, facts.is_package, facts.parsed, facts.all_names))]
    parts += [_definition_text(definition) for definition in facts.definitions]
    parts += [repr(variable._replace(line=0)) for variable in facts.variables]
    return hashlib.blake2b("\n".join(parts).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _definition_text(definition: Definition) -> str:
    scope = definition.scope
    return repr((
        definition._replace(line=0, end_line=0, docstring=None, scope=Scope.empty(),
                            class_attrs={name: value for name, (value, _) in definition.class_attrs.items()}),
        [(target, value) for target, value, _ in scope.assigns], sorted(scope.globals),
        [imp._replace(line=0) for imp in scope.imports], scope.type_refs, scope.returns))


def _affected(reads: Iterable[str], changed: set[str], appeared: set[str]) -> bool:
    for name in reads:
        if name in changed:
            return True
        for module in appeared:
            if name == module or name.startswith(module + ".") or module.startswith(name + "."):
                return True
    return False


def ownership_digests(program: Program, data: DataModel) -> dict[str, str]:
    """Per module, a digest of the global entries that belong to it (see the module's docstring)."""
    owned: dict[str, list[str]] = {}

    def own(qname: str, entry: str) -> None:
        owned.setdefault(program.module_of.get(qname, qname), []).append(entry)

    for (target, param), values in program.param_values.items():
        own(target, f"param {target} {param} {_text(values)}")
    for variable, values in program.stored.items():
        own(variable, f"stored {variable} {_text(values)}")
    for base, subclasses in program.subclasses.items():
        own(base, f"subclasses {base} {sorted(subclasses)}")
    for variable in program.class_variables:
        own(variable, f"class variable {program.variables[variable]!r}")
    for cls, table in data.tables.items():
        own(cls, f"table {cls} {table}")
    for (model, accessor), other in data.related.items():
        own(model, f"related {model} {accessor} {other}")
    return {module: hashlib.blake2b("\n".join(sorted(entries)).encode(), digest_size=16).hexdigest()
            for module, entries in owned.items()}


def _text(values: Iterable[Value]) -> str:
    """Values as text in one order whatever the sets' (frozensets of values nest in `coll`)."""
    return "[" + ",".join(sorted(_value_text(v) for v in values)) + "]"


def _value_text(value: object) -> str:
    if isinstance(value, (frozenset, set)):
        return _text(value)
    if isinstance(value, tuple):
        return "(" + ",".join(_value_text(v) for v in value) + ")"
    return repr(value)


def load_kept(cache_dir: Path, key: bytes) -> Kept | None:
    """The last run's resolutions, if the file is there, signed by this user's key and of this analyzer."""
    try:
        data = (cache_dir / RESOLUTION_FILE).read_bytes()
    except OSError:
        return None
    head = len(RESOLUTION_MAGIC) + SIGNATURE_BYTES
    if not data.startswith(RESOLUTION_MAGIC) or not verified(key, data[len(RESOLUTION_MAGIC):head], data[head:]):
        return None
    try:
        document = pickle.loads(data[head:])
        if document.get("version") != (CACHE_FORMAT, ANALYZER_VERSION):
            return None
        kept = document["kept"]
    except (EOFError, pickle.UnpicklingError, AttributeError, KeyError, TypeError, ValueError):
        return None
    return kept if isinstance(kept, Kept) else None


def save_kept(cache_dir: Path, key: bytes, kept: Kept) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    body = pickle.dumps({"version": (CACHE_FORMAT, ANALYZER_VERSION), "kept": kept}, protocol=pickle.HIGHEST_PROTOCOL)
    write_atomic(cache_dir / RESOLUTION_FILE, RESOLUTION_MAGIC + sign(key, body) + body)
