"""Keeping each module's resolution for the next run, and which of it a run may use again.

A module's resolution (resolve.FileResolution) depends on the facts of the modules it read
(memo.py records them, with names that might become modules), but only on what another
module's resolution can see of them (`file_keys`: not line numbers, calls, writes, reads or
SQL, which only a definition's own resolution and the global passes look at), and on what the global passes
put into the program from every file's code: callbacks bound to parameters, functions stored
in containers, subclasses, class attributes rebound elsewhere, tables and Django's related
managers. Each of those entries belongs to a module (the one of the parameter's function,
the container, the base class, the model), and a digest per module covers them. So a module's
kept resolution is used again when its own file is unchanged and none of the names it read
is a module whose reader key or digest changed; a file added or removed also invalidates
every resolution that read its module's name, a package above it or a name inside it.
The bindings themselves (bindings.py, a pass over every file) and the class attributes functions
rebind (values.py, found before them) are kept when no edited file's bindings key changed and no
file was added or removed, and with them the data model's tables
and related managers (data.py: found from classes, module-level names and the bindings, which
the bindings key covers: the same reads give the same answers) and, unless an edited file holds
a model or one of its bases, what the relationship pass (relationships.py) found in the modules
neither edited nor resolved again; so is the framework detection
(frameworks/, another such pass) when no edited file's detection key (frameworks/inputs.py)
changed, no file was added or removed and the same classes are mapped to tables. An edit that
only adds functions no other code can name (additions.py) keeps all three: the other modules'
resolutions, the bindings, and the detection (with the roles those functions inherit,
frameworks/inputs.py). The program's outline (values.Program: the callable names and each
class's subclasses, found from what the reader keys cover) is kept when the same modules are
there and each edited one has the same reader key or only adds such functions, whose names and
imports join the callable names.

The modules' resolutions are kept in a signed store (blobstore.py,
OUT/cache/resolutions.marshal): after an edit, only those resolved again are written, to a
side file. The rest (OUT/cache/resolution.pickle) is signed like the facts cache (collect.py)
and names the signatures of the store's files it was written with: neither is unpickled unless
its signature matches this user's key, and a pair from different runs is not used at all.
Each resolution in the store is a `marshal` blob of plain tuples (`encoded_resolution`: its
edges as keys and rows of their fields), which is a third cheaper to make than pickling its
dataclasses and as quick to read back; or, for a module a forked resolver resolved (--jobs 2),
the pickle it sent (resolve.pickled_resolution), kept as it came: a pickle starts with its
PROTO opcode, which no marshal blob starts with.
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import operator
import pickle
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import starmap
from pathlib import Path

from . import ANALYZER_VERSION
from .additions import added_functions, binders_text, brought_names, definition_text, unseen
from .bindings import evaluated_sites
from .blobstore import BlobFile, Stored, load_blobs, save_blobs
from .cachekey import CACHE_FORMAT, opened, sealed
from .data import DataFound, DataModel
from .facts import CallSite, Definition, FileFacts
from .files import write_atomic
from .frameworks import Detection
from .frameworks.inputs import detection_key, detection_key_without, gives_nothing, with_added
from .relationships import Found, KeptReads, model_modules
from .resolve import Bindings, EdgeInfo, FileResolution, Resolution, UnresolvedCall, pickled_resolution
from .values import Outline, Program, Value

RESOLUTION_FILE = "resolution.pickle"
RESOLUTION_MAGIC = b"M2L-RESOLUTION-HMAC-SHA256\n"
RESOLUTIONS_FILE = "resolutions.marshal"  # the modules' pickled resolutions (blobstore.py)
RESOLUTIONS_MAGIC = b"M2L-RESOLUTIONS-HMAC-SHA256\n"
RESOLUTION_FORMAT = 12  # 2: the framework detection is kept too; 3: resolutions pickled by their fields;
# 4: the data model and the relationship pass are kept too; 5: the rebound class attributes too;
# 6: an edge's rarely filled sets are frozensets (resolve.EdgeInfo); 7: the program's outline too;
# 8: an edge's lines are a tuple; 9: an unresolved call is a named tuple;
# 10: a resolution lists its tables; 11: the resolutions in their own store, with a side file;
# 12: a resolution is a marshal blob of plain tuples (`encoded_resolution`) unless a forked resolver pickled it


@dataclass
class Kept:
    """What the last run left: per module, its file's content key, the digest of the global
    entries it owns, what its resolution read and that resolution (pickled); the keys of the
    files whose keys were needed (`file_keys`); the bindings; the framework detection, the
    classes mapped to tables it was given and the detection keys that were needed."""

    keys: dict[str, str] = field(default_factory=dict)
    readers: dict[str, tuple[str, str]] = field(default_factory=dict)  # module -> `file_keys`, when needed
    digests: dict[str, str] = field(default_factory=dict)
    reads: dict[str, tuple[str, ...]] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)
    bindings: Bindings | None = None
    detection: Detection | None = None
    detection_tables: tuple[str, ...] = ()
    detection_keys: dict[str, str] = field(default_factory=dict)  # module -> `detection_key`, when needed
    data: DataFound | None = None  # the data model's tables and related managers
    # the relationship pass: the names that load one, per module what its callers read, `model_modules`
    relationships: tuple[frozenset[str], dict[str, Found], frozenset[str]] | None = None
    outline: Outline | None = None  # values.Program's
    stored: Stored | None = None  # the store `blobs` were read from, not saved with the rest


class Reuse:
    """A `resolve.Previous`: given this run's program, what the last run found that is still
    true; then `kept_for_next`."""

    def __init__(self, keys: dict[str, str], kept: Kept | None,
                 old_facts: Callable[[str], FileFacts | None] = lambda key: None,
                 texts: Mapping[str, bytes] | None = None) -> None:
        self.keys = keys  # module -> content key of its file(s), this run
        self.kept = kept
        self.old_facts = old_facts  # the facts the last run read, by content key, while they are at hand
        self.texts = texts if texts is not None else {}  # module -> its file's text, this run
        self._unseen: dict[str, list[Definition] | None] = {}
        self._bindings_kept = False
        self._model_modules: frozenset[str] | None = None  # kept `model_modules`, when still true
        self.digests: dict[str, str] = {}
        self.readers: dict[str, tuple[str, str]] = {}  # `file_keys` of the edited files, this run
        self._pairs: dict[str, tuple[tuple[str, str], tuple[str, str]] | None] = {}
        self.detection_keys: dict[str, str] = {}  # `detection_key` of the edited files, this run
        self.detection_tables: tuple[str, ...] = ()

    def edited(self) -> set[str]:
        """The modules whose file changed, appeared or went since the last run."""
        kept = self.kept.keys if self.kept is not None else {}
        return {m for m in kept.keys() | self.keys.keys() if kept.get(m) != self.keys.get(m)}

    def outline(self, files: Mapping[str, FileFacts]) -> Outline | None:
        """The last run's callable names and subclasses (values.Program) when the same modules are
        there and each edited one reads the same to other modules (its reader key: both are found
        from what the key covers) or only adds functions no other code can name (additions.py),
        whose names and imports are then callable names too."""
        kept = self.kept
        if kept is None or kept.outline is None or kept.keys.keys() != self.keys.keys():
            return None
        adding = []
        for module in sorted(self.edited()):
            pair = self._file_keys(module, files)
            if pair is None:
                return None
            if pair[0][0] != pair[1][0]:
                adding.append(module)
        names, subclasses = kept.outline
        if adding:
            before = {m: self.old_facts(kept.keys[m]) for m in adding}
            names = names | brought_names([d for m in adding for d in _new_definitions(before[m], files[m])])
            if any(self._unseen_functions(m, files, names) is None for m in adding):
                self._unseen.clear()  # found with names this run's program may not have
                return None
        return names, subclasses

    def bindings(self, program: Program) -> Bindings | None:
        kept = self.kept
        if kept is None or kept.bindings is None or kept.keys.keys() != self.keys.keys():
            return None
        receivers = {target for target, _ in kept.bindings[0]}
        for module in sorted(self.edited()):
            pair = self._file_keys(module, program.files)
            if pair is None or (pair[0][1] != pair[1][1] and not self._adds_unseen_functions(module, program)
                                and not (pair[0][0] == pair[1][0] and self._binds_alike(module, program, receivers))):
                return None
        self._bindings_kept = True
        return kept.bindings

    def _binds_alike(self, module: str, program: Program, receivers: set[str]) -> bool:
        """Whether an edited module whose reader key is the same gives the bindings pass nothing new:
        each definition whose calls changed writes the same, is no receiver of a function (which
        the pass's second round evaluates whole) and has the same calls the first round evaluates
        something at, in the same order (bindings.evaluated_sites: the others change nothing)."""
        assert self.kept is not None
        before = self.old_facts(self.kept.keys[module])
        if before is None:
            return False
        old = {d.qname: d for d in before.definitions}
        names = program.callable_names  # as before: the reader keys, which cover every name, are the same
        for definition in program.files[module].definitions:
            previous = old.get(definition.qname)
            if previous is None:
                return False
            if binders_text(previous) != binders_text(definition) and (
                    definition.qname in receivers
                    or [s._replace(line=0) for s in previous.scope.stores] != [s._replace(line=0) for s in
                                                                               definition.scope.stores]
                    or _line_free(evaluated_sites(previous, names)) != _line_free(evaluated_sites(definition, names))):
                return False
        return True

    def data(self) -> DataFound | None:
        return self.kept.data if self._bindings_kept and self.kept is not None else None

    def relationship_reads(self, resolved: set[str]) -> KeptReads | None:
        """With the bindings and the data model kept, what the relationship pass read of the
        program is the same unless an edited module holds a model or one of its bases; the
        callers in modules neither edited nor resolved again read the same."""
        kept = self.kept
        if not self._bindings_kept or kept is None or kept.relationships is None:
            return None
        wanted, by_module, holding = kept.relationships
        edited = self.edited()
        if edited & holding:
            return None
        modules = frozenset(m for m in self.keys if m not in edited and m not in resolved)
        self._model_modules = holding
        return KeptReads(wanted, {key: reads for m in modules for key, reads in by_module.get(m, {}).items()},
                         modules)

    def resolutions(self, program: Program, data: DataModel) -> dict[str, FileResolution]:
        self.digests = ownership_digests(program, data)
        kept = self.kept
        if kept is None:
            return {}
        edited = self.edited()
        changed = {m for m in edited if (pair := self._file_keys(m, program.files)) is None
                   or (pair[0][0] != pair[1][0] and not self._adds_unseen_functions(m, program))}
        changed |= {m for m in kept.digests.keys() | self.digests.keys()
                    if kept.digests.get(m) != self.digests.get(m)}
        appeared = kept.keys.keys() ^ self.keys.keys()
        return {module: decoded_resolution(kept.blobs[module]) for module, reads in kept.reads.items()
                if module in self.keys and module not in edited and not _affected(reads, changed, appeared)}

    def detection(self, program: Program, tables: Iterable[str]) -> Detection | None:
        """The last run's framework detection when its input is the same: the same modules, the
        same classes mapped to tables, and each edited file the same to the detectors."""
        self.detection_tables = tuple(sorted(tables))
        kept = self.kept
        if kept is None or kept.detection is None or kept.keys.keys() != self.keys.keys() \
                or kept.detection_tables != self.detection_tables:
            return None
        detection = kept.detection
        for module in sorted(self.edited()):
            facts = program.files.get(module)
            if facts is None or "+" in self.keys[module] or "+" in kept.keys[module]:
                return None
            old = kept.detection_keys.get(module)
            if old is None:
                before = self.old_facts(kept.keys[module])
                old = detection_key(before) if before is not None else None
            self.detection_keys[module] = detection_key(facts)
            if old == self.detection_keys[module]:
                continue
            added = self._unseen_functions(module, program.files, program.callable_names)
            if added is None or not gives_nothing(module, added, program.defs) \
                    or detection_key_without(facts, added) != old:
                return None
            detection = with_added(detection, module, added)
        return detection

    def _adds_unseen_functions(self, module: str, program: Program) -> bool:
        return self._unseen_functions(module, program.files, program.callable_names) is not None

    def _unseen_functions(self, module: str, files: Mapping[str, FileFacts],
                          names: frozenset[str]) -> list[Definition] | None:
        """The functions an edited module's change adds when that is all it does and no other
        code can name them (additions.py; `names`: this run's callable names); None otherwise."""
        if module not in self._unseen:
            assert self.kept is not None
            before = self.old_facts(self.kept.keys[module]) if module in self.kept.keys else None
            facts = files.get(module)
            added = added_functions(before, facts, names) \
                if before is not None and facts is not None else None
            self._unseen[module] = added if added is not None \
                and unseen(brought_names(added), module, added, self.texts) else None
        return self._unseen[module]

    def _file_keys(self, module: str, files: Mapping[str, FileFacts]) -> tuple[tuple[str, str], tuple[str, str]] | None:
        """This run's and the last run's `file_keys` of an edited module; None when one is not known."""
        if module in self._pairs:
            return self._pairs[module]
        assert self.kept is not None
        facts = files.get(module)
        pair = None
        if facts is not None and module in self.kept.keys and "+" not in self.keys.get(module, "+"):
            old = self.kept.readers.get(module)
            if old is None:
                before = self.old_facts(self.kept.keys[module])
                old = file_keys(before) if before is not None else None
            if old is not None:
                self.readers[module] = file_keys(facts)
                pair = (self.readers[module], old)
        self._pairs[module] = pair
        return pair

    def kept_for_next(self, resolution: Resolution, detection: Detection | None = None) -> Kept:
        kept = self.kept if self.kept is not None else Kept()
        blobs = {module: kept.blobs[module] if module not in resolution.resolved and module in kept.blobs
                 else resolution.pickled.get(module) or encoded_resolution(found)
                 for module, found in resolution.by_module.items()}
        reads = {module: found.reads for module, found in resolution.by_module.items()}
        edited = self.edited()
        readers = {m: keys for m, keys in kept.readers.items() if m in self.keys and m not in edited}
        readers.update(self.readers)
        detection_keys = {m: key for m, key in kept.detection_keys.items() if m in self.keys and m not in edited}
        detection_keys.update(self.detection_keys)
        program = resolution.program
        bindings = (program.param_values, program.stored, program.rebound_class_variables())
        return Kept(dict(self.keys), readers, dict(self.digests), reads, blobs, bindings, detection,
                    self.detection_tables, detection_keys, (resolution.data.tables, resolution.data.related),
                    self._relationships(resolution), (program.callable_names, program.subclasses), kept.stored)

    def _relationships(self, resolution: Resolution) -> tuple[frozenset[str], dict[str, Found], frozenset[str]]:
        program = resolution.program
        by_module: dict[str, Found] = {}
        for (caller, callee), reads in resolution.relationship_reads.items():
            by_module.setdefault(program.module_of[caller], {})[(caller, callee)] = reads
        holding = self._model_modules
        if holding is None:
            holding = model_modules(program, resolution.data)
        return resolution.loading_names, by_module, holding


_EDGE_FIELDS = operator.attrgetter(*(f.name for f in dataclasses.fields(EdgeInfo)))
_PICKLE_PROTO = pickle.PROTO[0]


def encoded_resolution(found: FileResolution) -> bytes:
    """A module's resolution as kept for the next run: its fields in order, with the edges as
    their keys and a row of each one's fields, the unresolved calls as plain tuples (marshal
    writes neither dataclasses nor named tuples); read back with `decoded_resolution`. Pickled
    instead if it holds something marshal cannot write (no resolution made so far does)."""
    edges = found.edges
    try:
        return marshal.dumps((tuple(edges), tuple(map(_EDGE_FIELDS, edges.values())),
                              list(map(tuple, found.unresolved)), found.call_sites, found.externals,
                              found.read_candidates, found.reads, found.tables))
    except ValueError:
        return pickled_resolution(found)


def decoded_resolution(blob: bytes) -> FileResolution:
    """A resolution `encoded_resolution` wrote, or one a forked resolver pickled."""
    if blob[0] == _PICKLE_PROTO:
        found: FileResolution = pickle.loads(blob)
        return found
    keys, rows, unresolved, call_sites, externals, read_candidates, reads, tables = marshal.loads(blob)
    return FileResolution(dict(zip(keys, starmap(EdgeInfo, rows), strict=True)),
                          list(starmap(UnresolvedCall, unresolved)), call_sites, externals, read_candidates, reads,
                          tables)


def file_keys(facts: FileFacts) -> tuple[str, str]:
    """Two digests of a file's facts: its reader key and its bindings key.

    The reader key covers what other modules' resolution can read: its definitions' names,
    kinds, signatures, decorators, bases, class and instance attributes and the locals and
    returns their values are found from; its variables' values; its `__all__`. Line numbers
    (but those of lambdas, which name them), calls, writes, reads and SQL are left out: a
    definition's own resolution reads those, and the global passes that read them across files
    are compared by `ownership_digests`.

    The bindings key adds what the bindings (bindings.py) and the rebound class attributes
    before them read: every write, and the calls handed a name, an attribute, a lambda or a
    display (a call handed only literals and other expressions binds nothing)."""
    parts = [repr((facts.module, facts.is_package, facts.parsed, facts.all_names))]
    parts += [definition_text(definition) for definition in facts.definitions]
    parts += [repr(variable._replace(line=0)) for variable in facts.variables]
    reader = "\n".join(parts)
    binders = [binders_text(definition) for definition in facts.definitions]
    return _digest(reader), _digest(reader + "\n" + "\n".join(binders))


def _new_definitions(old: FileFacts | None, new: FileFacts | None) -> list[Definition]:
    """The definitions of `new` that `old` does not have (by name)."""
    if old is None or new is None:
        return []
    known = {d.qname for d in old.definitions}
    return [d for d in new.definitions if d.qname not in known]


def _line_free(sites: list[CallSite]) -> list[CallSite]:
    return [site._replace(line=0) for site in sites]


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _affected(reads: Iterable[str], changed: set[str], appeared: set[str]) -> bool:
    """Whether a resolution that read `reads` may read differently now: one of them changed, or
    a module appeared or went that one of them is, lies in or holds."""
    if not changed.isdisjoint(reads):
        return True
    return bool(appeared) and any(name == module or name.startswith(module + ".") or module.startswith(name + ".")
                                  for name in reads for module in appeared)


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
    """The last run's resolutions, if both files are there, signed by this user's key, of this
    analyzer and written together."""
    try:
        data = (cache_dir / RESOLUTION_FILE).read_bytes()
    except OSError:
        return None
    body = opened(RESOLUTION_MAGIC, key, data)
    if body is None:
        return None
    try:
        document = pickle.loads(body)
        if document.get("version") != _version():
            return None
        kept, state = document["kept"], document["resolutions"]
    except (EOFError, pickle.UnpicklingError, AttributeError, KeyError, TypeError, ValueError):
        return None
    if not isinstance(kept, Kept):
        return None
    stored = load_blobs(_resolutions_file(cache_dir), key)
    if stored.seal is None or stored.state != state:
        return None
    kept.blobs, kept.stored = stored.blobs, stored
    return kept


def save_kept(cache_dir: Path, key: bytes, kept: Kept) -> None:
    """The resolutions into their store (a side file when few changed), then the rest, naming
    the store's files just written."""
    state = save_blobs(_resolutions_file(cache_dir), key, kept.blobs, kept.stored or Stored())
    rest = dataclasses.replace(kept, blobs={}, stored=None)
    body = pickle.dumps({"version": _version(), "resolutions": state, "kept": rest}, protocol=pickle.HIGHEST_PROTOCOL)
    write_atomic(cache_dir / RESOLUTION_FILE, sealed(RESOLUTION_MAGIC, key, body))


def _resolutions_file(cache_dir: Path) -> BlobFile:
    return BlobFile(cache_dir / RESOLUTIONS_FILE, RESOLUTIONS_MAGIC, _version())


def _version() -> tuple[int, int, str]:
    return (CACHE_FORMAT, RESOLUTION_FORMAT, ANALYZER_VERSION)
