"""Measure a `mono2lambda propose` plan on a real app: names, sizes, misplaced layers, ARI.

    python measure.py --graph OUT/graph.json --plan OUT/boundaries.yaml \
        --config benchmarks/real_apps/wger/app.json --project-root CHECKOUT [--json FILE]

Reads the graph (docs/graph-format.md) and the plan (docs/plan-format.md, version 1) as
documented files, so it measures the output of any mono2lambda version: run it with the
Python of the mono2lambda install being measured (it needs a YAML reader: ruamel.yaml,
which mono2lambda depends on, or PyYAML). The plan's precedence rules (an exact name
beats any glob, a longer glob beats a shorter one) are applied here, not imported.

What it prints (deterministic: everything sorted):
- the services and their names; a name is *generic* when it matches `-<digits>$` or
  starts with `svc-` (a name the proposer could not derive from the code);
- per service: modules, operations (public top-level functions: name not starting with
  `_`, defined directly in one of the service's modules) and the modules that are not
  domain code by the heuristic below;
- the adjusted Rand index (ARI) of the proposal against the app's declared domains (the
  ground truth rules in the app's config, see README.md), over (a) labelled modules placed
  in a service and (b) all labelled modules, the monolith and the shared libraries each
  counting as one more cluster; and where each domain's modules went.

The layer heuristic (by module name, the graph's decorators and calls; a module can match
several):
  migrations   a name part `migrations` or `alembic`
  settings     a name part `settings`, a last part ending in `_settings`/`_configuration`,
               or a top-level `config` module (not a package) directly under a package
  commands     name parts `management.commands`, or a part `cli` / `commands`
  tests        a part `tests`/`test`/`testing`, `conftest`, `test_*`, `*_test(s)`, `factories`
  admin        a part `admin`
  forms        a part `forms`
  urls         a last part `urls`/`routes`/`routing`
  serializers  a part `serializers` or `schemas`
  web          a part `views`/`viewsets`/`api`/`endpoints`/`templatetags`/`templates`
  routes       (from the graph) code with a route decorator (`x.route(...)`, `x.get(...)`,
               `x.post(...)`, ... , `api_view(...)`, `action(...)`), or module code that
               makes a Flask `Blueprint` or a flask-restx/flask-smorest `Namespace`/`Blueprint`
  entrypoints  a last part `manage`, `wsgi`, `asgi`, `__main__`, `serve`
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections import Counter, defaultdict
from fnmatch import fnmatchcase
from math import comb
from pathlib import Path

MONOLITH = "monolith"
SHARED = "shared"
GENERIC_NAME = re.compile(r"(-\d+$)|(^svc-)")
ROUTE_DECORATOR = re.compile(r"(\.(route|get|post|put|patch|delete|websocket)\(\.\.\.\)$)|(^(api_view|action)\()")
ROUTE_MAKERS = re.compile(
    r"^(flask|flask_restx|flask_restplus|flask_smorest|apiflask)(\.\w+)*\.(Blueprint|Namespace|APIBlueprint)$")


# ---------------------------------------------------------------- reading the inputs

def load_yaml(path: Path):
    text = path.read_text(encoding="utf-8")
    try:
        from ruamel.yaml import YAML
    except ImportError:
        try:
            import yaml  # PyYAML
        except ImportError:
            sys.exit("measure.py needs ruamel.yaml (a mono2lambda dependency) or PyYAML: "
                     "run it with the Python of the mono2lambda install")
        return yaml.safe_load(text)
    return YAML(typ="safe", pure=True).load(text)


class Graph:
    def __init__(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != "mono2lambda-graph":
            sys.exit(f"{path}: not a mono2lambda graph")
        self.root = data.get("root", "")
        self.nodes = {node["id"]: node for node in data["nodes"]}
        self.edges = data["edges"]
        self.modules = sorted(i for i, n in self.nodes.items() if n["kind"] == "module")
        self.module_set = set(self.modules)

    def is_package(self, module: str) -> bool:
        return bool(self.nodes.get(module, {}).get("package"))

    def operations(self) -> dict[str, list[str]]:
        """module -> its public top-level functions."""
        found: dict[str, list[str]] = defaultdict(list)
        for node_id, node in self.nodes.items():
            module = node.get("module")
            if node["kind"] != "function" or not module:
                continue
            name = node_id[len(module) + 1:]
            if "." not in name and not name.startswith("_"):
                found[module].append(node_id)
        return found

    def route_modules(self) -> set[str]:
        found = set()
        for node in self.nodes.values():
            module = node.get("module")
            if module and any(ROUTE_DECORATOR.search(d) for d in node.get("decorators", ())):
                found.add(module)
        for edge in self.edges:
            if edge["kind"] in ("calls", "instantiates") and ROUTE_MAKERS.match(edge["target"]):
                module = self.nodes.get(edge["source"], {}).get("module")
                if module:
                    found.add(module)
        return found


def natural(name: str) -> list:
    """Sort key: `svc-2` before `svc-10`."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def placement(plan: dict, modules: list[str]) -> dict[str, str]:
    """module -> service, MONOLITH or SHARED, by the plan's precedence rules."""
    entries = []  # (pattern, place)
    for name, body in (plan.get("services") or {}).items():
        entries += [(str(p), str(name)) for p in ((body or {}).get("modules") or [])]
    for place in (MONOLITH, SHARED):
        entries += [(str(p), place) for p in (plan.get(place) or [])]
    exact: dict[str, set[str]] = defaultdict(set)
    globs = []
    for pattern, place in entries:
        if any(c in pattern for c in "*?["):
            globs.append((pattern, place))
        else:
            exact[pattern].add(place)
    places = {}
    for module in modules:
        if module in exact:
            found = exact[module]
        else:
            matching = [(len(p), place) for p, place in globs if fnmatchcase(module, p)]
            best = max((n for n, _ in matching), default=None)
            found = {place for n, place in matching if n == best}
        if len(found) > 1:
            sys.exit(f"plan is ambiguous for {module}: {sorted(found)}")
        places[module] = next(iter(found)) if found else MONOLITH
    return places


