"""Turn an extracted module into its proxy: same import path, names and signatures.

Every public top-level function keeps its signature and docstring; its body becomes one
call through the runtime client, which sends the arguments to the service through the
operation's contract:

    def tax_for(amount: Decimal, region: str) -> Decimal:
        return _m2l_client.call("tax", "shop.pricing.tax.tax_for", tax_for,
                                {"amount": amount, "region": region})

Everything else stays: imports, classes (the data types, enums and exceptions callers
still build and catch), constants, private helpers. Decorators of proxied functions are
dropped, since they already run inside the service. Running the codemod on its own
output changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

CLIENT = "_m2l_client"
CLIENT_IMPORT = f"from m2l_runtime import client as {CLIENT}\n"
LINE_LENGTH = 100  # characters after `return `: longer calls are split one argument a line


class ProxyTransformer(cst.CSTTransformer):
    """Replace the bodies of public top-level functions with remote calls."""

    def __init__(self, service: str, module: str, invocations: Mapping[str, str]) -> None:
        super().__init__()
        self.service = service
        self.module = module
        self.invocations = invocations  # function name -> "sync" / "async"
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        return False  # nested code is replaced wholesale, never visited

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False  # classes stay exactly as written

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        self.depth -= 1
        name = updated.name.value
        if self.depth or name.startswith("_"):
            return updated
        return updated.with_changes(decorators=(), body=self._body(updated))

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        if any(_is_client_import(statement) for statement in updated.body):
            return updated
        position = _import_position(updated)
        body = list(updated.body)
        body.insert(position, cst.parse_statement(CLIENT_IMPORT))
        return updated.with_changes(body=body)

    def _body(self, function: cst.FunctionDef) -> cst.IndentedBlock:
        call = self._call(function)
        statements: list[cst.BaseStatement] = []
        docstring = _docstring_statement(function)
        if docstring is not None:
            statements.append(docstring)
        statements.append(cst.parse_statement(f"return {call}\n"))
        return cst.IndentedBlock(body=statements)

    def _call(self, function: cst.FunctionDef) -> str:
        name = function.name.value
        pairs = [f'"{p}": {p}' for p in _parameter_names(function.params)]
        invocation = self.invocations.get(name, "sync")
        extra = [f'invocation="{invocation}"'] if invocation != "sync" else []
        parts = [f'"{self.service}"', f'"{self.module}.{name}"', name, "{" + ", ".join(pairs) + "}", *extra]
        call = f"{CLIENT}.call({', '.join(parts)})"
        if len(call) <= LINE_LENGTH:
            return call
        if len(pairs) > 1:  # one argument a line, as a formatter would
            parts[3] = "{\n" + "".join(f"        {pair},\n" for pair in pairs) + "    }"
        return f"{CLIENT}.call(\n" + "".join(f"    {part},\n" for part in parts) + ")"


def make_proxy(source: str, service: str, module: str, invocations: Mapping[str, str]) -> str:
    """The proxy module's text for the original module's `source`."""
    tree = cst.parse_module(source)
    return tree.visit(ProxyTransformer(service, module, invocations)).code


def make_proxy_bytes(source: bytes, service: str, module: str, invocations: Mapping[str, str]) -> bytes:
    """The same on a file's bytes: the file's own encoding (its coding cookie) is kept."""
    tree = cst.parse_module(source)
    return tree.visit(ProxyTransformer(service, module, invocations)).bytes


def _parameter_names(params: cst.Parameters) -> list[str]:
    names = [p.name.value for p in (*params.posonly_params, *params.params)]
    if isinstance(params.star_arg, cst.Param):
        names.append(params.star_arg.name.value)
    names.extend(p.name.value for p in params.kwonly_params)
    if params.star_kwarg is not None:
        names.append(params.star_kwarg.name.value)
    return names


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
