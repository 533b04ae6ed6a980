"""Golden cases of the proxy codemod: input, `# output`, expected.

The first line of a case names the module and service (`# module: M   service: S`,
optionally `async: f g` and `methods: Class.method ...`, the methods that are operations).
Every case also checks that the output parses and that a second run changes nothing.
Refresh a case by hand: the expected text is the review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from analyzer.boundaries.decorating import REGISTERS, WRAPS
from extractor.codemods.proxy import make_proxy

CASES = sorted((Path(__file__).parent / "cases" / "proxy").glob("*.py"))


def _settings(header: str) -> tuple[str, str, dict[str, str], list[str], set[str], dict[str, dict[str, str]]]:
    """`methods: C.m` names the method operations; `keep: f g` the functions kept as code (the
    project's decorators); `wraps: f=d` and `registers: f=d` the project decorators `d` on the
    proxied function `f`."""
    fields = dict(part.split(": ", 1) for part in header.lstrip("# ").split("   "))
    invocations = dict.fromkeys(fields.get("async", "").split(), "async")
    decorations: dict[str, dict[str, str]] = {}
    for mode in (WRAPS, REGISTERS):
        for pair in fields.get(mode, "").split():
            function, decorator = pair.split("=")
            decorations.setdefault(function, {})[decorator] = mode
    return (fields["module"], fields["service"], invocations, fields.get("methods", "").split(),
            set(fields.get("keep", "").split()), decorations)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_proxy_case(case: Path) -> None:
    source, expected = case.read_text(encoding="utf-8").split("# output\n")
    module, service, invocations, methods, keep, decorations = _settings(source.splitlines()[0])
    output = make_proxy(source, service, module, invocations, methods, keep, decorations)
    assert output == expected
    ast.parse(output)
    assert make_proxy(output, service, module, invocations, methods, keep, decorations) == output


def test_the_shop_modules_become_proxies_that_parse_and_keep_their_public_names() -> None:
    root = Path(__file__).parents[2] / "examples" / "shop"
    for path in sorted((root / "shop").rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        source = path.read_text(encoding="utf-8")
        proxy = make_proxy(source, "svc", module, {})
        tree = ast.parse(proxy)
        public = {n.name for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        assert public <= {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        assert make_proxy(proxy, "svc", module, {}) == proxy, path