# ---------------------------------------------------------------- the layer heuristic

def layers_of(module: str, graph: Graph, routes: set[str]) -> list[str]:
    parts = module.split(".")
    last = parts[-1]
    found = []
    if {"migrations", "alembic"} & set(parts):
        found.append("migrations")
    if ("settings" in parts or re.search(r"_(settings|configuration)$", last)
            or (last == "config" and len(parts) == 2 and not graph.is_package(module))):
        found.append("settings")
    if any(parts[i:i + 2] == ["management", "commands"] for i in range(len(parts))) or {"cli", "commands"} & set(parts):
        found.append("commands")
    if ({"tests", "test", "testing", "conftest", "factories"} & set(parts) or last.startswith("test_")
            or re.search(r"_tests?$", last)):
        found.append("tests")
    for layer in ("admin", "forms"):
        if layer in parts:
            found.append(layer)
    if last in ("urls", "routes", "routing"):
        found.append("urls")
    if {"serializers", "schemas"} & set(parts):
        found.append("serializers")
    if {"views", "viewsets", "api", "endpoints", "templatetags", "templates"} & set(parts):
        found.append("web")
    if module in routes:
        found.append("routes")
    if last in ("manage", "wsgi", "asgi", "__main__", "serve"):
        found.append("entrypoints")
    return found


# ---------------------------------------------------------------- ground truth

