"""Framework roles: what each module, class, function and variable is *for*, read from the
source alone (facts of every file; nothing is imported or run).

Later stages decide by layer (`roles.py`): views and settings stay in the monolith, models
and tasks make services. So this module names, for Django, Django REST framework, Flask,
FastAPI, Celery, SQLAlchemy, Graphene and Strawberry, the role of each definition, the role
of each module as a whole, the frameworks in use and the domains the developers declared
(Django apps, Flask blueprints, FastAPI routers). Pure and linear in the size of the facts.

A definition's role, first found wins:
1. its decorators (`@bp.route`, `@shared_task`, `@receiver`, `@admin.register`, `@pytest.fixture`);
2. for a class, its bases, followed through local classes (`class Post(TimeStamped)`);
3. its shape: app factories, `*Config` classes of UPPER_CASE settings, function views (first
   parameter `request`) in a views module, classes mapped to a table;
4. what other code does with it: `urlpatterns`, `add_url_rule`, `signal.connect(f)`,
   `admin.site.register(M, A)`, DRF routers, settings' MIDDLEWARE and context processors.
Methods and nested code without a role take their parent's; top-level code without one takes
its module's when the whole file is of one kind (`MODULE_WIDE`: migrations, commands, ...).

A module's role (`_module_role`, documented in docs/graph-format.md): its location when that
decides (migrations/, management/commands/, templatetags/, manage/wsgi/asgi, Alembic
revisions, Django settings); otherwise its content (`pick_role`: roles that stay in the
monolith outrank domain and library ones, then the name convention, the largest layer, the
most common role); a module with no framework content keeps its conventional role (views.py,
models.py, ...) only when a framework is in use. Plain modules get none.
"""

from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .facts import Definition, Expr, FileFacts, Variable
from .roles import ROLE_LAYERS
from .sources import migration_folders

Tag = tuple[str, str | None]  # (role, framework that gave it)

FRAMEWORK_PACKAGES = {
    "django": "django", "rest_framework": "drf", "flask": "flask", "celery": "celery",
    "graphene": "graphene", "graphene_django": "graphene", "graphene_sqlalchemy": "graphene",
    "strawberry": "strawberry", "strawberry_django": "strawberry", "fastapi": "fastapi",
    "sqlalchemy": "sqlalchemy", "flask_sqlalchemy": "sqlalchemy", "sqlmodel": "sqlalchemy",
}
BUILTIN_NAMES = frozenset(dir(builtins))
MAX_DEPTH = 40  # name lookups in progress at once (imports of imports of variables ...)

# -- classes: bases by dotted prefix (more specific first) ---------------------------------
BASE_RULES: tuple[tuple[str, str, str | None], ...] = (
    ("django.db.migrations.", "migration", "django"),
    ("django.contrib.admin.", "admin", "django"),
    ("django.apps.", "app-config", "django"),
    ("django.core.management.", "command", "django"),
    ("django.utils.deprecation.MiddlewareMixin", "middleware", "django"),
    ("django.test.", "test-helper", "django"),
    ("django.views.", "view", "django"),
    ("django.contrib.auth.views.", "view", "django"),
    ("django.forms.", "form", "django"),
    ("django.contrib.auth.forms.", "form", "django"),
    ("django.template.", "template-tag", "django"),
    ("django.db.models.", "model", "django"),
    ("django.contrib.auth.models.", "model", "django"),
    ("django.contrib.auth.base_user.", "model", "django"),
    ("django.contrib.gis.db.models.", "model", "django"),
    ("django_filters.", "form", "django"),
    ("rest_framework.serializers.", "serializer", "drf"),
    ("rest_framework.test.", "test-helper", "drf"),
    *((f"rest_framework.{m}.", "view", "drf") for m in (
        "views", "generics", "viewsets", "mixins", "permissions", "pagination", "authentication",
        "throttling", "renderers", "parsers", "filters", "metadata", "versioning")),
    ("graphene", "resolver", "graphene"),  # graphene, graphene_django, graphene_sqlalchemy
    ("strawberry.", "resolver", "strawberry"),
    ("flask.views.", "view", "flask"),
    ("flask_restful.", "view", "flask"),
    ("flask_restx.", "view", "flask"),
    ("flask_wtf.", "form", "flask"),
    ("wtforms.", "form", "flask"),
    ("flask_testing.", "test-helper", "flask"),
    ("marshmallow.", "serializer", None),
    ("marshmallow_sqlalchemy.", "serializer", None),
    ("flask_marshmallow.", "serializer", "flask"),
    ("starlette.middleware.", "middleware", "fastapi"),
    ("sqlmodel.SQLModel", "model", "sqlalchemy"),
    ("pydantic_settings.", "config", None),
    ("pydantic.BaseSettings", "config", None),
    ("unittest.", "test-helper", None),
    ("factory.", "test-helper", None),
)
PACKAGE_BASES = (  # other packages' bases by module and class name (allauth's LoginForm, MPTTModel)
    ("models", ("Model",), "model"), ("views", ("View", "ViewSet"), "view"), ("forms", ("Form",), "form"),
    ("serializers", ("Serializer",), "serializer"), ("admin", ("Admin",), "admin"),
)
DECLARATIVE_BASES = frozenset({"DeclarativeBase", "DeclarativeBaseNoMeta"})
MODEL_MARKERS = ("declarative_base()", "SQLAlchemy().Model", "generate_base()")
BASE_NAMES: dict[str, Tag] = {  # bases whose import could not be followed (star imports)
    **dict.fromkeys(("ModelViewSet", "ReadOnlyModelViewSet", "GenericViewSet", "ViewSet", "APIView",
                     "GenericAPIView"), ("view", "drf")),
    **dict.fromkeys(("ModelSerializer", "HyperlinkedModelSerializer"), ("serializer", "drf")),
    **dict.fromkeys(("TemplateView", "ListView", "DetailView", "CreateView", "UpdateView", "DeleteView",
                     "FormView", "RedirectView"), ("view", "django")),
    "MethodView": ("view", "flask"), "ModelForm": ("form", "django"), "FlaskForm": ("form", "flask"),
    "ModelAdmin": ("admin", "django"), "AppConfig": ("app-config", "django"),
    "BaseCommand": ("command", "django"), "MiddlewareMixin": ("middleware", "django"),
    "DjangoObjectType": ("resolver", "graphene"), "TestCase": ("test-helper", None),
}

