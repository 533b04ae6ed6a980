"""Turn an extracted module into its proxy: same import path, names and signatures.

Every public top-level function keeps its signature and docstring; its body becomes one
call through the runtime client, which sends the arguments to the service through the
operation's contract:

    def tax_for(amount: Decimal, region: str) -> Decimal:
        return _m2l_client.call("tax", "shop.pricing.tax.tax_for", tax_for,
                                {"amount": amount, "region": region})

Everything else stays: imports, classes (the data types, enums and exceptions callers
still build and catch), constants, private helpers. The decorators of a proxied function
follow extractor/decorators.py: typing-only ones stay; a Celery task's becomes
`@_m2l_client.task(service, operation)`, which keeps `.delay` and `.apply_async` (an
asynchronous invoke of the operation); any other is dropped with a comment saying so
(extract blocks on it as a hazard unless --force). Running the codemod on its own output
changes nothing. The project's own decorators (analyzer/boundaries/decorating.py) are not
operations: the proxy keeps them as code, since they are applied in the caller's process; on
a proxied function, one that wraps is dropped (it runs in the service, around the operation)
and one that registers is kept (the caller's registry then holds the proxy). So are the
service's internal functions (extractor/internal.py).

A class whose methods the plan names as operations (extractor/objects.py) keeps its name,
bases, attributes and other methods, so `isinstance` and class attributes work as before;
each method operation forwards, the staticmethod or classmethod as it is, an instance
method with `instance=self` (its object's constructor arguments, which the service
rebuilds it from; the class is decorated with `@_m2l_client.record` to keep them):

    @_m2l_client.record
    class Mailer:
        def send(self, to: str) -> bool:
            return _m2l_client.call("mail", "app.mail.Mailer.send", Mailer.send, {"to": to}, instance=self)

A parameter typed as a SQLAlchemy session is not sent (the service opens a session of its
own, m2l_runtime/orm.py); the proxy keeps it in its signature, so callers do not change.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import libcst as cst

from analyzer.boundaries.decorating import REGISTERS

from ..decorators import OTHER, TASK, decorator_name, kind_of
from ..render import python_tuple

CLIENT = "_m2l_client"
CLIENT_IMPORT = f"from m2l_runtime import client as {CLIENT}\n"
RECORD = f"{CLIENT}.record"  # a class whose instance methods are operations keeps its constructor arguments
SESSION_TYPES = frozenset({"Session", "scoped_session"})  # as analyzer/boundaries/hazards.py converts them
LINE_LENGTH = 100  # characters after `return `: longer calls are split one argument a line


class ProxyTransformer(cst.CSTTransformer):
    """Replace the bodies of public top-level functions with remote calls."""

    def __init__(self, service: str, module: str, invocations: Mapping[str, str],
                 methods: Collection[str] = (), keep: Collection[str] = (),
                 decorations: Mapping[str, Mapping[str, str]] | None = None,
                 includes: Mapping[str, tuple[str, ...]] | None = None) -> None:
        super().__init__()
        self.service = service
        self.module = module
        self.invocations = invocations  # function name (or `Class.method`) -> "sync" / "async"
        self.methods = frozenset(methods)  # `Class.method` of the methods that are operations
        self.classes = frozenset(m.split(".", 1)[0] for m in self.methods)
        self.keep = frozenset(keep)  # the project's decorators and internal functions: kept as code
        self.decorations = decorations or {}  # function name -> its project decorators -> WRAPS / REGISTERS
        self.includes = includes or {}  # function name -> relationships of its returned rows sent along
        self.depth = 0
        self.cls: str | None = None  # the class with method operations being visited

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        return False  # nested code is replaced wholesale, never visited

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        if self.depth or self.cls is not None or node.name.value not in self.classes:
            return False  # classes stay exactly as written
        self.cls = node.name.value
        return True  # its method operations forward

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        if self.cls != updated.name.value or self.depth:
            return updated
        self.cls = None
        instance = any(_method_kind(f) == "instance" for f in _methods(updated)
                       if f"{updated.name.value}.{f.name.value}" in self.methods)
        if not instance or any(_code(d.decorator) == RECORD for d in updated.decorators):
            return updated
        return updated.with_changes(decorators=[cst.Decorator(cst.parse_expression(RECORD)), *updated.decorators])

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        self.depth -= 1
        name = updated.name.value
        qualified = f"{self.cls}.{name}" if self.cls is not None else name
        if self.depth or name.startswith("_") or _is_overload(updated) or (self.cls is None and name in self.keep):
            return updated  # an @overload stub only types the function that follows it
        if self.cls is not None and qualified not in self.methods:
            return updated  # a method that is not an operation stays as written
        decorators, dropped = self._decorators(updated, qualified)
        comments = [cst.EmptyLine(comment=cst.Comment(f"# mono2lambda: dropped @{text} ({why})"))
                    for text, why in dropped]
        return updated.with_changes(decorators=decorators, body=self._body(updated, qualified),
                                    leading_lines=(*updated.leading_lines, *comments))

    def _decorators(self, function: cst.FunctionDef,
                    qualified: str) -> tuple[list[cst.Decorator], list[tuple[str, str]]]:
        """The decorators the proxy keeps (a task's replaced by the client's), and the text of those
        dropped with the reason."""
        kept: list[cst.Decorator] = []
        dropped: list[tuple[str, str]] = []
        task = False
        project = self.decorations.get(qualified, {})
        for decorator in function.decorators:
            text = _code(decorator.decorator)
            kind = kind_of(text)
            mode = project.get(decorator_name(text).rsplit(".", 1)[-1])
            if kind == TASK and not task:
                task = True
                operation = f"{self.module}.{qualified}"
                kept.append(decorator.with_changes(
                    decorator=cst.parse_expression(f'{CLIENT}.task("{self.service}", "{operation}")')))
            elif kind == OTHER and mode == REGISTERS:
                kept.append(decorator)  # registers the proxy in the caller's process too
            elif kind == OTHER:
                dropped.append((" ".join(text.split()), "it runs in the service, around the operation" if mode
                                else "it runs in the service; extract reports it as a hazard"))
            elif kind != TASK:
                kept.append(decorator)
        return kept, dropped

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        if any(_is_client_import(statement) for statement in updated.body):
            return updated
        position = _import_position(updated)
        body = list(updated.body)
        body.insert(position, cst.parse_statement(CLIENT_IMPORT))
        return updated.with_changes(body=body)

    def _body(self, function: cst.FunctionDef, qualified: str) -> cst.IndentedBlock:
        call = self._call(function, qualified)
        statements: list[cst.BaseStatement] = []
        docstring = _docstring_statement(function)
        if docstring is not None:
            statements.append(docstring)
        statements.append(cst.parse_statement(f"return {call}\n"))
        return cst.IndentedBlock(body=statements)

    def _call(self, function: cst.FunctionDef, qualified: str) -> str:
        sessions = set(_session_parameters(function.params))
        names = _parameter_names(function.params)
        kind = _method_kind(function) if self.cls is not None else "function"
        if kind in ("class", "instance"):  # cls or self is not sent: the service has the class, or rebuilds self
            names = names[1:]
        pairs = [f'"{p}": {p}' for p in names if p not in sessions]
        invocation = self.invocations.get(qualified, "sync")
        extra = [f'invocation="{invocation}"'] if invocation != "sync" else []
        if kind == "instance":
            extra.append(f"instance={_parameter_names(function.params)[0]}")
        if self.includes.get(qualified):
            extra.append(f"include={python_tuple(self.includes[qualified])}")
        parts = [f'"{self.service}"', f'"{self.module}.{qualified}"', qualified, "{" + ", ".join(pairs) + "}",
                 *extra]
        call = f"{CLIENT}.call({', '.join(parts)})"
        if len(call) <= LINE_LENGTH:
            return call
        if len(pairs) > 1:  # one argument a line, as a formatter would
            parts[3] = "{\n" + "".join(f"        {pair},\n" for pair in pairs) + "    }"
        return f"{CLIENT}.call(\n" + "".join(f"    {part},\n" for part in parts) + ")"


def make_proxy(source: str, service: str, module: str, invocations: Mapping[str, str],
               methods: Collection[str] = (), keep: Collection[str] = (),
               decorations: Mapping[str, Mapping[str, str]] | None = None,
               includes: Mapping[str, tuple[str, ...]] | None = None) -> str:
    """The proxy module's text for the original module's `source`; `methods` (`Class.method`)
    are the methods that are operations, `keep` the functions kept as code, `decorations` the
    project's decorators on each proxied function, `includes` the relationships of the rows an
    operation returns that the service sends along."""
    tree = cst.parse_module(source)
    return tree.visit(ProxyTransformer(service, module, invocations, methods, keep, decorations, includes)).code


def make_proxy_bytes(source: bytes, service: str, module: str, invocations: Mapping[str, str],
                     methods: Collection[str] = (), keep: Collection[str] = (),
                     decorations: Mapping[str, Mapping[str, str]] | None = None,
                     includes: Mapping[str, tuple[str, ...]] | None = None) -> bytes:
    """The same on a file's bytes: the file's own encoding (its coding cookie) is kept."""
    tree = cst.parse_module(source)
    return tree.visit(ProxyTransformer(service, module, invocations, methods, keep, decorations, includes)).bytes


def _methods(cls: cst.ClassDef) -> list[cst.FunctionDef]:
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
    return [statement for statement in body if isinstance(statement, cst.FunctionDef)]


def _method_kind(function: cst.FunctionDef) -> str:
    """static, class or instance, from the method's decorators."""
    names = {decorator_name(_code(d.decorator)).rsplit(".", 1)[-1] for d in function.decorators}
    return "static" if "staticmethod" in names else "class" if "classmethod" in names else "instance"