def installed_apps(project_root: Path) -> list[str]:
    """String entries of every `INSTALLED_APPS = [...]` / `+= [...]` in the project's .py files."""
    found = []
    for path in sorted(project_root.rglob("*.py")):
        if any(part in ("node_modules", ".git", ".venv", "venv") for part in path.parts):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            if any(isinstance(t, ast.Name) and t.id == "INSTALLED_APPS" for t in targets):
                found += [c.value for c in ast.walk(value) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
    return found


def truth_django_apps(rule: dict, graph: Graph, project_root: Path | None) -> dict[str, str]:
    """Each module -> the local Django app (deepest package) it is in.

    A local app is a package of the graph with an `apps` module (apps.py), or an
    INSTALLED_APPS entry (found in the project's files) naming a package of the graph
    (`pkg.apps.PkgConfig` entries count as `pkg`)."""
    apps = {m.rsplit(".", 1)[0] for m in graph.modules if m.endswith(".apps") and "." in m}
    if project_root is not None:
        for entry in installed_apps(project_root):
            parts = entry.split(".")
            for n in range(len(parts), 0, -1):
                candidate = ".".join(parts[:n])
                if candidate in graph.module_set and graph.is_package(candidate) and not candidate.endswith(".apps"):
                    apps.add(candidate)
                    break
    labels = {}
    for module in graph.modules:
        owners = [a for a in apps if module == a or module.startswith(a + ".")]
        if owners:
            labels[module] = max(owners, key=len)
    return labels


def truth_top_package(rule: dict, graph: Graph, project_root: Path | None) -> dict[str, str]:
    """Each module inside `package` -> its first name part under it (a top-level subpackage
    or module, which is where the app declares its blueprints); inside the subpackages of the
    packages in `split`, one part deeper (each plugin package its own label; the split
    package's plain modules keep its label). `package` itself is unlabelled."""
    package = rule["package"]
    split = sorted(rule.get("split", []), key=len, reverse=True)
    labels = {}
    for module in graph.modules:
        if not module.startswith(package + "."):
            continue
        base = next((s for s in split if module.startswith(s + ".")), package)
        label = f"{base}.{module[len(base) + 1:].split('.')[0]}"
        if base != package and not graph.is_package(label):  # a plain module of the split package
            base = package
            label = f"{package}.{module[len(package) + 1:].split('.')[0]}"
        labels[module] = label[len(package) + 1:]
    return labels


def truth_api_namespaces(rule: dict, graph: Graph, project_root: Path | None) -> dict[str, str]:
    """Features as the app declares them in its REST API: the modules of `api_package` that
    make a Namespace/Blueprint name the features (their last name part). Each module inside
    `package` -> the last of its name parts that is a feature (after `synonyms`)."""
    synonyms = rule.get("synonyms", {})
    api = rule["api_package"]
    route_makers = {edge["source"] for edge in graph.edges
                    if edge["kind"] in ("calls", "instantiates") and ROUTE_MAKERS.match(edge["target"])}
    features = {m.rsplit(".", 1)[1] for m in route_makers
                if m.startswith(api + ".") and "." not in m[len(api) + 1:]}
    features = {synonyms.get(f, f) for f in features} - set(rule.get("exclude", []))
    labels = {}
    for module in graph.modules:
        if not module.startswith(rule["package"] + "."):
            continue
        for part in reversed(module.split(".")[1:]):
            part = synonyms.get(part, part)
            if part in features:
                labels[module] = part
                break
    return labels


TRUTH_RULES = {"django-apps": truth_django_apps, "top-package": truth_top_package,
               "api-namespaces": truth_api_namespaces}


# ---------------------------------------------------------------- adjusted Rand index

def adjusted_rand_index(truth: list[str], found: list[str]) -> float | None:
    """ARI (Hubert and Arabie, 1985) of two labelings of the same items, from the contingency table."""
    n = len(truth)
    if n < 2:
        return None
    cells = Counter(zip(truth, found, strict=True))
    index = sum(comb(c, 2) for c in cells.values())
    rows = sum(comb(c, 2) for c in Counter(truth).values())
    cols = sum(comb(c, 2) for c in Counter(found).values())
    expected = rows * cols / comb(n, 2)
    top = (rows + cols) / 2
    if top == expected:
        return 1.0 if index == expected else 0.0
    return (index - expected) / (top - expected)


# ---------------------------------------------------------------- the report

def measure(graph: Graph, plan: dict, config: dict, project_root: Path | None) -> dict:
    places = placement(plan, graph.modules)
    services = sorted((str(s) for s in (plan.get("services") or {})), key=natural)
    members: dict[str, list[str]] = defaultdict(list)
    for module, place in places.items():
        members[place].append(module)
    operations = graph.operations()
    routes = graph.route_modules()
    report = {
        "graph_root": graph.root, "plan_source": plan.get("source"), "unit": plan.get("unit", "module"),
        "modules": len(graph.modules),
        "placed": {"services": sum(len(members[s]) for s in services),
                   MONOLITH: len(members[MONOLITH]), SHARED: len(members[SHARED])},
        "services": [], "generic_names": [s for s in services if GENERIC_NAME.search(s)],
        "layers_in_services": {}, "truth": [],
    }
    layer_totals: dict[str, list[str]] = defaultdict(list)
    for service in services:
        mods = sorted(members[service])
        layered = {m: layers_of(m, graph, routes) for m in mods}
        layered = {m: ls for m, ls in layered.items() if ls}
        for m, ls in layered.items():
            for layer in ls:
                layer_totals[layer].append(m)
        report["services"].append({
            "name": service, "generic": bool(GENERIC_NAME.search(service)), "modules": len(mods),
            "operations": sum(len(operations.get(m, ())) for m in mods),
            "non_domain_modules": len(layered),
            "non_domain": dict(sorted(layered.items())),
        })
    report["layers_in_services"] = {layer: sorted(ms) for layer, ms in sorted(layer_totals.items())}
    for rule in config.get("truth", []):
        labels = TRUTH_RULES[rule["rule"]](rule, graph, project_root)
        in_services = [m for m in sorted(labels) if places[m] not in (MONOLITH, SHARED)]
        spread: dict[str, Counter] = defaultdict(Counter)
        for m in sorted(labels):
            spread[labels[m]][places[m]] += 1
        ari_services = adjusted_rand_index([labels[m] for m in in_services], [places[m] for m in in_services])
        every = sorted(labels)
        ari_all = adjusted_rand_index([labels[m] for m in every], [places[m] for m in every])
        report["truth"].append({
            "name": rule["name"], "rule": rule["rule"], "labels": len(spread), "labelled_modules": len(labels),
            "labelled_in_services": len(in_services),
            "ari_services": ari_services, "ari_all": ari_all,
            "spread": {label: dict(sorted(c.items(), key=lambda kv: (-kv[1], natural(kv[0]))))
                       for label, c in sorted(spread.items())},
        })
    return report


def fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def render(report: dict, title: str, verbose: bool) -> str:
    out = [f"== {title}",
           f"graph root {report['graph_root']!r}, plan source {report['plan_source']!r}, unit {report['unit']}, "
           f"{report['modules']} modules: {report['placed']['services']} in services, "
           f"{report['placed'][MONOLITH]} monolith, {report['placed'][SHARED]} shared"]
    names = [s["name"] for s in report["services"]]
    out.append(f"services: {len(names)}: {', '.join(names)}")
    out.append(f"generic names: {len(report['generic_names'])} of {len(names)}"
               + (f": {', '.join(report['generic_names'])}" if report["generic_names"] else ""))
    out.append(f"{'service':<28} {'modules':>7} {'ops':>5} {'non-domain':>10}")
    for s in report["services"]:
        out.append(f"{s['name']:<28} {s['modules']:>7} {s['operations']:>5} {s['non_domain_modules']:>10}")
    total = sum(s["non_domain_modules"] for s in report["services"])
    out.append(f"non-domain modules inside services: {total} of {report['placed']['services']}; by layer: "
               + (", ".join(f"{k} {len(v)}" for k, v in report["layers_in_services"].items()) or "none"))
    if verbose:
        for s in report["services"]:
            for m, ls in s["non_domain"].items():
                out.append(f"  {s['name']}: {m} [{', '.join(ls)}]")
    for t in report["truth"]:
        out.append(f"ground truth {t['name']} ({t['rule']}): {t['labels']} labels over "
                   f"{t['labelled_modules']} modules, {t['labelled_in_services']} of them in services")
        out.append(f"  ARI (labelled modules in services): {fmt(t['ari_services'])}")
        out.append(f"  ARI (all labelled modules; monolith and shared as clusters): {fmt(t['ari_all'])}")
        if verbose:
            for label, where in t["spread"].items():
                out.append(f"  {label}: " + ", ".join(f"{p} {n}" for p, n in where.items()))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, required=True, help="graph.json written by `mono2lambda analyze`")
    parser.add_argument("--plan", type=Path, required=True, help="boundaries.yaml written by `mono2lambda propose`")
    parser.add_argument("--config", type=Path, required=True, help="the app's app.json (ground truth rules)")
    parser.add_argument("--project-root", type=Path, help="the app's checkout (Django: INSTALLED_APPS is read from it)")
    parser.add_argument("--title", default="", help="heading of the text report")
    parser.add_argument("--json", type=Path, help="also write the full report as JSON here")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list every non-domain module in a service and where each domain went")
    args = parser.parse_args(argv)
    config = json.loads(args.config.read_text(encoding="utf-8"))
    report = measure(Graph(args.graph), load_yaml(args.plan) or {}, config, args.project_root)
    print(render(report, args.title or str(args.plan), args.verbose))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
