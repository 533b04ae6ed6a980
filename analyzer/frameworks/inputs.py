"""What `detect` reads of one file, as a digest.

Detection is a function of the parsed files and of the classes mapped to tables, so two runs
whose files give the same digests here (and map the same classes) find the same roles,
frameworks and domains: `analyze` keeps the last run's detection while no changed file's digest
moved (analyzer/reuse.py). The digest leaves out what no detector reads (line numbers of
functions, calls and assignments, which move with every edit above them; calls that register
nothing; writes, reads, SQL), and keeps the lines the detectors report (a class's, for the
Django apps it declares, and a variable's, for blueprints). A detector that starts reading more
of the facts must add it here: tests/analyzer/test_reuse.py compares kept detections with fresh ones.
"""

from __future__ import annotations

import hashlib

from ..facts import CallSite, Definition, FileFacts, Scope
from .vocabulary import REGISTRATIONS


def detection_key(facts: FileFacts) -> str:
    parts = [repr((facts.path, facts.module, facts.is_package, facts.parsed, facts.all_names,
                   [(name, value) for name, value, _ in facts.extended], facts.variables))]
    parts += [_definition_text(definition) for definition in facts.definitions]
    return hashlib.blake2b("\n".join(parts).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _definition_text(definition: Definition) -> str:
    scope = definition.scope
    class_attrs = {name: value for name, (value, _) in definition.class_attrs.items()}
    return repr((
        definition._replace(line=definition.line if definition.kind == "class" else 0, end_line=0, scope=Scope.empty(),
                            class_attrs=class_attrs),
        [imp._replace(line=0) for imp in scope.imports], [(target, value) for target, value, _ in scope.assigns],
        scope.returns, [(site.func, site.args, site.kwargs) for site in scope.calls if _registers(site)]))


def _registers(site: CallSite) -> bool:
    """A call `registrations` looks at (registrations.py)."""
    return site.func[0] == "attr" and site.func[2] in REGISTRATIONS and not site.synthetic