# -- decorators and registrations on instances: (package, class) of the instance ----------
APP_CLASSES: dict[tuple[str, str], str] = {
    ("flask", "Flask"): "flask", ("flask", "Blueprint"): "flask", ("quart", "Quart"): "flask",
    ("quart", "Blueprint"): "flask", ("flask_smorest", "Blueprint"): "flask", ("flask_restx", "Namespace"): "flask",
    ("flask_restx", "Api"): "flask", ("flask_restful", "Api"): "flask",
    ("fastapi", "FastAPI"): "fastapi", ("fastapi", "APIRouter"): "fastapi",
}
APPLICATIONS = {("flask", "Flask"): "flask", ("quart", "Quart"): "flask", ("fastapi", "FastAPI"): "fastapi",
                ("celery", "Celery"): "celery"}
BLUEPRINTS = {("flask", "Blueprint"): "blueprint", ("quart", "Blueprint"): "blueprint",
              ("flask_smorest", "Blueprint"): "blueprint", ("flask_restx", "Namespace"): "blueprint",
              ("fastapi", "APIRouter"): "router"}
APP_METHODS: dict[str, str] = {
    **dict.fromkeys(("route", "get", "post", "put", "patch", "delete", "head", "options", "websocket",
                     "api_route", "endpoint", "errorhandler", "app_errorhandler", "exception_handler"), "view"),
    **dict.fromkeys(("before_request", "after_request", "teardown_request", "before_app_request",
                     "after_app_request", "teardown_app_request", "middleware"), "middleware"),
    **dict.fromkeys(("context_processor", "app_context_processor"), "context-processor"),
    **dict.fromkeys(("template_filter", "app_template_filter", "template_global", "app_template_global",
                     "template_test"), "template-tag"),
    **dict.fromkeys(("cli.command", "cli.group"), "command"),
}
INSTANCE_METHODS: dict[tuple[str, str], dict[str, str]] = {
    ("celery", "Celery"): {"task": "task"},
    ("click", "Group"): {"command": "command", "group": "command"},
    ("flask", "AppGroup"): {"command": "command", "group": "command"},
    ("typer", "Typer"): {"command": "command", "callback": "command"},
    ("flask_script", "Manager"): {"command": "command", "option": "command"},
    ("django", "Library"): dict.fromkeys(("filter", "simple_tag", "inclusion_tag", "tag", "assignment_tag"),
                                         "template-tag"),
    ("django", "AdminSite"): {"register": "admin"},
    ("sqlalchemy", "registry"): {"mapped": "model", "mapped_as_dataclass": "model"},
}
INSTANCE_FRAMEWORK = {"celery": "celery", "django": "django", "sqlalchemy": "sqlalchemy", "flask": "flask"}
FUNCTION_DECORATORS: dict[tuple[str, str], Tag] = {  # (package, name) of a decorator function
    ("celery", "shared_task"): ("task", "celery"), ("celery", "task"): ("task", "celery"),
    ("dramatiq", "actor"): ("task", None),
    ("django", "receiver"): ("signal", "django"),
    ("rest_framework", "api_view"): ("view", "drf"), ("rest_framework", "action"): ("view", "drf"),
    ("pytest", "fixture"): ("test-helper", None),
    ("click", "command"): ("command", None), ("click", "group"): ("command", None),
    ("invoke", "task"): ("command", None),  # `invoke` tasks are command-line tasks, not Celery's
    ("flask_login", "login_required"): ("view", "flask"),
    ("flask_jwt_extended", "jwt_required"): ("view", "flask"),
}
DJANGO_VIEW_DECORATORS = (".views.decorators.", ".auth.decorators.")
ADMIN_DECORATORS = frozenset({"django.contrib.admin.register", "django.contrib.admin.display",
                              "django.contrib.admin.action", "django.contrib.admin.decorators.register"})
WEB_OBJECT_NAMES = frozenset({"app", "bp", "blueprint", "router", "api", "ns", "application"})

# -- calls that hand a definition to a framework: method -> (argument index, keyword, role) --
REGISTRATIONS: dict[str, tuple[int, str | None, str]] = {
    "add_url_rule": (2, "view_func", "view"), "register_error_handler": (1, None, "view"),
    "add_api_route": (1, "endpoint", "view"), "add_middleware": (0, None, "middleware"),
    **dict.fromkeys(("before_request", "after_request", "teardown_request", "before_app_request"),
                    (0, None, "middleware")),
    "context_processor": (0, None, "context-processor"), "add_template_filter": (0, None, "template-tag"),
    "add_command": (0, None, "command"), "connect": (0, "receiver", "signal"), "register": (1, None, "view"),
}
MODULE_SHAPES = {"add_url_rule": "urls", "add_api_route": "urls", "register": "urls", "connect": "signal"}
ROUTERS = frozenset({"DefaultRouter", "SimpleRouter", "ExtendedSimpleRouter", "NestedSimpleRouter"})

# -- variables: (package, class) of the instance -> role ---------------------------------
VARIABLE_CLASSES: dict[tuple[str, str], Tag] = {
    ("django", "Signal"): ("signal", "django"), ("blinker", "signal"): ("signal", "flask"),
    ("django", "Library"): ("template-tag", "django"),
    ("graphene", "Schema"): ("resolver", "graphene"), ("strawberry", "Schema"): ("resolver", "strawberry"),
    ("click", "Group"): ("command", None), ("flask", "AppGroup"): ("command", "flask"),
    ("typer", "Typer"): ("command", None), ("flask_script", "Manager"): ("command", "flask"),
    ("sqlalchemy", "declarative_base"): ("extension", "sqlalchemy"),
    ("sqlalchemy", "registry"): ("extension", "sqlalchemy"),
    **dict.fromkeys((("rest_framework", r) for r in ROUTERS), ("urls", "drf")),
    **{key: ("app-factory", fw) for key, fw in APPLICATIONS.items() if fw != "celery"},
    ("celery", "Celery"): ("extension", "celery"),
    **{key: ("blueprint", APP_CLASSES[key]) for key in BLUEPRINTS},
}

# -- Django settings ------------------------------------------------------------------------
DJANGO_SETTINGS = frozenset({
    "INSTALLED_APPS", "ROOT_URLCONF", "MIDDLEWARE", "MIDDLEWARE_CLASSES", "WSGI_APPLICATION",
    "ASGI_APPLICATION", "AUTH_USER_MODEL", "DEFAULT_AUTO_FIELD", "TEMPLATES", "STATICFILES_DIRS",
    "STATICFILES_FINDERS", "AUTH_PASSWORD_VALIDATORS"})
