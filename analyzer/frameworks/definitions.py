"""The role of each class, function and module variable from its own code: decorators,
bases (followed through local classes), shape (app factories, `*Config` classes, function
views) and, for variables, the class of the instance they hold.

Rules are tried in that order and the first one that finds a role wins. A function's role
may be asked for before its turn (`@cli.command()` on a click group, `app = create_app()`),
so `role_of` computes it on demand.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..facts import Definition, Expr, Variable
from .module_roles import convention
from .names import class_key, expr_path, instance_split
from .project import Project
from .vocabulary import (
    ADMIN_DECORATORS,
    APP_CLASSES,
    APP_METHODS,
    APPLICATIONS,
    BASE_NAMES,
    BASE_RULES,
    DECLARATIVE_BASES,
    DJANGO_VIEW_DECORATORS,
    FUNCTION_DECORATORS,
    INSTANCE_FRAMEWORK,
    INSTANCE_METHODS,
    MODEL_MARKERS,
    PACKAGE_BASES,
    VARIABLE_CLASSES,
    WEB_OBJECT_NAMES,
    Tag,
)


def application_names(defs: Mapping[str, Definition]) -> set[str]:
    """The last names of application classes: the frameworks', and local subclasses of them
    (`class MyFlask(Flask)`)."""
    names = {name for _, name in APPLICATIONS}
    return names | {q.rsplit(".", 1)[1] for q, d in defs.items() if d.kind == "class" and d.bases
                    and (expr_path(d.bases[0]) or "").rsplit(".", 1)[-1] in names}


def returned_values(definition: Definition) -> list[Expr]:
    """What a function gives back that may be an application it makes: its return annotation,
    the calls it returns, and the calls assigned to the names it returns."""
    found = [definition.returns[1]] if definition.returns and definition.returns[0] == "ann" else []
    returned = {r[1] for r in definition.scope.returns if r[0] == "name"}
    found += [v for n, v, _ in definition.scope.assigns if n in returned and v[0] == "call"]
    return found + [r for r in definition.scope.returns if r[0] == "call"]


def may_name_application(expr: Expr, app_names: set[str]) -> bool:
    """The cheap test of `_application`: whether what `expr` makes or names is spelled like one."""
    written = expr_path(expr[1] if expr[0] == "call" else expr)
    return written is not None and written.rsplit(".", 1)[-1] in app_names


def base_tag(path: str) -> Tag | None:
    """The role a class gets from an outside base class."""
    if path.endswith(MODEL_MARKERS) or (path.startswith("sqlalchemy.") and path.endswith(".Model")):
        return ("model", "sqlalchemy")
    for prefix, role, framework in BASE_RULES:
        if path.startswith(prefix):
            return role, framework
    return next(((role, None) for folder, suffixes, role in PACKAGE_BASES
                 if f".{folder}." in path and path.endswith(suffixes)), None)


class DefinitionRoles:
    """Tags the definitions and variables of a `Project` (its `tags`, `factories`,
    `declarative` and `app_objects`)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.names = project.names
        self.defs = project.defs
        self.tags = project.tags
        self._class_memo: dict[str, Tag | None] = {}
        self.app_names = application_names(project.classes)
        self._conventions: dict[str, str | None] = {}  # module -> its conventional role (`convention`)

    def run(self) -> None:
        """Classes and functions in name order, then module variables. A method without
        decorators has no role of its own (`_function_tag`: no decorator, no app factory, not at
        a module's top level), so `project.own_role_candidates` leaves it out."""
        for qname in sorted(self.project.own_role_candidates):
            definition = self.defs[qname]
            if definition.kind == "class":
                self.project.set_tag(qname, self._class_tag(qname))
            else:
                self.project.set_tag(qname, self._function_tag(definition))
        variables = self.project.variables
        for qname in sorted(variables):
            self.project.set_tag(qname, self._variable_tag(variables[qname]))

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
            tag = ("config", "flask" if "flask" in self.project.used else None)
        if tag is None and definition.qname in self.project.tables:
            tag = ("model", "django" if "django" in self.project.used else "sqlalchemy")
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
            return ("model", "sqlalchemy") if path in self.project.declarative else tag
        if path.startswith("sqlalchemy.") and class_key(path)[1] in DECLARATIVE_BASES:
            self.project.declarative.add(qname)
            return ("extension", "sqlalchemy")
        return base_tag(path)

    @staticmethod
    def _is_config_class(definition: Definition) -> bool:
        if not definition.qname.endswith(("Config", "Settings")):  # the name first: most classes end there
            return False
        return any(a.isupper() and not a.startswith("_") for a in definition.class_attrs)

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
            return self._instance_tag(self.project.outside_class(split[0]), split[1])
        if path in ADMIN_DECORATORS:
            return ("admin", "django")
        if path.startswith("django.") and any(p in path for p in DJANGO_VIEW_DECORATORS):
            return ("view", "django")
        if path.startswith("strawberry."):
            return ("resolver", "strawberry")
        if class_key(path) == ("sqlalchemy", "as_declarative"):
            self.project.declarative.add(definition.qname)
            return ("extension", "sqlalchemy")
        owner, _, method = path.rpartition(".")
        if method in ("command", "group") and owner in self.defs and self.role_of(owner) == "command":
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


    def role_of(self, node: str) -> str | None:
        if node not in self.tags and node in self.defs and self.defs[node].kind in ("function", "method"):
            self.project.set_tag(node, self._function_tag(self.defs[node]))
        tag = self.tags.get(node)
        return tag[0] if tag else None

    def _factory_tag(self, definition: Definition) -> Tag | None:
        """A function that makes an application and returns it (`create_app`)."""
        if definition.kind != "function" or not (definition.scope.returns or definition.returns):
            return None  # returns nothing (`returned_values` is empty)
        made = [self._application(expr, definition) for expr in returned_values(definition)]
        cls = next(filter(None, made), None)
        if cls is None:
            return None
        self.project.factories[definition.qname] = cls
        return ("app-factory", APPLICATIONS[class_key(cls)])

    def _application(self, expr: Expr, scope: Definition) -> str | None:
        """The application class `expr` makes or names (`Flask(__name__)`, `-> Flask`)."""
        target = expr[1] if expr[0] == "call" else expr
        if not may_name_application(expr, self.app_names):
            return None  # the cheap test first: most functions return something else
        path = self.names.resolve(target, scope)
        if path is None:
            return None
        path = self.project.outside_class(path)
        return path if class_key(path) in APPLICATIONS else None

    def _module_function_tag(self, definition: Definition) -> Tag | None:
        """Top-level functions by where they are: function views, context processors, middleware."""
        first = definition.params[0].name if definition.params else None
        module = self.names.module_of[definition.qname]
        if module not in self._conventions:
            self._conventions[module] = convention(module)
        kind = self._conventions[module]
        if kind == "view" and first in ("request", "req") and "django" in self.project.used:
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
        if path in self.project.factories or (path in self.defs and self.role_of(path) == "app-factory"):
            return ("entry-point", self.tags[path][1])  # `app = create_app()`: what a server runs
        return self._instance_tag_of(variable.qname, class_key(self.project.outside_class(path)))

    def _instance_tag_of(self, qname: str, key: tuple[str, str]) -> Tag | None:
        """A module variable holding an instance of an outside class (package, name)."""
        if key in APPLICATIONS:
            self.project.app_objects.add(qname)
        if key in VARIABLE_CLASSES:
            return VARIABLE_CLASSES[key]
        if key[0].startswith("flask_") and key[1][:1].isupper():
            return ("extension", "flask")  # db = SQLAlchemy(), login_manager = LoginManager(), ...
        return None
