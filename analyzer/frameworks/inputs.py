"""What `detect` reads of one file, as a digest.

Detection is a function of the parsed files and of the classes mapped to tables, so two runs
whose files give the same digests here (and map the same classes) find the same roles,
frameworks and domains: `analyze` keeps the last run's detection while no changed file's digest
moved (analyzer/reuse.py). The digest leaves out what no detector reads (line numbers of
functions, calls and assignments, which move with every edit above them; calls that register
nothing; writes, reads, SQL), and keeps the lines the detectors report (a class's, for the
Django apps it declares, and a variable's, for blueprints). A detector that starts reading more
of the facts must add it here: tests/analyzer/test_reuse.py compares kept detections with fresh ones.

An edit that only adds functions no other code names (analyzer/additions.py) changes the digest,
yet it gives the detectors nothing when the rest of the file reads the same and the new functions
import nothing (which could bring a framework into use), register nothing, return nothing spelled
like an application (app factories), are no function view, context processor or middleware by
where they are, and are no Alembic `upgrade`: each then only takes the role of its module when
that role covers the whole module, its nested functions their parent's (`with_added`).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping

from ..facts import CallSite, Definition, FileFacts, Scope
from . import Detection
from .definitions import application_names, may_name_application, returned_values
from .module_roles import convention
from .vocabulary import MODULE_WIDE, REGISTRATIONS

PLACED_FUNCTIONS = frozenset({"view", "context-processor", "middleware"})  # conventions `_module_function_tag` reads


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


def detection_key_without(facts: FileFacts, added: list[Definition]) -> str:
    """The detection key of the file as it would be without the `added` definitions."""
    names = {d.qname for d in added}
    return detection_key(dataclasses.replace(facts, definitions=[d for d in facts.definitions
                                                                 if d.qname not in names]))


def gives_nothing(module: str, added: list[Definition], defs: Mapping[str, Definition]) -> bool:
    """Whether the detectors find nothing in these added functions (see the module's docstring;
    `defs`: every definition of the program, for the names of application classes)."""
    app_names = application_names(defs)
    for definition in added:
        if definition.scope.imports or any(_registers(site) for site in definition.scope.calls) \
                or any(may_name_application(expr, app_names) for expr in returned_values(definition)):
            return False
        if definition.parent == module and (convention(module) in PLACED_FUNCTIONS
                                            or definition.qname.rsplit(".", 1)[1] == "upgrade"):
            return False
    return True


def with_added(detection: Detection, module: str, added: list[Definition]) -> Detection:
    """`detection` with the roles functions that give the detectors nothing take (results.final_roles):
    the module's when it covers the whole module, then their parent's."""
    roles = dict(detection.roles)
    inherited = roles.get(module)
    if inherited not in MODULE_WIDE:
        return detection
    for definition in sorted(added, key=lambda d: d.qname.count(".")):
        role = roles.get(definition.parent or "")
        if role is not None:
            roles[definition.qname] = role
    return Detection(dict(sorted(roles.items())), detection.frameworks, detection.domains)
