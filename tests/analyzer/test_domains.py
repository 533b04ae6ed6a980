"""Role- and domain-aware proposals: what developers declared shapes the services.

The graphs here get their roles and declared domains set by hand, so these tests pin the
proposal's rules apart from role detection (tests/analyzer/test_frameworks.py covers that,
and the end-to-end test on the sample sites puts the two together)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analyzer.boundaries.domains import domain_map, unit_layer
from analyzer.boundaries.explain import explain
from analyzer.boundaries.partition import ProposeOptions, propose, public_functions
from analyzer.boundaries.placement import MONOLITH, SHARED
from analyzer.graph import CodeGraph
from analyzer.pipeline import AnalyzeOptions, analyze

from .snippets import graph_of

CHATTY = "\n".join(f"def f{i}(): g{i}()\ndef g{i}(): pass" for i in range(3))


def with_roles(graph: CodeGraph, roles: dict[str, str], domains: list[dict] | None = None) -> CodeGraph:
    for unit, role in roles.items():
        attrs = graph.node(unit)
        graph.add_symbol(unit, attrs.pop("kind"), **{**attrs, "role": role})
    if domains is not None:
        graph.meta["domains"] = domains
    return graph


def site() -> CodeGraph:
    """Two Django apps (`checks`, `billing`), each with models, services, views and admin;
    an API package that mirrors them; settings, a migration-free manage.py beside the package."""
    files = {"manage.py": "import sys\n", "hc/__init__.py": "", "hc/settings.py": "DEBUG = False\n",
             "hc/api/__init__.py": "", "hc/api/v1/__init__.py": ""}
    for app in ("checks", "billing"):
        files.update({
            f"hc/{app}/__init__.py": "",
            f"hc/{app}/models.py": "class Record:\n    pass\n",
            f"hc/{app}/services.py": f"from hc.{app}.models import Record\n"
                                     f"def run():\n    Record(); step(); step()\ndef step(): pass\n" + CHATTY,
            f"hc/{app}/views.py": f"from hc.{app} import services\ndef page(): services.run()\n",
            f"hc/{app}/admin.py": f"from hc.{app}.models import Record\n",
            f"hc/api/v1/{app}.py": f"from hc.{app} import services\n"
                                   f"def endpoint(): services.run(); services.step()\n",
        })
    graph = graph_of(files)
    roles = {"hc.settings": "settings", "manage": "entry-point"}
    for app in ("checks", "billing"):
        roles.update({f"hc.{app}.models": "model", f"hc.{app}.views": "view", f"hc.{app}.admin": "admin",
                      f"hc.api.v1.{app}": "view"})
    domains = [{"name": "checks", "kind": "django-app", "package": "hc.checks"},
               {"name": "payments", "kind": "django-app", "package": "hc.billing"}]
    return with_roles(graph, roles, domains)


def test_the_web_layer_settings_and_admin_stay_in_the_monolith() -> None:
    placement = propose(site())
    for unit in ("hc.settings", "manage", "hc.checks.views", "hc.checks.admin", "hc.api.v1.checks"):
        assert placement.place_of(unit) == MONOLITH, unit


def test_services_are_the_declared_apps_named_by_their_labels() -> None:
    placement = propose(site())
    assert placement.services() == ["checks", "payments"]
    assert {placement.place_of(u) for u in ("hc.billing.models", "hc.billing.services")} == {"payments"}
    assert {placement.place_of(u) for u in ("hc.checks.models", "hc.checks.services")} == {"checks"}


def test_cluster_web_puts_views_with_their_domain() -> None:
    placement = propose(site(), options=ProposeOptions(keep_web=False))
    assert placement.place_of("hc.checks.views") == "checks"
    assert placement.place_of("hc.settings") == MONOLITH  # only the web layer is clustered


def test_a_mirrored_tree_goes_with_its_domain() -> None:
    domains = domain_map(site(), site().nodes("module"))
    assert (domains["hc.api.v1.checks"].name, domains["hc.api.v1.checks"].how) == ("checks", "mirror")
    assert domains["hc.billing.services"].name == "payments"  # the app's label, not its folder


def test_domains_look_through_layer_folders_but_not_into_plain_modules() -> None:
    units = ["proj", "proj.utils", "proj.utils.user", "proj.utils.user.auth", "proj.utils.helpers",
             "proj.orders", "proj.orders.checkout", "manage", "docs.conf"]
    domains = domain_map(CodeGraph(), units)
    assert domains["proj.utils.user.auth"].name == "user"
    assert domains["proj.utils.helpers"].name == "utils"
    assert domains["proj.orders.checkout"].name == "orders"
    assert domains["manage"].name == "manage"


def test_the_same_names_whether_src_is_the_project_root_or_the_package() -> None:
    """Module names start at the import root either way; what differs is the code beside the
    package (manage.py here), which must not shift the domains' depth."""
    with_root = site()
    package_only = CodeGraph.from_json(with_root.to_json())
    package_only = CodeGraph.from_json({**with_root.to_json(),
                                        "nodes": [n for n in with_root.to_json()["nodes"] if n["id"] != "manage"],
                                        "edges": [e for e in with_root.to_json()["edges"] if "manage" not in
                                                  (e["source"], e["target"])]})
    assert "manage" in with_root and "manage" not in package_only
    assert propose(with_root).services() == propose(package_only).services() == ["checks", "payments"]


