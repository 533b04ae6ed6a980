"""The tables framework detection reads: which bases, decorators, instance methods, calls,
variables, settings and module names mean which role in which framework.

Kept apart from the code that applies them so that teaching the analyzer a new framework
shape is, most of the time, one line here.
"""

from __future__ import annotations

Tag = tuple[str, str | None]  # (role, framework that gave it)

FRAMEWORK_PACKAGES = {
    "django": "django", "rest_framework": "drf", "flask": "flask", "celery": "celery",
    "graphene": "graphene", "graphene_django": "graphene", "graphene_sqlalchemy": "graphene",
    "strawberry": "strawberry", "strawberry_django": "strawberry", "fastapi": "fastapi",
    "sqlalchemy": "sqlalchemy", "flask_sqlalchemy": "sqlalchemy", "sqlmodel": "sqlalchemy",
}

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
