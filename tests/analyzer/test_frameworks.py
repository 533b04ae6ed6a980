"""Framework roles, frameworks and declared domains (analyzer/frameworks/) on two sample
sites written as real apps would be (tests/assets/django_site and flask_site; never
imported), on snippets for shapes the sites leave out, and on the bundled shop."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.boundaries.placement import MONOLITH, Placement
from analyzer.boundaries.report import build_report, render_html, render_markdown
from analyzer.graph import CodeGraph
from analyzer.pipeline import AnalysisResult, AnalyzeOptions, analyze
from analyzer.roles import ROLE_LAYERS
from mono2lambda.cli import cli

from .snippets import graph_of

ASSETS = Path(__file__).resolve().parents[1] / "assets"
DJANGO = ASSETS / "django_site"
FLASK = ASSETS / "flask_site"
SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"

DJANGO_ROLES = {
    # the project: entry points, split settings, urlconf, middleware, context processor, Celery app
    "manage": "entry-point", "manage.main": "entry-point",
    "shopsite.wsgi": "entry-point", "shopsite.asgi": "entry-point", "shopsite.wsgi.application": "entry-point",
    "shopsite.settings": "settings", "shopsite.settings.base": "settings", "shopsite.settings.production": "settings",
    "shopsite.settings.base.INSTALLED_APPS": "settings",
    "shopsite.urls": "urls", "shopsite.urls.urlpatterns": "urls",
    "shopsite.middleware": "middleware", "shopsite.middleware.TimingMiddleware": "middleware",
    "shopsite.middleware.TimingMiddleware.__call__": "middleware",
    "shopsite.middleware.request_id_middleware": "middleware",
    "shopsite.context_processors": "context-processor",
    "shopsite.context_processors.cart_summary": "context-processor",
    "shopsite.celery": "extension", "shopsite.celery.app": "extension",
    # apps
    "shopsite.catalog.apps": "app-config", "shopsite.catalog.apps.CatalogConfig": "app-config",
    "shopsite.orders.apps.OrdersConfig": "app-config",
    # models: abstract bases, querysets, subclasses of local models, in a models module or not
    "shopsite.catalog.models": "model", "shopsite.catalog.models.TimeStamped": "model",
    "shopsite.catalog.models.TimeStamped.Meta": "model", "shopsite.catalog.models.PublishedQuerySet": "model",
    "shopsite.catalog.models.Product": "model", "shopsite.catalog.models.DigitalProduct": "model",
    "shopsite.catalog.models.Category.save": "model", "shopsite.orders.models.Order": "model",
    "shopsite.orders.models.OrderLine": "model", "shopsite.reviews.models.Review": "model",
    "shopsite.reviews.views": "model", "shopsite.reviews.views.ModeratedReview": "model",
    # views: function views, decorated ones, class-based views, DRF viewsets, @api_view, permissions
    "shopsite.catalog.views": "view", "shopsite.catalog.views.product_list": "view",
    "shopsite.catalog.views.publish": "view", "shopsite.catalog.views.ProductListView": "view",
    "shopsite.catalog.views.ProductDetailView": "view", "shopsite.orders.views.CheckoutView.post": "view",
    "shopsite.orders.views.order_history": "view", "shopsite.catalog.api": "view",
    "shopsite.catalog.api.ProductViewSet": "view", "shopsite.catalog.api.ProductViewSet.publish": "view",
    "shopsite.catalog.api.CategoryViewSet": "view", "shopsite.catalog.api.catalog_stats": "view",
    "shopsite.catalog.api.IsStaffOrReadOnly": "view",
    # the rest of the web layer
    "shopsite.catalog.serializers": "serializer", "shopsite.catalog.serializers.ProductSerializer": "serializer",
    "shopsite.catalog.urls": "urls", "shopsite.catalog.urls.router": "urls", "shopsite.orders.urls": "urls",
    "shopsite.catalog.forms": "form", "shopsite.catalog.forms.ProductForm": "form",
    "shopsite.catalog.forms.SearchForm": "form",
    "shopsite.catalog.templatetags.catalog_tags": "template-tag",
    "shopsite.catalog.templatetags.catalog_tags.price": "template-tag",
    "shopsite.catalog.templatetags.catalog_tags.cart_count": "template-tag",
    "shopsite.catalog.templatetags.catalog_tags.register": "template-tag",
    # admin, commands, tasks, signals, test helpers
    "shopsite.catalog.admin": "admin", "shopsite.catalog.admin.ProductAdmin": "admin",
    "shopsite.catalog.admin.ProductAdmin.make_published": "admin",
    "shopsite.catalog.management.commands.import_products": "command",
    "shopsite.catalog.management.commands.import_products.Command": "command",
    "shopsite.catalog.management.commands.import_products.read_rows": "command",
    "shopsite.catalog.tasks": "task", "shopsite.catalog.tasks.refresh_search_index": "task",
    "shopsite.catalog.tasks.rebuild_catalog": "task",
    "shopsite.catalog.signals": "signal", "shopsite.catalog.signals.product_published": "signal",
    "shopsite.catalog.signals.reindex_product": "signal", "shopsite.catalog.signals.announce": "signal",
    "shopsite.orders.signals.order_placed": "signal", "shopsite.orders.receivers": "signal",
    "shopsite.orders.receivers.send_confirmation": "signal",
    "shopsite.catalog.factories": "test-helper", "shopsite.catalog.factories.ProductFactory": "test-helper",
    "shopsite.catalog.testing": "test-helper", "shopsite.catalog.testing.CatalogTestCase": "test-helper",
    "shopsite.catalog.testing.product": "test-helper",
    # plain code keeps no role
    "shopsite": None, "shopsite.catalog": None, "shopsite.orders.services": None,
    "shopsite.orders.services.place_order": None, "shopsite.catalog.models.price_with_tax": None,
    "shopsite.catalog.views._paginate": None,
}
FLASK_ROLES = {
    "wsgi": "entry-point", "wsgi.app": "entry-point",
    "config": "config", "config.Config": "config", "config.DevelopmentConfig": "config",
    "config.ProductionConfig": "config", "config.Config.init_app": "config",
    # the factory and what it registers
    "blogapp": "app-factory", "blogapp.create_app": "app-factory",
    "blogapp.create_app.<locals>.index": "view", "blogapp.create_app.<locals>.not_found": "view",
    "blogapp.create_app.<locals>.seed": "command", "blogapp._open_request": "middleware",
    # extensions and models
    "blogapp.extensions": "extension", "blogapp.extensions.db": "extension",
    "blogapp.extensions.migrate": "extension", "blogapp.extensions.login_manager": "extension",
    "blogapp.extensions.cache": "extension", "blogapp.extensions.celery": "extension",
    "blogapp.models": "model", "blogapp.models.User": "model", "blogapp.models.Post": "model",
    "blogapp.models.User.set_password": "model", "blogapp.models.TimestampMixin": None,
    # blueprints: one in a package __init__, one in a plain module with routes and a MethodView
    "blogapp.auth": "blueprint", "blogapp.auth.bp": "blueprint",
    "blogapp.auth.routes": "view", "blogapp.auth.routes.login": "view", "blogapp.auth.routes.logout": "view",
    "blogapp.auth.forms": "form", "blogapp.auth.forms.LoginForm": "form",
    "blogapp.posts": "view", "blogapp.posts.posts_bp": "blueprint", "blogapp.posts.list_posts": "view",
    "blogapp.posts.PostAPI": "view", "blogapp.posts.PostAPI.get": "view",
    # CLI, tasks, GraphQL, FastAPI
    "blogapp.cli": "command", "blogapp.cli.admin_cli": "command", "blogapp.cli.create_user": "command",
    "blogapp.cli.user_cli": "command", "blogapp.cli.count_users": "command",
    "blogapp.tasks": "task", "blogapp.tasks.send_digest": "task", "blogapp.tasks.purge_drafts": "task",
    "blogapp.graphql.schema": "resolver", "blogapp.graphql.schema.Query": "resolver",
    "blogapp.graphql.schema.Query.resolve_posts": "resolver", "blogapp.graphql.schema.CreatePost": "resolver",
    "blogapp.graphql.schema.CreatePost.mutate": "resolver", "blogapp.graphql.schema.schema": "resolver",
    "blogapp.graphql.stats": "resolver", "blogapp.graphql.stats.Stats": "resolver",
    "blogapp.graphql.stats.StatsQuery.stats": "resolver", "blogapp.graphql.stats.stats_schema": "resolver",
    "blogapp.api.router": "view", "blogapp.api.router.router": "blueprint",
    "blogapp.api.router.post_count": "view", "blogapp.api.router.create_api": "app-factory",
    # plain code
    "blogapp.services": None, "blogapp.services.publish": None, "blogapp.api": None,
}
DJANGO_DOMAINS = [
    {"name": "catalog", "kind": "django-app", "package": "shopsite.catalog", "file": "shopsite/catalog/apps.py",
     "line": 4, "declared": "app-config"},
    {"name": "shop_orders", "kind": "django-app", "package": "shopsite.orders", "file": "shopsite/orders/apps.py",
     "line": 4, "declared": "app-config"},
    {"name": "reviews", "kind": "django-app", "package": "shopsite.reviews", "file": "shopsite/reviews/__init__.py",
     "line": 1, "declared": "installed-apps"},
]
FLASK_DOMAINS = [
    {"name": "stats", "kind": "router", "package": "blogapp.api.router", "file": "blogapp/api/router.py", "line": 6,
     "declared": "instance"},
    {"name": "auth", "kind": "blueprint", "package": "blogapp.auth", "file": "blogapp/auth/__init__.py", "line": 4,
     "declared": "instance"},
    {"name": "posts", "kind": "blueprint", "package": "blogapp.posts", "file": "blogapp/posts.py", "line": 8,
     "declared": "instance"},
]


def _analyze(src: Path, out: Path, include_migrations: bool = False) -> AnalysisResult:
    return analyze(src, out, AnalyzeOptions(use_cache=False, jobs=1, include_migrations=include_migrations))


@pytest.fixture(scope="module")
def django(tmp_path_factory: pytest.TempPathFactory) -> AnalysisResult:
    return _analyze(DJANGO, tmp_path_factory.mktemp("django"))


@pytest.fixture(scope="module")
def flask(tmp_path_factory: pytest.TempPathFactory) -> AnalysisResult:
    return _analyze(FLASK, tmp_path_factory.mktemp("flask"))


def _wrong_roles(graph: CodeGraph, expected: Mapping[str, str | None]) -> dict[str, tuple[str | None, str | None]]:
    missing = {node: ("<no such node>", role) for node, role in expected.items() if node not in graph}
    wrong = {node: (graph.attr(node, "role"), role) for node, role in expected.items()
             if node in graph and graph.attr(node, "role") != role}
    return missing | wrong


@pytest.mark.parametrize(("site", "expected"), [("django", DJANGO_ROLES), ("flask", FLASK_ROLES)])
def test_every_shape_gets_its_role(site: str, expected: dict[str, str | None], request: pytest.FixtureRequest) -> None:
    graph = request.getfixturevalue(site).load_graph()
    assert _wrong_roles(graph, expected) == {}, "(found, expected) per node"


@pytest.mark.parametrize("site", ["django", "flask"])
def test_roles_come_from_the_vocabulary(site: str, request: pytest.FixtureRequest) -> None:
    graph = request.getfixturevalue(site).load_graph()
    roles = {graph.attr(n, "role") for n in graph.nodes()} - {None}
    assert roles <= set(ROLE_LAYERS)
    assert all(graph.attr(n, "kind") in ("module", "class", "function", "method", "variable")
               for n in graph.nodes() if graph.attr(n, "role"))


def test_django_frameworks_and_apps(django: AnalysisResult) -> None:
    graph = django.load_graph()
    frameworks = graph.meta["frameworks"]
    assert sorted(frameworks) == ["celery", "django", "drf"]
    found = frameworks["django"]
    assert found["settings"] == ["shopsite.settings", "shopsite.settings.base", "shopsite.settings.production"]
    assert found["root_urlconf"] == "shopsite.urls"
    assert found["installed_apps"][:2] == ["django.contrib.admin", "django.contrib.auth"]
    assert found["installed_apps"][-6:] == ["shopsite", "shopsite.catalog.apps.CatalogConfig", "shopsite.orders",
                                            "shopsite.reviews", "django.contrib.sitemaps", "storages"]
    assert found["entry_points"] == ["manage.py", "shopsite/asgi.py", "shopsite/wsgi.py"]
    assert found["apps"] == ["catalog", "reviews", "shop_orders"]
    assert found["roles"]["model"] >= 8 and found["roles"]["view"] >= 6
    assert frameworks["drf"]["roles"] == {"serializer": 2, "urls": 1, "view": 5}
    assert frameworks["celery"]["apps"] == ["shopsite.celery.app"]
    assert frameworks["celery"]["roles"]["task"] == 2
    assert graph.meta["domains"] == DJANGO_DOMAINS


def test_flask_frameworks_and_blueprints(flask: AnalysisResult) -> None:
    graph = flask.load_graph()
    frameworks = graph.meta["frameworks"]
    assert sorted(frameworks) == ["celery", "fastapi", "flask", "graphene", "sqlalchemy", "strawberry"]
    assert frameworks["flask"]["apps"] == ["blogapp.create_app"]
    assert frameworks["flask"]["blueprints"] == [
        {"name": "auth", "variable": "blogapp.auth.bp", "module": "blogapp.auth"},
        {"name": "posts", "variable": "blogapp.posts.posts_bp", "module": "blogapp.posts"}]
    assert frameworks["fastapi"]["apps"] == ["blogapp.api.router.create_api"]
    assert frameworks["fastapi"]["routers"] == [
        {"name": "stats", "variable": "blogapp.api.router.router", "module": "blogapp.api.router"}]
    assert frameworks["sqlalchemy"]["roles"] == {"model": 2}
    assert frameworks["graphene"]["roles"]["resolver"] >= 4 and frameworks["strawberry"]["roles"]["resolver"] >= 3
    assert graph.meta["domains"] == FLASK_DOMAINS


@pytest.mark.parametrize(("site", "skipped"), [("django", 4), ("flask", 2)])
def test_migrations_are_left_out_and_counted(site: str, skipped: int, request: pytest.FixtureRequest) -> None:
    result = request.getfixturevalue(site)
    graph = result.load_graph()
    assert result.summary["migrations_skipped"] == skipped
    assert not [n for n in graph.nodes("module") if "migrations" in n]
    assert "migration" not in result.summary["module_layers"]


def test_migrations_are_analyzed_with_the_flag(tmp_path: Path) -> None:
    django = _analyze(DJANGO, tmp_path / "django", include_migrations=True)
    flask = _analyze(FLASK, tmp_path / "flask", include_migrations=True)
    expected = {
        "shopsite.catalog.migrations": "migration", "shopsite.catalog.migrations.0001_initial": "migration",
        "shopsite.catalog.migrations.0001_initial.Migration": "migration",
        "shopsite.catalog.migrations.0001_initial.seed_categories": "migration",
        "shopsite.orders.migrations.0001_initial.Migration": "migration",
    }
    assert _wrong_roles(django.load_graph(), expected) == {}
    assert _wrong_roles(flask.load_graph(), {
        "migrations.env": "migration", "migrations.env.run_migrations_online": "migration",
        "migrations.versions.1a2b3c4d5e6f_create_posts": "migration",
        "migrations.versions.1a2b3c4d5e6f_create_posts.upgrade": "migration",
        "migrations.versions.1a2b3c4d5e6f_create_posts.revision": "migration"}) == {}
    assert django.summary["migrations_skipped"] == flask.summary["migrations_skipped"] == 0
    assert django.summary["module_layers"]["migration"] == 4


def test_alembic_versions_beside_env_py_are_migrations(tmp_path: Path) -> None:
    root = tmp_path / "service"
    (root / "alembic" / "versions").mkdir(parents=True)
    (root / "app.py").write_text("def handler(event):\n    return event\n", encoding="utf-8")
    (root / "alembic" / "env.py").write_text("from alembic import context\n\ncontext.run_migrations()\n",
                                             encoding="utf-8")
    (root / "alembic" / "versions" / "0001_first.py").write_text(
        "from alembic import op\n\nrevision = '0001'\ndown_revision = None\n\n\n"
        "def upgrade():\n    op.create_table('t')\n", encoding="utf-8")
    (root / "versions").mkdir()  # a `versions` folder without an env.py beside it is ordinary code
    (root / "versions" / "v2.py").write_text("NAME = 'v2'\n", encoding="utf-8")
    (root / "tools" / "migrations").mkdir(parents=True)  # so is a `migrations` package of tooling code
    (root / "tools" / "migrations" / "runner.py").write_text("def run(plan):\n    return plan\n", encoding="utf-8")
    result = _analyze(root, tmp_path / "out")
    graph = result.load_graph()
    assert result.summary["migrations_skipped"] == 1
    assert graph.nodes("module") == ["alembic.env", "app", "tools.migrations.runner", "versions.v2"]
    assert graph.attr("alembic.env", "role") == "migration" and graph.attr("app", "role") is None
    assert graph.attr("tools.migrations.runner", "role") is None
    with_flag = _analyze(root, tmp_path / "out2", include_migrations=True).load_graph()
    assert with_flag.attr("alembic.versions.0001_first", "role") == "migration"


@pytest.mark.parametrize(("site", "package"), [(DJANGO, "shopsite"), (FLASK, "blogapp")])
def test_domains_are_the_same_from_the_root_or_the_package_folder(site: Path, package: str, tmp_path: Path) -> None:
    from_root = _analyze(site, tmp_path / "root").load_graph().meta["domains"]
    from_package = _analyze(site / package, tmp_path / "package").load_graph().meta["domains"]
    assert [{**d, "file": f"{package}/{d['file']}"} for d in from_package] == from_root  # files are relative to SRC
    assert from_root == (DJANGO_DOMAINS if site == DJANGO else FLASK_DOMAINS)


def test_domains_follow_module_names_that_carry_more_packages(tmp_path: Path) -> None:
    """Settings name `shopsite.orders`; in a copy whose root is itself a package the graph says
    `django_site.shopsite.orders`: the apps are found all the same, with the graph's names."""
    copy = tmp_path / "django_site"
    shutil.copytree(DJANGO, copy)
    (copy / "__init__.py").write_text("", encoding="utf-8")
    graph = _analyze(copy, tmp_path / "out").load_graph()
    domains = graph.meta["domains"]
    assert [(d["name"], d["package"]) for d in domains] == [(d["name"], f"django_site.{d['package']}")
                                                           for d in DJANGO_DOMAINS]
    assert graph.attr("django_site.shopsite.middleware.TimingMiddleware", "role") == "middleware"
    assert graph.attr("django_site.shopsite.context_processors.cart_summary", "role") == "context-processor"


