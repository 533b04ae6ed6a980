"""The guide (docs/guide/) cannot go stale on what the code decides: every hazard kind the
code can emit has its playbook entry, the IAM policy lists exactly the AWS calls the
adapter makes, the exit-code table names every command, links resolve, and the README
leads to the guide."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import click

from mono2lambda.cli import cli

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "guide"
PAGES = ("index.md", "install.md", "tutorial.md", "what-to-commit.md", "hazards.md", "troubleshooting.md",
         "aws-permissions.md", "exit-codes.md")
# Calls whose kind is the kind of another finding passed on (not a new kind), by the source of the argument.
PASSED_ON = {"self.kind", "finding.kind", "str(d.get('code', 'parse-error'))"}
# The classes a finding is made with -> where the kind is among the arguments.
FINDING_CALLS = {("analyzer.boundaries.hazards", "Finding"): 0, ("analyzer.boundaries.hazards", "Problem"): 0,
                 ("analyzer.boundaries.drift", "CheckFinding"): 1}


# --- hazard kinds, read from the code ----------------------------------------------------------------


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for package in ("analyzer", "extractor"):
        for path in sorted((REPO / package).rglob("*.py")):
            if "runtime" in path.relative_to(REPO).parts:  # the generated packages' own code
                continue
            name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
            yield name, ast.parse(path.read_text(encoding="utf-8"))


def _constants(tree: ast.Module) -> dict[str, object]:
    """Module-level NAME = "text" and NAME = {key: NAME or "text", ...}."""
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and node.value is not None:
                    found[target.id] = node.value
    return found


def _imports(name: str, tree: ast.Module) -> dict[str, tuple[str, str]]:
    """Imported name -> (module, name there), relative imports resolved."""
    package = name.rsplit(".", 1)[0] if not name.endswith("__init__") else name
    found = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            module = ".".join(base[:len(base) - node.level + 1] + ([node.module] if node.module else [])) \
                if node.level else (node.module or "")
            for alias in node.names:
                found[alias.asname or alias.name] = (module, alias.name)
    return found


def _resolve(expr: ast.expr, module: str, index: dict[str, tuple[dict[str, object], dict[str, tuple[str, str]]]],
             ) -> set[str] | None:
    """The kinds an argument can be, or None when it is not a constant of the code."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.Subscript):  # DRIFT_KIND[c.kind]: every value of the table
        table = _resolve_name(expr.value, module, index)
        if isinstance(table, ast.Dict):
            kinds: set[str] = set()
            for value in table.values:
                kinds |= _resolve(value, module, index) or set()
            return kinds
        return None
    value = _resolve_name(expr, module, index)
    if isinstance(value, ast.expr) and value is not expr:
        return _resolve(value, module, index)
    return None


def _resolve_name(expr: ast.expr, module: str, index: dict[str, tuple[dict[str, object], dict[str, tuple[str, str]]]],
                  ) -> object:
    if not isinstance(expr, ast.Name) or module not in index:
        return None
    constants, imports = index[module]
    if expr.id in constants:
        return constants[expr.id]
    if expr.id in imports:
        source, name = imports[expr.id]
        return _resolve_name(ast.Name(name), source, index) if source in index else None
    return None


def emitted_kinds() -> tuple[set[str], set[str]]:
    """(kinds, the source of every argument that is not a constant): from each Finding(...),
    Problem(...) and CheckFinding(...) call in the analyzer and the extractor."""
    modules = list(_modules())
    index = {name: (_constants(tree), _imports(name, tree)) for name, tree in modules}
    kinds: set[str] = set()
    dynamic: set[str] = set()
    for name, tree in modules:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if not isinstance(node.func, ast.Name):
                continue
            imports = index[name][1]
            position = FINDING_CALLS.get(imports.get(node.func.id, (name, node.func.id)))
            if position is None or len(node.args) <= position:
                continue
            found = _resolve(node.args[position], name, index)
            if found is None:
                dynamic.add(ast.unparse(node.args[position]))
            else:
                kinds |= found
    return kinds, dynamic


def test_the_kinds_are_read_from_the_code() -> None:
    kinds, dynamic = emitted_kinds()
    assert {"wire-unsafe-type", "orm-converted", "trigger-signature", "function-name-clash",
            "new-write-across", "lambda-module-state"} <= kinds
    assert dynamic <= PASSED_ON, f"a finding's kind comes from somewhere new: {dynamic - PASSED_ON}"


