"""The pure side of `prove`: test results, their comparison, the patch scan, the report.

Nothing here runs a process or reads a file: run.py hands in the texts.
"""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"
JUNIT, OUTPUT, EXIT_CODE = "junit", "output", "exit code"


@dataclass(frozen=True)
class SuiteResult:
    """One run of the test command: per test when junit xml was read, else counts from its output."""

    exit_code: int
    source: str  # JUNIT, OUTPUT or EXIT_CODE: where the results come from
    tests: Mapping[str, str] | None = None  # test id -> PASSED/FAILED/ERROR/SKIPPED (junit only)
    counts: Mapping[str, int] = field(default_factory=dict)  # passed, failed, error, skipped
    tail: str = ""  # the end of its output, for a failure

    def to_json(self) -> dict[str, Any]:
        return {"exit_code": self.exit_code, "source": self.source, "counts": dict(self.counts),
                "failed": sorted(t for t, s in (self.tests or {}).items() if s in (FAILED, ERROR))}


def parse_junit(text: str, exit_code: int, tail: str = "") -> SuiteResult:
    """pytest's --junitxml: one `testcase` per test, `failure`/`error`/`skipped` children."""
    tests: dict[str, str] = {}
    for case in ElementTree.fromstring(text).iter("testcase"):
        name = f"{case.get('classname', '')}::{case.get('name', '')}".strip(":")
        children = {child.tag for child in case}
        status = (FAILED if "failure" in children else ERROR if "error" in children
                  else SKIPPED if "skipped" in children else PASSED)
        if tests.get(name) in (FAILED, ERROR):
            continue  # a teardown error after a pass is a second testcase of the same name
        tests[name] = status
    return SuiteResult(exit_code, JUNIT, tests, dict(Counter(tests.values())), tail)


_PYTEST_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")
_UNITTEST_RAN = re.compile(r"^Ran (\d+) tests? in ", re.MULTILINE)
_UNITTEST_END = re.compile(r"^(OK|FAILED)(?: \((.*)\))?\s*$", re.MULTILINE)


def parse_output(text: str, exit_code: int) -> SuiteResult:
    """Counts from the output: pytest's summary line (`3 passed, 1 failed in 2.1s`), or
    unittest's and Django's `manage.py test` (`Ran 12 tests in ...` then `OK (skipped=1)` or
    `FAILED (failures=2, errors=1)`); with neither, the exit code alone."""
    tail = text[-3000:]
    summary = [line for line in text.splitlines() if _PYTEST_COUNT.search(line) and " in " in line]
    if summary:
        counts: Counter[str] = Counter()
        for number, what in _PYTEST_COUNT.findall(summary[-1]):
            counts[{"errors": ERROR, "xfailed": SKIPPED, "xpassed": PASSED}.get(what, what)] += int(number)
        return SuiteResult(exit_code, OUTPUT, None, dict(counts), tail)
    ran, end = _UNITTEST_RAN.findall(text), _UNITTEST_END.findall(text)
    if ran and end:
        details = dict(part.strip().split("=", 1) for part in end[-1][1].split(",") if "=" in part)
        failed, errors = int(details.get("failures", 0)), int(details.get("errors", 0))
        skipped = int(details.get("skipped", 0)) + int(details.get("expected failures", 0))
        passed = int(ran[-1]) - failed - errors - skipped
        return SuiteResult(exit_code, OUTPUT, None, {PASSED: passed, FAILED: failed, ERROR: errors,
                                                     SKIPPED: skipped}, tail)
    return SuiteResult(exit_code, EXIT_CODE, None, {}, tail)


@dataclass(frozen=True)
class Comparison:
    ok: bool  # the strangled run passes at least what the original passed
    basis: str  # "tests" (per test), "counts" or "exit code"
    lost: tuple[str, ...] = ()  # tests that passed on the original and did not in the strangled monolith
    gained: tuple[str, ...] = ()  # tests that failed on the original and pass now
    summary: str = ""


TIMED_OUT = -1  # the exit code run.py records for a run it stopped at its timeout


def compare(original: SuiteResult, strangled: SuiteResult) -> Comparison:
    if original.exit_code == TIMED_OUT and original.tests is None and not original.counts:
        return Comparison(False, "none", summary=f"the original run did not finish ({original.tail}): there is "
                                                 "nothing to compare with (raise --timeout)")
    if original.tests is not None and strangled.tests is not None:
        lost = tuple(sorted(t for t, s in original.tests.items() if s == PASSED and strangled.tests.get(t) != PASSED))
        gained = tuple(sorted(t for t, s in strangled.tests.items()
                              if s == PASSED and original.tests.get(t) in (FAILED, ERROR)))
        return Comparison(not lost, "tests", lost, gained,
                          f"{len(lost)} test(s) that pass on the original do not pass in the strangled monolith"
                          if lost else "every test that passes on the original passes in the strangled monolith")
    if original.counts and strangled.counts:
        before, after = original.counts.get(PASSED, 0), strangled.counts.get(PASSED, 0)
        ok = after >= before and (strangled.exit_code == 0 or original.exit_code != 0)
        return Comparison(ok, "counts", summary=f"{after} passed in the strangled monolith, {before} on the original")
    ok = strangled.exit_code == 0 or original.exit_code != 0
    return Comparison(ok, "exit code", summary=f"exit code {strangled.exit_code} in the strangled monolith, "
                                              f"{original.exit_code} on the original")