@pytest.mark.parametrize("site", [DJANGO, FLASK])
def test_the_graph_file_is_deterministic(site: Path, tmp_path: Path) -> None:
    first = _analyze(site, tmp_path / "a", include_migrations=True).graph_path.read_bytes()
    second = analyze(site, tmp_path / "b", AnalyzeOptions(use_cache=False, jobs=2,
                                                          include_migrations=True)).graph_path.read_bytes()
    assert first == second
    assert b'"role":' in first and b'"frameworks":' in first and b'"domains":' in first


def test_the_terminal_summary_names_frameworks_domains_layers_and_migrations(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["analyze", str(DJANGO), "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Frameworks: celery, django, drf; 3 declared domains; modules by layer: web 12, config 8," in text
    assert "Migrations: 4 files left out (--include-migrations analyzes them)" in text
    again = CliRunner().invoke(cli, ["analyze", str(DJANGO), "--out", str(tmp_path / "out"), "--jobs", "1",
                                     "--include-migrations", "--format", "json"])
    summary = json.loads(again.stdout)
    assert summary["migrations_skipped"] == 0 and summary["module_layers"]["migration"] == 4
    assert summary["frameworks"] == ["celery", "django", "drf"] and summary["domains"] == 3


def test_the_report_shows_roles_frameworks_and_domains(django: AnalysisResult) -> None:
    graph = django.load_graph()
    model = build_report(graph, Placement(dict.fromkeys(graph.nodes("module"), MONOLITH)))
    rows = {row.unit: row for row in model.modules}
    assert rows["shopsite.catalog.views"].role == "view (web)"
    assert rows["shopsite.orders.services"].role == ""
    assert [f.name for f in model.frameworks] == ["celery", "django", "drf"]
    assert [(d.name, d.kind, d.package) for d in model.domains] == [
        (d["name"], d["kind"], d["package"]) for d in DJANGO_DOMAINS]
    html, markdown = render_html(model), render_markdown(model)
    assert 'id="frameworks"' in html and '<span class="tag role">view</span>' in html
    assert "shop_orders" in html and "http://" not in html and html.count("<script") == 1  # the page's own
    assert "\n## Frameworks\n" in markdown and "| `shopsite.catalog.views` | view (web) |" in markdown


def test_the_shop_gets_web_and_domain_roles(tmp_path: Path) -> None:
    graph = _analyze(SHOP, tmp_path).load_graph()
    roles = {m: graph.attr(m, "role") for m in graph.nodes("module")}
    assert {m for m, r in roles.items() if r == "view"} == {
        "shop.web.accounts_api", "shop.web.app", "shop.web.cart_api", "shop.web.catalog_api", "shop.web.orders_api"}
    assert all(r == "model" for m, r in roles.items() if m.endswith(".models"))
    assert roles["shop.common.db"] == "extension" and roles["shop.orders.checkout"] is None
    assert graph.attr("shop.web.app.create_app", "role") == "app-factory"
    assert [d["name"] for d in graph.meta["domains"]] == ["accounts", "cart", "catalog", "orders"]
    assert sorted(graph.meta["frameworks"]) == ["flask", "sqlalchemy"]


# -- shapes the sample sites leave out --------------------------------------------------------
def test_routes_on_an_app_handed_in_as_a_parameter() -> None:
    graph = graph_of({"web/routes.py": """
        def register(app):
            @app.route("/ping")
            def ping():
                return "pong"

            @app.get("/health")
            def health():
                return "ok"
        """})
    assert graph.attr("web.routes.register.<locals>.ping", "role") == "view"
    assert graph.attr("web.routes.register.<locals>.health", "role") == "view"
    assert graph.attr("web.routes.register", "role") is None


def test_sqlalchemy_declarative_bases_and_their_models() -> None:
    graph = graph_of({
        "db/base.py": """
            from sqlalchemy.orm import DeclarativeBase, declarative_base

            class Base(DeclarativeBase):
                pass

            Legacy = declarative_base()
            """,
        "db/models.py": """
            from sqlalchemy import Column, Integer
            from .base import Base, Legacy

            class Account(Base):
                __tablename__ = "accounts"
                id = Column(Integer, primary_key=True)

            class Audit(Legacy):
                __tablename__ = "audit"
                id = Column(Integer, primary_key=True)

            class Premium(Account):
                pass
            """,
    })
    assert graph.attr("db.base.Base", "role") == "extension"
    assert graph.attr("db.base.Legacy", "role") == "extension"
    assert graph.attr("db.base", "role") == "extension"
    for model in ("db.models.Account", "db.models.Audit", "db.models.Premium"):
        assert graph.attr(model, "role") == "model", model
    assert graph.meta["frameworks"]["sqlalchemy"]["roles"] == {"extension": 2, "model": 3}


def test_settings_lists_grown_by_append_and_names_from_star_imports() -> None:
    graph = graph_of({
        "proj/settings/base.py": """
            CORE = ["django.contrib.auth"]
            LOCAL = ["proj.billing"]
            INSTALLED_APPS = CORE + LOCAL
            """,
        "proj/settings/dev.py": """
            from .base import *
            INSTALLED_APPS.append("proj.tools")
            DEBUG = True
            """,
        "proj/billing/__init__.py": "",
        "proj/billing/models.py": "from django.db import models\n\nclass Invoice(models.Model):\n    pass\n",
        "proj/tools/__init__.py": "",
        "proj/tools/helpers.py": "def noop():\n    return None\n",
    })
    django = graph.meta["frameworks"]["django"]
    assert django["installed_apps"] == ["django.contrib.auth", "proj.billing", "proj.tools"]
    assert django["settings"] == ["proj.settings.base", "proj.settings.dev"]
    assert [(d["name"], d["package"]) for d in graph.meta["domains"]] == [("billing", "proj.billing"),
                                                                          ("tools", "proj.tools")]


def test_plain_code_has_no_role_and_no_frameworks() -> None:
    graph = graph_of({"pkg/__init__.py": "", "pkg/views.py": "def render(x):\n    return str(x)\n",
                      "pkg/models.py": "class Thing:\n    pass\n"})
    assert all(graph.attr(n, "role") is None for n in graph.nodes())
    assert graph.meta["frameworks"] == {} and graph.meta["domains"] == []