def test_the_playbook_has_every_hazard_kind_the_code_can_emit() -> None:
    kinds, _ = emitted_kinds()
    text = (GUIDE / "hazards.md").read_text(encoding="utf-8")
    headed = {kind.strip() for heading in re.findall(r"^## (.+)$", text, re.MULTILINE)
              for kind in heading.split(",")}
    tabled = set(re.findall(r"^\| \[`([a-z-]+)`\]", text, re.MULTILINE))
    assert kinds - headed == set(), "add a section to docs/guide/hazards.md for each"
    assert headed - kinds == set(), "the playbook describes kinds the code no longer emits"
    assert tabled == kinds
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        assert "Before" in section or "Fix" in section, section.splitlines()[0]


# --- the IAM policy ----------------------------------------------------------------------------------

# boto3 method -> IAM action, where the action is not the operation's own name
_ACTIONS = {"head_bucket": "s3:ListBucket", "list_objects_v2": "s3:ListBucket", "head_object": "s3:GetObject",
            "delete_objects": "s3:DeleteObject", "invoke": "lambda:InvokeFunction"}


def aws_calls() -> set[tuple[str, str]]:
    """(service, boto3 method) of every call extractor/aws.py makes, paginated ones included."""
    tree = ast.parse((REPO / "extractor" / "aws.py").read_text(encoding="utf-8"))
    calls = set()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef):
            continue
        clients = {target.id: call.args[0].value for node in ast.walk(function) if isinstance(node, ast.Assign)
                   for target in node.targets if isinstance(target, ast.Name)
                   for call in [node.value] if _client_call(call)}
        for node in ast.walk(function):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            service = owner.args[0].value if _client_call(owner) else (
                clients.get(owner.id) if isinstance(owner, ast.Name) else None)
            if service is None:
                continue
            method = node.args[0].value if node.func.attr == "get_paginator" else node.func.attr
            calls.add((str(service), str(method)))
    return calls


def _client_call(node: object) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "_client"
            and bool(node.args) and isinstance(node.args[0], ast.Constant))


def _action(service: str, method: str) -> str:
    return _ACTIONS.get(method) or f"{service}:{''.join(part.title() for part in method.split('_'))}"


def test_the_policy_lists_exactly_the_actions_the_adapter_calls() -> None:
    calls = aws_calls()
    assert ("cloudformation", "describe_stack_events") in calls and ("s3", "delete_objects") in calls
    text = (GUIDE / "aws-permissions.md").read_text(encoding="utf-8")
    policy = json.loads(re.search(r"```json\n(.*?)```", text, re.DOTALL).group(1))  # type: ignore[union-attr]
    listed = {action for statement in policy["Statement"] for action in statement["Action"]}
    assert listed == {_action(service, method) for service, method in calls}
    for service, method in calls:
        assert f"`{service}.{method}`" in text or f"`{method}`" in text, method  # the table names each call


# --- exit codes, links, the README -------------------------------------------------------------------


def command_names() -> set[str]:
    context = click.Context(cli)
    names = set()
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        if isinstance(command, click.Group):
            names |= {f"{name} {sub}" for sub in command.list_commands(click.Context(command))}
        else:
            names.add(name)
    return names


def test_the_exit_code_table_names_every_command() -> None:
    text = (GUIDE / "exit-codes.md").read_text(encoding="utf-8")
    rows = [line.split("|")[1] for line in text.splitlines() if line.startswith("| `")]
    named = set()
    for cell in rows:
        words = re.findall(r"`([a-z ]+)`", cell)
        group = words[0].split()[0] if words and " " in words[0] else ""
        named |= {word if " " in word or not group else f"{group} {word}" for word in words}
    assert command_names() - named == set()


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_of_the_guide_resolves() -> None:
    for page in PAGES:
        path = GUIDE / page
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://")):
                continue
            file, _, anchor = target.partition("#")
            linked = (path.parent / file).resolve() if file else path
            assert linked.is_file(), f"{page}: {target}"
            if anchor:
                headings = re.findall(r"^#+ (.+)$", linked.read_text(encoding="utf-8"), re.MULTILINE)
                assert anchor in {_slug(h) for h in headings}, f"{page}: {target}"


def test_the_readme_leads_to_the_guide_and_the_guide_to_each_page() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "](docs/guide/index.md)" in readme
    index = (GUIDE / "index.md").read_text(encoding="utf-8")
    assert {page for page in PAGES if page != "index.md"} <= set(re.findall(r"\]\(([a-z-]+\.md)\)", index))
    assert sorted(path.name for path in GUIDE.glob("*.md")) == sorted(PAGES)