COMMON_SETTINGS = frozenset({
    "DATABASES", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "STATIC_URL", "STATIC_ROOT", "MEDIA_URL",
    "MEDIA_ROOT", "LANGUAGE_CODE", "TIME_ZONE", "USE_TZ", "USE_I18N", "CACHES", "LOGGING",
    "EMAIL_BACKEND", "SESSION_ENGINE", "CSRF_TRUSTED_ORIGINS", "SITE_ID"})

# -- module roles -------------------------------------------------------------------------
CONVENTIONS: dict[str, str] = {  # the module's (or a package folder's) name -> role
    "views": "view", "routes": "view", "endpoints": "view", "urls": "urls", "forms": "form",
    "admin": "admin", "serializers": "serializer", "apps": "app-config", "models": "model",
    "tasks": "task", "signals": "signal", "receivers": "signal", "middleware": "middleware",
    "middlewares": "middleware", "context_processors": "context-processor", "config": "config",
    "configs": "config", "extensions": "extension", "ext": "extension", "factories": "test-helper",
    "fixtures": "test-helper", "testing": "test-helper", "test_utils": "test-helper",
    "testutils": "test-helper", "conftest": "test-helper", "cli": "command", "commands": "command",
}
PACKAGE_CONVENTIONS = frozenset({"views", "models", "serializers", "forms", "admin", "urls", "tasks"})
ENTRY_POINTS = frozenset({"manage", "wsgi", "asgi", "__main__"})
PRECEDENCE = {role: i for i, role in enumerate((  # ties between roles of a layer go to the first
    "app-factory", "view", "urls", "resolver", "serializer", "form", "middleware", "context-processor",
    "template-tag", "blueprint", "settings", "config", "app-config", "entry-point", "admin", "command",
    "migration", "test-helper", "model", "task", "signal", "extension"))}
SERVICE_LAYERS = frozenset({"domain", "library"})  # outranked in a module by any other layer
LAYER_TIES = ("config", "web", "admin", "command", "migration", "test", "domain", "library")
MODULE_WIDE = frozenset({"migration", "command", "settings", "config", "entry-point", "test-helper",
                         "template-tag", "admin"})


@dataclass
class Detection:
    """What `detect` found: node id -> role, the `frameworks` and `domains` of graph.json."""

    roles: dict[str, str] = field(default_factory=dict)
    frameworks: dict[str, dict[str, Any]] = field(default_factory=dict)
    domains: list[dict[str, Any]] = field(default_factory=list)


def detect(files: list[FileFacts], tables: Iterable[str] = ()) -> Detection:
    """Roles, frameworks and declared domains of a program (`tables`: classes and `Table`
    variables the data model maps to a table, models whatever their bases)."""
    project = _Project([f for f in files if f.parsed], set(tables))
    project.run()
    return Detection(project.final_roles(), project.frameworks_meta(), project.domains())


# -- names ----------------------------------------------------------------------------------
class _Names:
    """Dotted names of what name/attribute chains stand for, following imports, re-exports,
    star imports and module variables. An instance is written `Class()`: `db.Model` in a
    Flask-SQLAlchemy app is "flask_sqlalchemy.SQLAlchemy().Model". Unknown roots give None."""

    def __init__(self, files: list[FileFacts]) -> None:
        self.files = {f.module: f for f in files}
        self.defs: dict[str, Definition] = {}
        self.module_of: dict[str, str] = {}
        self.namespace: dict[str, dict[str, tuple[str, Any]]] = {}
        self.stars: dict[str, list[str]] = {}
        self.packages = {".".join(f.module.split(".")[:i]) for f in files for i in range(1, f.module.count(".") + 1)}
        self._memo: dict[tuple[str, Expr], str | None] = {}
        self._active: set[tuple[str, Expr]] = set()  # lookups in progress (cycles end there)
        self._cuts = 0  # lookups ended that way: answers found meanwhile are not remembered
        for facts in files:
            self._index(facts)

    def _index(self, facts: FileFacts) -> None:
        namespace: dict[str, tuple[str, Any]] = {}
        for variable in facts.variables:
            namespace.setdefault(variable.qname.rsplit(".", 1)[1], ("var", variable))
        for definition in facts.definitions:
            self.defs[definition.qname] = definition
            self.module_of[definition.qname] = facts.module
            if definition.parent == facts.module:
                namespace[definition.qname.rsplit(".", 1)[1]] = ("def", definition.qname)
        stars = []
        for imp in facts.definitions[0].scope.imports if facts.definitions else ():
            if imp.name == "*":
                stars.append(imp.module)
            else:
                namespace[imp.name] = ("import", import_target(imp))
        self.namespace[facts.module] = namespace
        self.stars[facts.module] = stars

    def resolve(self, expr: Expr, scope: Definition) -> str | None:
        key = (scope.qname, expr)
        if key in self._memo:
            return self._memo[key]
        cuts = self._cuts
        found = self._guarded(key, lambda: self._resolve(expr, scope))
        if cuts == self._cuts:
            self._memo[key] = found
        return found

    def _guarded(self, key: tuple[str, Expr], compute: Callable[[], str | None]) -> str | None:
        """`compute()`, unless the same lookup is in progress already (a cycle) or too deep."""
        if key in self._active or len(self._active) > MAX_DEPTH:
            self._cuts += 1
            return None
        self._active.add(key)
        try:
            return compute()
        finally:
            self._active.discard(key)

    def _resolve(self, expr: Expr, scope: Definition) -> str | None:
        tag = expr[0]
        if tag == "name":
            return self._name(expr[1], scope)
        if tag in ("attr", "call"):
            base = self.resolve(expr[1], scope)
            if base is None:
                return None
            return self.canonical(f"{base}.{expr[2]}") if tag == "attr" else f"{base}()"
        return None

    def _name(self, name: str, scope: Definition | None) -> str | None:
        while scope is not None and scope.kind != "module":
            if scope.kind != "class":
                found = self._local(name, scope)
                if found is not _MISSING:
                    return found  # type: ignore[return-value]
            scope = self.defs.get(scope.parent or "")
        if scope is None:
            return None
        found = self.member(scope.qname, name)
        if found is None and name in BUILTIN_NAMES:
            return f"builtins.{name}"
        return found

    def _local(self, name: str, scope: Definition) -> object:
        """A function's own binding of `name`: an import, an assignment or a parameter."""
        for imp in scope.scope.imports:
            if imp.name == name:
                return self.canonical(import_target(imp))
        for target, value, _line in reversed(scope.scope.assigns):
            if target == name:
                if value[0] == "def":
                    return value[1]
                return self.resolve(value, scope) if value[0] in ("name", "attr", "call") else None
        if any(p.name == name for p in scope.params):
            return None
        return _MISSING

    def member(self, module: str, name: str) -> str | None:
        """The dotted name `module.name` stands for, or None if the module has no such name
        (or it is being looked up already: modules that import a name from each other)."""
        return self._guarded((module, ("member", name)), lambda: self._member(module, name))

    def _member(self, module: str, name: str) -> str | None:
        binding = self.namespace.get(module, {}).get(name)
        if binding is not None:
            kind, target = binding
            if kind == "def":
                return str(target)
            return self._variable(target) if kind == "var" else self.canonical(target)
        submodule = f"{module}.{name}"
        if submodule in self.files or submodule in self.packages:
            return submodule
        for star in self.stars.get(module, ()):
            found = self.member(star, name) if star in self.files else None
            if found is not None:
                return found
        return None

    def _variable(self, variable: Variable) -> str:
        """A module variable: what it was made from (`Flask()`, an alias), else itself."""
        if variable.value[0] in ("name", "attr", "call"):
            module = self.defs.get(variable.qname.rsplit(".", 1)[0])
            found = self.resolve(variable.value, module) if module else None
            if found is not None:
                return found
        return variable.qname

    def canonical(self, path: str) -> str:
        """A dotted path with its local prefix followed: `blog.models.Post` re-exported by `blog`."""
        parts = path.split(".")
        for i in range(len(parts) - 1, 0, -1):
            head = ".".join(parts[:i])
            if head not in self.files:
                continue
            bare = parts[i].removesuffix("()")
            found = self.member(head, bare)
            if found is None or found == f"{head}.{bare}":
                return path
            return ".".join([found + parts[i][len(bare):], *parts[i + 1:]])
        return path

    def local_def(self, expr: Expr, scope: Definition) -> str | None:
        """The local definition an argument names (`views.index`, `ItemView.as_view()`)."""
        if expr[0] == "call" and expr[1][0] == "attr" and expr[1][2] == "as_view":
            expr = expr[1][1]
        path = self.resolve(expr, scope) if expr[0] in ("name", "attr") else None
        return path if path in self.defs else None