@dataclass(frozen=True)
class Patch:
    """A test that patches a name in a module that moved into a service: the patch reaches
    the proxy in the monolith, never the service's code."""

    location: str  # file:line
    target: str  # the patched name as written (`shop.pricing.tax.rate_for`, or `tax, "rate_for"`)
    module: str
    service: str

    def to_json(self) -> dict[str, str]:
        return {"location": self.location, "target": self.target, "module": self.module, "service": self.service}


_PATCH_STRING = frozenset({"patch", "setattr", "delattr"})  # mock.patch("a.b.c"), monkeypatch.setattr("a.b.c", v)
_PATCH_OBJECT = frozenset({"object", "setattr", "delattr", "multiple"})  # patch.object(mod, "n"), setattr(mod, "n", v)


def scan_patches(files: Mapping[str, str], moved: Mapping[str, str]) -> list[Patch]:
    """Patches in the test files (`{path: text}`) of names in the `moved` modules (module -> service):
    `mock.patch("pkg.mod.name")`, `@patch(...)`, `mocker.patch(...)`, `monkeypatch.setattr("pkg.mod.name", v)`,
    and the object forms `patch.object(mod, "name")`, `monkeypatch.setattr(mod, "name", v)` where `mod` is
    (or is imported from) a moved module."""
    found = []
    for path, text in sorted(files.items()):
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        aliases = _import_aliases(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _called_name(node.func)
            first = node.args[0]
            if name in _PATCH_STRING and isinstance(first, ast.Constant) and isinstance(first.value, str):
                module = _moved_prefix(first.value, moved)
                if module is not None:
                    found.append(Patch(f"{path}:{node.lineno}", first.value, module, moved[module]))
            elif name in _PATCH_OBJECT and not isinstance(first, ast.Constant):
                dotted = _dotted(first, aliases)
                module = _moved_prefix(dotted, moved, whole=True) if dotted else None
                if module is not None:
                    attribute = node.args[1] if len(node.args) > 1 else None
                    shown = ast.unparse(first) + (f", {ast.unparse(attribute)}" if attribute is not None else "")
                    found.append(Patch(f"{path}:{node.lineno}", shown, module, moved[module]))
    return found


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _import_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> the dotted name it stands for, from the file's imports."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    head = alias.name.split(".", 1)[0]
                    aliases[head] = head
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _dotted(node: ast.expr, aliases: Mapping[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in aliases:
        return None
    return ".".join([aliases[node.id], *reversed(parts)])


def _moved_prefix(dotted: str, moved: Mapping[str, str], whole: bool = False) -> str | None:
    """The moved module `dotted` names something in (or, with `whole`, is)."""
    parts = dotted.split(".")
    for end in range(len(parts) if whole else len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in moved:
            return prefix
    return None


def read_call_log(text: str) -> Counter[tuple[str, str]]:
    """The runtime's M2L_CALL_LOG: one `service operation` line per call."""
    calls: Counter[tuple[str, str]] = Counter()
    for line in text.splitlines():
        service, _, operation = line.strip().partition(" ")
        if operation:
            calls[service, operation] += 1
    return calls


def unreached(operations: Mapping[str, Sequence[str]], calls: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    reached = set(calls)
    return [(service, op) for service, ops in sorted(operations.items()) for op in ops if (service, op) not in reached]


def operation_tests(operations: Mapping[str, Sequence[str]],
                        reached_by: Mapping[str, Sequence[str]]) -> dict[tuple[str, str], tuple[str, ...]]:
    """(service, operation) -> the tests a trace saw reach it (`Trace.reached_by()`), none listed as ()."""
    return {(service, op): tuple(reached_by.get(op, ())) for service, ops in sorted(operations.items()) for op in ops}


@dataclass(frozen=True)
class ProveReport:
    command: tuple[str, ...]
    original: SuiteResult
    strangled: SuiteResult
    comparison: Comparison
    calls: Mapping[tuple[str, str], int]  # (service, operation) -> calls the monolith's proxies made
    invocations: Mapping[str, int]  # Lambda function -> invocations serve ran (service-to-service calls too)
    unreached: tuple[tuple[str, str], ...]  # operations no test called
    patches: tuple[Patch, ...]
    tests: Mapping[tuple[str, str], tuple[str, ...]] | None = None  # operation -> tests reaching it (a trace)

    @property
    def ok(self) -> bool:
        return self.comparison.ok

    def to_json(self) -> dict[str, Any]:
        services: dict[str, dict[str, int]] = {}
        for (service, operation), count in sorted(self.calls.items()):
            services.setdefault(service, {})[operation] = count
        return {
            "format": "mono2lambda-prove", "version": 1, "ok": self.ok, "command": list(self.command),
            "original": self.original.to_json(), "strangled": self.strangled.to_json(),
            "comparison": {"basis": self.comparison.basis, "summary": self.comparison.summary,
                           "lost": list(self.comparison.lost), "gained": list(self.comparison.gained)},
            "calls": services, "invocations": dict(sorted(self.invocations.items())),
            "unreached": [{"service": s, "operation": o} for s, o in self.unreached],
            "patches": [p.to_json() for p in self.patches],
            **({"tests": [{"service": s, "operation": o, "tests": list(t)}
                          for (s, o), t in sorted(self.tests.items())]} if self.tests is not None else {}),
        }