def _is_overload(function: cst.FunctionDef) -> bool:
    return any(decorator_name(_code(d.decorator)).rsplit(".", 1)[-1] == "overload" for d in function.decorators)


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _parameter_names(params: cst.Parameters) -> list[str]:
    names = [p.name.value for p in (*params.posonly_params, *params.params)]
    if isinstance(params.star_arg, cst.Param):
        names.append(params.star_arg.name.value)
    names.extend(p.name.value for p in params.kwonly_params)
    if params.star_kwarg is not None:
        names.append(params.star_kwarg.name.value)
    return names


def _session_parameters(params: cst.Parameters) -> list[str]:
    """Parameters typed as a SQLAlchemy session (`Session`, `orm.Session`, `scoped_session`): the
    service opens its own (m2l_runtime/orm.py), so the proxy does not send them."""
    found = []
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.annotation is None:
            continue
        text = _code(param.annotation.annotation).strip().strip("'\"")
        if text.rsplit(".", 1)[-1] in SESSION_TYPES:
            found.append(param.name.value)
    return found


def _docstring_statement(function: cst.FunctionDef) -> cst.BaseStatement | None:
    body = function.body
    if not isinstance(body, cst.IndentedBlock) or not body.body:
        return None
    first = body.body[0]
    if (isinstance(first, cst.SimpleStatementLine) and len(first.body) == 1
            and isinstance(first.body[0], cst.Expr) and isinstance(first.body[0].value, (cst.SimpleString,
                                                                                      cst.ConcatenatedString))):
        return first
    return None


def _is_client_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and cst.Module([statement]).code == CLIENT_IMPORT


def _import_position(module: cst.Module) -> int:
    """After the module docstring and the imports at the top of the module."""
    position = 0
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        small = statement.body[0]
        is_docstring = index == 0 and isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString)
        if not (is_docstring or isinstance(small, (cst.Import, cst.ImportFrom))):
            break
        position = index + 1
    return position