_MISSING = object()


def import_target(imp: Any) -> str:
    if imp.top_level_binding:
        return str(imp.module).split(".")[0]
    return f"{imp.module}.{imp.member}" if imp.member else str(imp.module)


def instance_split(path: str) -> tuple[str, str] | None:
    """"flask.Flask().cli.command" -> ("flask.Flask", "cli.command"): an instance's class and the rest."""
    index = path.find("().")
    return (path[:index], path[index + 3:]) if index > 0 else None


def class_key(path: str) -> tuple[str, str]:
    """(top package, last name): `fastapi.routing.APIRouter` -> ("fastapi", "APIRouter")."""
    return path.split(".", 1)[0], path.rsplit(".", 1)[-1].removesuffix("()")


def expr_path(expr: Expr) -> str | None:
    """The written text of a name/attribute chain (`app.route`), for names that don't resolve."""
    if expr[0] == "name":
        return str(expr[1])
    if expr[0] == "attr":
        base = expr_path(expr[1])
        return f"{base}.{expr[2]}" if base else None
    return None


def base_tag(path: str) -> Tag | None:
    """The role a class gets from an outside base class."""
    if path.endswith(MODEL_MARKERS) or (path.startswith("sqlalchemy.") and path.endswith(".Model")):
        return ("model", "sqlalchemy")
    for prefix, role, framework in BASE_RULES:
        if path.startswith(prefix):
            return role, framework
    return next(((role, None) for folder, suffixes, role in PACKAGE_BASES
                 if f".{folder}." in path and path.endswith(suffixes)), None)


def strings_in(expr: Expr) -> Iterator[str]:
    """String literals in a value, in order (lists, tuples, dicts, calls, `+`)."""
    tag = expr[0]
    if tag == "str":
        yield expr[1]
    elif tag == "seq":
        for item in expr[1]:
            yield from strings_in(item)
    elif tag == "add":
        yield from strings_in(expr[1])
        yield from strings_in(expr[2])
    elif tag == "call":
        for item in (*expr[2], *(v for _, v in expr[3])):
            yield from strings_in(item)


def calls_in(expr: Expr) -> Iterator[Expr]:
    """Call expressions in a value (`path("x/", views.x)` in urlpatterns), outermost first."""
    tag = expr[0]
    if tag == "call":
        yield expr
        for item in (*expr[2], *(v for _, v in expr[3])):
            yield from calls_in(item)
    elif tag == "seq":
        for item in expr[1]:
            yield from calls_in(item)
    elif tag == "add":
        yield from calls_in(expr[1])
        yield from calls_in(expr[2])


def convention(module: str) -> str | None:
    """The role a module's name suggests: `blog.views`, `blog.views.posts`, `shop.settings_dev`."""
    parts = module.split(".")
    last = parts[-1]
    if last.startswith("settings") or last.endswith("settings") or "settings" in parts[:-1]:
        return "settings"
    if last in CONVENTIONS:
        return CONVENTIONS[last]
    return next((CONVENTIONS[p] for p in reversed(parts[:-1]) if p in PACKAGE_CONVENTIONS), None)


def location_role(facts: FileFacts, migration_dirs: Collection[str]) -> str | None:
    """Roles a file's place decides, whatever it holds (`migration_dirs`: see sources.py)."""
    folders = facts.path.split("/")[:-1]
    parts = facts.module.split(".")
    if any("/".join(folders[:i]) in migration_dirs for i in range(1, len(folders) + 1)):
        return "migration"
    if "commands" in folders and "management" in folders[:folders.index("commands")][-1:]:
        return "command"
    if facts.is_package and folders[-1:] == ["management"]:  # the package that holds management/commands
        return "command"
    if "templatetags" in folders or parts[-1] == "templatetags":
        return "template-tag"
    if parts[-1] in ENTRY_POINTS:
        return "entry-point"
    return None