def test_a_service_without_operations_joins_its_strongest_neighbour() -> None:
    graph = graph_of({
        "app/__init__.py": "",
        "app/orders/__init__.py": "",
        "app/orders/core.py": "from app.ledger.entries import Entry\n"
                              "def place():\n    Entry(); Entry(); Entry()\n" + CHATTY,
        "app/orders/more.py": "from app.orders import core\ndef again(): core.place()\n",
        "app/ledger/__init__.py": "",
        "app/ledger/entries.py": "class Entry:\n    def post(self): pass\n",
        "app/ledger/kinds.py": "from app.ledger.entries import Entry\nclass Kind(Entry):\n    pass\n",
    })
    placement = propose(graph)
    assert placement.services() == ["orders"]
    assert placement.place_of("app.ledger.entries") == "orders"


def test_names_are_never_numbered() -> None:
    """Two groups from one domain take the tables they write, or their package path."""
    chain = {"a": "b", "b": "c", "c": "d", "d": "a"}
    graph = graph_of({
        "app/__init__.py": "",
        "app/shop/__init__.py": "",
        "app/misc.py": "from app.shop import a\ndef helper(): a.a_op()\n",
        **{f"app/shop/{x}.py": f"from app.shop import {y}\ndef {x}_op():\n    {y}.{y}_op()\n" + CHATTY
           for x, y in chain.items()},
    })
    placement = propose(graph, options=ProposeOptions(services=2))  # the one domain must be split
    assert len(placement.services()) == 2
    assert not [s for s in placement.services() if re.search(r"-\d+$", s)], placement.services()
    assert all(s.startswith("shop") for s in placement.services())


def test_why_names_the_rule() -> None:
    graph = site()
    placement = propose(graph)
    assert explain(graph, placement, "hc.checks.views").rule == "web layer, role view: stays in the monolith by default"
    assert explain(graph, placement, "hc.billing.services").rule == "its domain: Django app 'payments' (hc.billing)"
    assert "(its domain: Django app 'payments'" in explain(graph, placement, "hc.billing.services").sentence()


def test_an_extension_module_is_shared() -> None:
    graph = with_roles(site(), {"hc.checks.models": "extension"})
    assert propose(graph).place_of("hc.checks.models") == SHARED


ASSETS = Path(__file__).resolve().parents[1] / "assets"


@pytest.mark.parametrize(("site", "package", "services"), [
    ("django_site", "shopsite", ["catalog", "shop-orders"]),  # the apps' labels; reviews has no operation
    ("flask_site", "blogapp", ["posts"]),  # layer modules only (models, services, tasks): the table they write
])
def test_proposals_on_the_sample_sites(site: str, package: str, services: list[str], tmp_path: Path) -> None:
    """End to end from source: roles keep the web layer, settings, commands, migrations and
    test helpers out of services, every service has an operation, names are the domains',
    and SRC as the project root or the package folder gives the same services."""
    found = []
    for src in (ASSETS / site, ASSETS / site / package):
        graph = analyze(src, tmp_path / src.name, AnalyzeOptions(use_cache=False, jobs=1)).load_graph()
        placement = propose(graph)
        for service in placement.services():
            members = placement.members(service)
            assert public_functions(graph, members), service
            assert not [m for m in members if unit_layer(graph, m) not in (None, "domain")], service
        found.append({s: placement.members(s) for s in placement.services()})
    assert found[0] == found[1]
    assert sorted(found[0]) == services


def test_signal_receivers_stay_with_the_framework_that_calls_them(tmp_path: Path) -> None:
    """A proxy would lose a receiver's registration: modules of signals stay in the monolith
    (and call the services), and receivers are not operations a service can be made of."""
    graph = analyze(ASSETS / "django_site", tmp_path / "out", AnalyzeOptions(use_cache=False, jobs=1)).load_graph()
    placement = propose(graph)
    for unit in ("shopsite.orders.receivers", "shopsite.orders.signals", "shopsite.catalog.signals"):
        assert placement.place_of(unit) == MONOLITH, unit
    assert "by registration" in explain(graph, placement, "shopsite.orders.receivers").rule