def pick_role(content: Counter[str], preferred: str | None) -> str | None:
    """A module's role from its definitions' roles. Roles that stay in the monolith (web,
    config, admin, ...) outrank domain and library ones (a view that writes tables is still
    web code); then the conventional role if present; else the layer with most definitions
    (`LAYER_TIES` on a tie) and its most common role (`PRECEDENCE` on a tie)."""
    kept = Counter({r: n for r, n in content.items() if ROLE_LAYERS.get(r) not in SERVICE_LAYERS}) or content
    if not kept:
        return None
    if preferred in kept:
        return preferred
    layers: Counter[str] = Counter()
    for role, count in kept.items():
        layers[ROLE_LAYERS.get(role, "")] += count
    layer = min(layers, key=lambda x: (-layers[x], _rank(LAYER_TIES, x)))
    return min((r for r in kept if ROLE_LAYERS.get(r, "") == layer),
               key=lambda r: (-kept[r], PRECEDENCE.get(r, len(PRECEDENCE)), r))


def _rank(order: tuple[str, ...], item: str) -> int:
    return order.index(item) if item in order else len(order)


# -- the project ------------------------------------------------------------------------------
class _Project:
    def __init__(self, files: list[FileFacts], tables: set[str]) -> None:
        self.names = _Names(files)
        self.files = self.names.files
        self.defs = self.names.defs
        self.tables = tables
        self.variables = {v.qname: v for f in files for v in reversed(f.variables)}
        self.tags: dict[str, Tag] = {}
        self.module_roles: dict[str, str] = {}
        self.shapes: dict[str, Counter[str]] = {m: Counter() for m in self.files}
        self.declarative: set[str] = set()
        self.factories: dict[str, str] = {}  # app factory -> the application class it returns
        self.used = self._imported_frameworks()
        self.settings = self._settings_modules()
        self._class_memo: dict[str, Tag | None] = {}
        self._by_last: dict[str, list[str]] | None = None  # definitions by their last name
        self.app_objects: set[str] = set()  # module variables made by an application class
        self.migration_dirs = migration_folders(f.path for f in files)
        self.app_names = {name for _, name in APPLICATIONS} | {  # and local subclasses (`class MyFlask(Flask)`)
            q.rsplit(".", 1)[1] for q, d in self.defs.items() if d.kind == "class" and d.bases
            and (expr_path(d.bases[0]) or "").rsplit(".", 1)[-1] in {name for _, name in APPLICATIONS}}

    def run(self) -> None:
        for qname in sorted(self.defs):
            definition = self.defs[qname]
            if definition.kind == "class":
                self._set(qname, self._class_tag(qname))
            elif definition.kind in ("function", "method"):
                self._set(qname, self._function_tag(definition))
        for qname in sorted(self.variables):
            self._set(qname, self._variable_tag(self.variables[qname]))
        self._registrations()
        self._urlpatterns()
        self._settings_lists()
        for module in sorted(self.files):
            role = self._module_role(self.files[module])
            if role:
                self.module_roles[module] = role

    def _set(self, node: str, tag: Tag | None) -> None:
        if tag is not None and node not in self.tags:
            self.tags[node] = tag

    # -- what is in use -------------------------------------------------------------------
    def _imported_frameworks(self) -> set[str]:
        local = {m.split(".", 1)[0] for m in self.files}
        tops = {imp.module.split(".", 1)[0] for d in self.defs.values() for imp in d.scope.imports}
        used = {FRAMEWORK_PACKAGES[t] for t in tops - local if t in FRAMEWORK_PACKAGES}
        return used | ({"flask"} if any(t.startswith("flask_") for t in tops - local) else set())

    def _settings_modules(self) -> list[str]:
        """Django settings: modules assigning Django's own settings, or common ones in a module
        named like settings, or star-importing a settings module (split settings)."""
        django = "django" in self.used
        found = {m for m, f in self.files.items() if self._is_settings(f, django)}
        changed = True
        while changed:  # settings/__init__.py: `from .production import *`
            extra = {m for m in self.files if m not in found and set(self.names.stars[m]) & found}
            found |= extra
            changed = bool(extra)
        return sorted(found)

    def _is_settings(self, facts: FileFacts, django: bool) -> bool:
        assigned = {v.qname.rsplit(".", 1)[1] for v in facts.variables} | {n for n, _, _ in facts.extended}
        if assigned & {"INSTALLED_APPS", "ROOT_URLCONF"} or (django and assigned & DJANGO_SETTINGS):
            return True
        return django and convention(facts.module) == "settings" and len(assigned & COMMON_SETTINGS) >= 2

    # -- classes ---------------------------------------------------------------------------
    def _class_tag(self, qname: str) -> Tag | None:
        if qname in self._class_memo:
            return self._class_memo[qname]
        self._class_memo[qname] = None  # a cycle of bases ends here
        found = self._class_tag_uncached(self.defs[qname])
        self._class_memo[qname] = found
        return found

    def _class_tag_uncached(self, definition: Definition) -> Tag | None:
        scope = self.defs.get(definition.parent or "")
        tag = self._decorators_tag(definition, scope)
        if tag is None and scope is not None:
            tag = next(filter(None, (self._base(base, scope, definition.qname) for base in definition.bases)), None)
        if tag is None and self._is_config_class(definition):
            tag = ("config", "flask" if "flask" in self.used else None)
        if tag is None and definition.qname in self.tables:
            tag = ("model", "django" if "django" in self.used else "sqlalchemy")
        return tag

    def _base(self, base: Expr, scope: Definition, qname: str) -> Tag | None:
        path = self.names.resolve(base, scope)
        if path is None:
            written = expr_path(base)
            return BASE_NAMES.get(written) if written and "." not in written else None
        if path in self.defs:
            if self.defs[path].kind != "class":
                return None
            tag = self._class_tag(path)  # first: it may find that `path` is a declarative base
            return ("model", "sqlalchemy") if path in self.declarative else tag
        if path.startswith("sqlalchemy.") and class_key(path)[1] in DECLARATIVE_BASES:
            self.declarative.add(qname)
            return ("extension", "sqlalchemy")
        return base_tag(path)

    @staticmethod
    def _is_config_class(definition: Definition) -> bool:
        name = definition.qname.rsplit(".", 1)[-1]
        upper = [a for a in definition.class_attrs if a.isupper() and not a.startswith("_")]
        return name.endswith(("Config", "Settings")) and bool(upper)

    # -- functions and decorators ---------------------------------------------------------
    def _function_tag(self, definition: Definition) -> Tag | None:
        scope = self.defs.get(definition.parent or "")
        tag = self._decorators_tag(definition, scope)
        if tag is None:
            tag = self._factory_tag(definition)
        if tag is None and definition.parent == self.names.module_of[definition.qname]:
            tag = self._module_function_tag(definition)
        return tag

    def _decorators_tag(self, definition: Definition, scope: Definition | None) -> Tag | None:
        if scope is None:
            return None
        for decorator in definition.decorators:
            func = decorator[1] if decorator[0] == "call" else decorator
            path = self.names.resolve(func, scope) if func[0] in ("name", "attr") else None
            tag = self._decorator(path, definition) if path else self._unresolved_decorator(func)
            if tag is not None:
                return tag
        return None

    def _decorator(self, path: str, definition: Definition) -> Tag | None:
        split = instance_split(path)
        if split is not None:
            return self._instance_tag(self._outside_class(split[0]), split[1])
        if path in ADMIN_DECORATORS:
            return ("admin", "django")
        if path.startswith("django.") and any(p in path for p in DJANGO_VIEW_DECORATORS):
            return ("view", "django")
        if path.startswith("strawberry."):
            return ("resolver", "strawberry")
        if class_key(path) == ("sqlalchemy", "as_declarative"):
            self.declarative.add(definition.qname)
            return ("extension", "sqlalchemy")
        owner, _, method = path.rpartition(".")
        if method in ("command", "group") and owner in self.defs and self._role_of(owner) == "command":
            return ("command", self.tags[owner][1])  # `@cli.command()` on a click group
        return FUNCTION_DECORATORS.get(class_key(path))

    @staticmethod
    def _unresolved_decorator(func: Expr) -> Tag | None:
        """`@app.route(...)` on an `app` handed in as a parameter: judged by the names written."""
        written = expr_path(func)
        if not written or "." not in written:
            return None
        root, method = written.split(".", 1)[0], written.rsplit(".", 1)[1]
        webby = root in WEB_OBJECT_NAMES or root.endswith(("_bp", "_blueprint", "_router", "_api"))
        if method == "route" or (webby and APP_METHODS.get(method) == "view"):
            return ("view", None)
        if method == "task" and "celery" in root:
            return ("task", "celery")
        if method in ("command", "group") and ".cli." in written:
            return ("command", "flask")
        return None

    def _instance_tag(self, cls: str, rest: str) -> Tag | None:
        key = class_key(cls)
        if key in APP_CLASSES and rest in APP_METHODS:
            return APP_METHODS[rest], APP_CLASSES[key]
        role = INSTANCE_METHODS.get(key, {}).get(rest)
        return (role, INSTANCE_FRAMEWORK.get(key[0])) if role else None

    def _outside_class(self, path: str) -> str:
        """The outside class behind a local one (`class MyFlask(Flask)`) or an app factory."""
        for _ in range(10):
            if path in self.factories:
                return self.factories[path]
            definition = self.defs.get(path)
            if definition is None or definition.kind != "class" or not definition.bases:
                return path
            scope = self.defs.get(definition.parent or "")
            found = self.names.resolve(definition.bases[0], scope) if scope else None
            if found is None:
                return path
            path = found
        return path

    def _role_of(self, node: str) -> str | None:
        if node not in self.tags and node in self.defs and self.defs[node].kind in ("function", "method"):
            self._set(node, self._function_tag(self.defs[node]))
        tag = self.tags.get(node)
        return tag[0] if tag else None

    def _factory_tag(self, definition: Definition) -> Tag | None:
        """A function that makes an application and returns it (`create_app`)."""
        if definition.kind != "function":
            return None
        made = [self._application(definition.returns[1], definition)] if definition.returns and \
            definition.returns[0] == "ann" else []
        returned = {r[1] for r in definition.scope.returns if r[0] == "name"}
        made += [self._application(v, definition) for n, v, _ in definition.scope.assigns
                 if n in returned and v[0] == "call"]
        made += [self._application(r, definition) for r in definition.scope.returns if r[0] == "call"]
        cls = next(filter(None, made), None)
        if cls is None:
            return None
        self.factories[definition.qname] = cls
        return ("app-factory", APPLICATIONS[class_key(cls)])

    def _application(self, expr: Expr, scope: Definition) -> str | None:
        """The application class `expr` makes or names (`Flask(__name__)`, `-> Flask`)."""
        target = expr[1] if expr[0] == "call" else expr
        written = expr_path(target)
        if written is None or written.rsplit(".", 1)[-1] not in self.app_names:
            return None  # the cheap test first: most functions return something else
        path = self.names.resolve(target, scope)
        if path is None:
            return None
        path = self._outside_class(path)
        return path if class_key(path) in APPLICATIONS else None

    def _module_function_tag(self, definition: Definition) -> Tag | None:
        """Top-level functions by where they are: function views, context processors, middleware."""
        first = definition.params[0].name if definition.params else None
        kind = convention(self.names.module_of[definition.qname])
        if kind == "view" and first in ("request", "req") and "django" in self.used:
            return ("view", "django")
        if kind == "context-processor" and first is not None:
            return ("context-processor", "django")
        if kind == "middleware" and first == "get_response":
            return ("middleware", "django")
        return None

    # -- variables ------------------------------------------------------------------------
    def _variable_tag(self, variable: Variable) -> Tag | None:
        name = variable.qname.rsplit(".", 1)[1]
        if name == "urlpatterns":
            return ("urls", "django")
        if variable.table_name:
            return ("model", "sqlalchemy")
        value = variable.value
        if value[0] != "call" or value[1][0] not in ("name", "attr"):
            return None
        module = self.defs.get(variable.qname.rsplit(".", 1)[0])
        path = self.names.resolve(value[1], module) if module else None
        if path is None:
            return None
        if path in self.factories or (path in self.defs and self._role_of(path) == "app-factory"):
            return ("entry-point", self.tags[path][1])  # `app = create_app()`: what a server runs
        return self._instance_tag_of(variable.qname, class_key(self._outside_class(path)))

    def _instance_tag_of(self, qname: str, key: tuple[str, str]) -> Tag | None:
        """A module variable holding an instance of an outside class (package, name)."""
        if key in APPLICATIONS:
            self.app_objects.add(qname)
        if key in VARIABLE_CLASSES:
            return VARIABLE_CLASSES[key]
        if key[0].startswith("flask_") and key[1][:1].isupper():
            return ("extension", "flask")  # db = SQLAlchemy(), login_manager = LoginManager(), ...
        return None

    # -- code handed to a framework -------------------------------------------------------
    def _registrations(self) -> None:
        for qname in sorted(self.defs):
            definition = self.defs[qname]
            for site in definition.scope.calls:
                func = site.func
                if func[0] == "attr" and func[2] in REGISTRATIONS and not site.synthetic:
                    self._registration(definition, func, site.args, dict(site.kwargs))

    def _registration(self, scope: Definition, func: Expr, args: tuple, kwargs: dict) -> None:
        method = func[2]
        path = self.names.resolve(func, scope) or expr_path(func) or ""
        role = self._registered_role(path, method)
        if role is None:
            return
        index, keyword, _ = REGISTRATIONS[method]
        argument = args[index] if len(args) > index else kwargs.get(keyword or "")
        target = self.names.local_def(argument, scope) if argument is not None else None
        if target is not None:
            self._set(target, role)
        if scope.kind == "module" and method in MODULE_SHAPES:
            self.shapes[scope.qname][role[0] if role[0] == "admin" else MODULE_SHAPES[method]] += 1

    def _registered_role(self, path: str, method: str) -> Tag | None:
        """The role a registration call gives, if `path` is that framework's object."""
        split = instance_split(path)
        key = class_key(self._outside_class(split[0])) if split else ("", "")
        if method == "connect":
            return ("signal", "django" if path.startswith("django.") else None) if "signal" in path.lower() else None
        if method == "register":
            if path in ("django.contrib.admin.site.register", "django.contrib.admin.sites.site.register") or \
                    key == ("django", "AdminSite"):
                return ("admin", "django")
            return ("view", "drf") if key[1] in ROUTERS else None
        if method == "add_command":
            return ("command", None) if key in INSTANCE_METHODS or path.endswith("cli.add_command") else None
        if key in APP_CLASSES or (not split and path.split(".", 1)[0] in WEB_OBJECT_NAMES):
            return REGISTRATIONS[method][2], APP_CLASSES.get(key)
        return None

    def _urlpatterns(self) -> None:
        """Views named in Django urlconfs: `path("x/", views.x)`, `path("y/", Y.as_view())`."""
        for module, facts in self.files.items():
            values = [v.value for v in facts.variables if v.qname == f"{module}.urlpatterns"]
            values += [value for name, value, _ in facts.extended if name == "urlpatterns"]
            scope = facts.definitions[0]
            for call in (c for value in values for c in calls_in(value)):
                name = expr_path(call[1]) or ""
                if name.rsplit(".", 1)[-1] in ("path", "re_path", "url") and len(call[2]) > 1:
                    target = self.names.local_def(call[2][1], scope)
                    if target is not None:
                        self._set(target, ("view", "django"))

    # -- Django settings --------------------------------------------------------------------
    def setting(self, name: str) -> list[str]:
        """Every string a settings module puts into a setting, in module then line order."""
        found: list[str] = []
        for module in self.settings:
            facts = self.files[module]
            values = [v.value for v in facts.variables if v.qname == f"{module}.{name}"]
            values += [value for target, value, _ in facts.extended if target == name]
            for value in values:
                found += [s for s in self._strings(value, module) if s not in found]
        return found

    def _strings(self, value: Expr, module: str, depth: int = 0) -> list[str]:
        """Strings of a value, with names of other lists (`BASE_APPS + LOCAL_APPS`) followed."""
        if value[0] == "name" and depth < 5:
            path = self.names.member(module, value[1])
            variable = self.variables.get(path or "")
            return self._strings(variable.value, variable.qname.rsplit(".", 1)[0], depth + 1) if variable else []
        if value[0] in ("add", "seq") and depth < 5:
            items = value[1:] if value[0] == "add" else value[1]
            return [s for item in items for s in self._strings(item, module, depth + 1)]
        return list(strings_in(value))

    def _settings_lists(self) -> None:
        for entry in self.setting("MIDDLEWARE") + self.setting("MIDDLEWARE_CLASSES"):
            target = self.local_name(entry)
            if target is not None:
                self._set(target, ("middleware", "django"))
        for entry in self.setting("TEMPLATES"):
            target = self.local_name(entry)
            if target is not None and self.defs[target].kind == "function":
                self._set(target, ("context-processor", "django"))

    def local_name(self, dotted: str) -> str | None:
        """The local definition a dotted string names, whether or not the graph's module names
        carry the same leading packages (`blog.views.x` is `site.blog.views.x` or `views.x`)."""
        if "." not in dotted:
            return None
        if self._by_last is None:
            self._by_last = {}
            for qname in self.defs:
                self._by_last.setdefault(qname.rsplit(".", 1)[-1], []).append(qname)
        candidates = [q for q in self._by_last.get(dotted.rsplit(".", 1)[1], ())
                      if q == dotted or q.endswith("." + dotted)]
        return min(candidates, key=lambda q: (len(q), q)) if candidates else None

    def local_module(self, dotted: str) -> str | None:
        """The same for a module or package name."""
        modules = set(self.files) | self.names.packages
        candidates = [m for m in modules if m == dotted or m.endswith("." + dotted)]
        return min(candidates, key=lambda m: (len(m), m)) if candidates else None

    # -- modules ---------------------------------------------------------------------------
    def _module_role(self, facts: FileFacts) -> str | None:
        module = facts.module
        forced = location_role(facts, self.migration_dirs) or self._alembic_role(facts)
        if forced is not None:
            return forced
        if module in self.settings:
            return "settings"
        content = self.shapes[module] + Counter(
            self.tags[node][0] for node in self._top_level(facts) if node in self.tags)
        named = convention(module)
        if named == "settings":
            named = "config"  # a settings module that is not Django's: Flask or plain configuration
        if content:
            return pick_role(content, named)
        if named == "config" and not any(v.qname.rsplit(".", 1)[1].isupper() for v in facts.variables):
            return None  # a config module holds settings, not only functions
        return named if named and self.used else None

    def _top_level(self, facts: FileFacts) -> Iterator[str]:
        yield from (d.qname for d in facts.definitions if d.parent == facts.module)
        yield from (v.qname for v in facts.variables)

    def _alembic_role(self, facts: FileFacts) -> str | None:
        names = {v.qname.rsplit(".", 1)[1] for v in facts.variables}
        functions = {d.qname.rsplit(".", 1)[1] for d in facts.definitions if d.parent == facts.module}
        if {"revision", "down_revision"} <= names and "upgrade" in functions:
            return "migration"
        imports = facts.definitions[0].scope.imports if facts.definitions else []
        if facts.module.rsplit(".", 1)[-1] == "env" and any(i.module.startswith("alembic") for i in imports):
            return "migration"
        return None

    # -- results ---------------------------------------------------------------------------
    def final_roles(self) -> dict[str, str]:
        """Own roles, then inherited ones: parent definitions, then module-wide module roles."""
        roles = {node: tag[0] for node, tag in self.tags.items()}
        roles.update(self.module_roles)
        for qname in sorted(self.defs, key=lambda q: q.count(".")):
            parent = self.defs[qname].parent
            if qname in roles or parent is None:
                continue
            inherited = roles.get(parent)
            if inherited and (parent != self.names.module_of[qname] or inherited in MODULE_WIDE):
                roles[qname] = inherited
        for module, role in self.module_roles.items():
            if role in MODULE_WIDE:
                for variable in self.files[module].variables:
                    roles.setdefault(variable.qname, role)
        return dict(sorted(roles.items()))

    def frameworks_meta(self) -> dict[str, dict[str, Any]]:
        counts: dict[str, Counter[str]] = {}
        for tag in self.tags.values():
            if tag[1] is not None:
                counts.setdefault(tag[1], Counter())[tag[0]] += 1
        meta: dict[str, dict[str, Any]] = {fw: {"roles": dict(sorted(counts.get(fw, Counter()).items()))}
                                           for fw in self.used | set(counts)}
        if "django" in meta or self.settings:
            meta.setdefault("django", {"roles": {}}).update(self._django_meta())
        for fw in ("flask", "fastapi"):
            if fw in meta:
                meta[fw].update(self._web_meta(fw))
        if "celery" in meta:
            meta["celery"]["apps"] = sorted(q for q, t in self.tags.items() if t == ("extension", "celery"))
        return dict(sorted(meta.items()))

    def _django_meta(self) -> dict[str, Any]:
        urlconf = self.setting("ROOT_URLCONF")
        meta: dict[str, Any] = {
            "settings": self.settings,
            "installed_apps": self.setting("INSTALLED_APPS"),
            "entry_points": sorted(f.path for m, f in self.files.items() if self.module_roles.get(m) == "entry-point"),
            "apps": sorted(d["name"] for d in self._django_apps()),
        }
        if urlconf:
            meta["root_urlconf"] = urlconf[0]
        return meta

    def _web_meta(self, framework: str) -> dict[str, Any]:
        apps = sorted(q for q, t in self.tags.items() if t == ("app-factory", framework)
                      and (q in self.defs or q in self.app_objects))
        declared = [d for d in self._blueprints() if d["framework"] == framework]
        key = "blueprints" if framework == "flask" else "routers"
        return {"apps": apps, key: sorted(({"name": d["name"], "variable": d["variable"], "module": d["package"]}
                                           for d in declared), key=lambda d: (d["name"], d["variable"]))}

    def domains(self) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for domain in self._django_apps() + self._blueprints():
            entry = {k: domain[k] for k in ("name", "kind", "package", "file", "line", "declared")}
            found.setdefault(f"{domain['package']}\0{domain['name']}", entry)
        return [found[k] for k in sorted(found)]

    def _django_apps(self) -> list[dict[str, Any]]:
        """Local Django apps: AppConfig classes, and packages listed in INSTALLED_APPS."""
        apps: dict[str, dict[str, Any]] = {}
        for qname in sorted(q for q, t in self.tags.items() if t[0] == "app-config" and self.defs.get(q)):
            app = self._app_config(self.defs[qname])
            if app is not None:
                apps.setdefault(app["package"], app)
        for entry in self.setting("INSTALLED_APPS"):
            package = self.local_module(entry)
            if package is not None and package not in apps and package in self.names.packages \
                    and not self._is_project_package(package, apps):
                facts = self.files.get(package)
                apps[package] = {"name": entry.rsplit(".", 1)[-1], "kind": "django-app", "package": package,
                                 "file": facts.path if facts else None, "line": 1, "declared": "installed-apps"}
        return [apps[p] for p in sorted(apps)]

    def _is_project_package(self, package: str, apps: dict[str, Any]) -> bool:
        """The project's own package listed as an app (for its templates): it holds the settings
        or the other apps, so it is no domain of its own."""
        inside = [*self.settings, *apps]
        return any(m.startswith(package + ".") for m in inside)

    def _app_config(self, definition: Definition) -> dict[str, Any] | None:
        attrs = {k: v[0][1] for k, v in definition.class_attrs.items() if v[0][0] == "str"}
        module = self.names.module_of[definition.qname]
        if "name" in attrs:
            package = self.local_module(attrs["name"])
        else:
            package = module if self.files[module].is_package else module.rpartition(".")[0] or None
        if package is None:
            return None  # configures an app whose code is elsewhere (`django.contrib.admin`)
        name = attrs.get("label") or (attrs.get("name") or package).rsplit(".", 1)[-1]
        return {"name": name, "kind": "django-app", "package": package, "file": self.files[module].path,
                "line": definition.line, "declared": "app-config"}

    def _blueprints(self) -> list[dict[str, Any]]:
        found = []
        for qname in sorted(q for q, t in self.tags.items() if t[0] == "blueprint" and q in self.variables):
            variable = self.variables[qname]
            module = qname.rsplit(".", 1)[0]
            value = variable.value
            path = self._outside_class(self.names.resolve(value[1], self.defs[module]) or "")
            kind = BLUEPRINTS.get(class_key(path), "blueprint")
            found.append({"name": self._blueprint_name(value, module, kind), "kind": kind, "package": module,
                          "file": self.files[module].path, "line": variable.line, "variable": qname,
                          "declared": "instance",
                          "framework": APP_CLASSES.get(class_key(path), "flask")})
        return found

    @staticmethod
    def _blueprint_name(value: Expr, module: str, kind: str) -> str:
        """`Blueprint("auth", ...)` -> auth; a router: its first tag, its prefix, or its module."""
        args, kwargs = value[2], dict(value[3])
        if kind == "blueprint" and args and args[0][0] == "str":
            return str(args[0][1])
        if kind == "blueprint" and kwargs.get("name", ("",))[0] == "str":
            return str(kwargs["name"][1])
        tags = list(strings_in(kwargs.get("tags", ("other",))))
        prefix = next(strings_in(kwargs.get("prefix", ("other",))), "").strip("/").replace("/", ".")
        parts = module.split(".")
        generic = parts[-1] in ("router", "routes", "routers", "api", "views", "endpoints", "__init__")
        return tags[0] if tags else prefix or (parts[-2] if generic and len(parts) > 1 else parts[-1])
