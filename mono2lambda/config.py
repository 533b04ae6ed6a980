"""The project's settings: the `[tool.mono2lambda]` table of its pyproject.toml.

What a project always passes (its source folder, the analysis folder, the plan, what to
leave out, the proposal's weights...) is written once in the nearest pyproject.toml from
the current folder up, and becomes the default of the matching options of every command
(click's `default_map`): an option given on the command line wins. Keys and what they set
are in docs/configuration.md. An unknown key or a value of the wrong type is an input
error naming the file and the key.

Pure apart from `find_pyproject` and `load_config` reading the file; imports nothing heavy.
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.errors import InputError
from analyzer.tomldoc import parse_toml

PYPROJECT = "pyproject.toml"
TABLE = "tool.mono2lambda"

# key -> (the TOML type it must have, what it sets); the order is the documentation's.
KEYS: dict[str, tuple[str, str]] = {
    "source": ("string", "the monolith's source folder (analyze SRC; extract and contracts check --source)"),
    "out": ("string", "the analysis folder (analyze --out; --graph OUT/graph.json elsewhere)"),
    "plan": ("string", "the plan file (--plan of propose, report, plan, select, extract, contracts check, check)"),
    "exclude": ("list of strings", "globs analyze leaves out (analyze --exclude)"),
    "include_tests": ("boolean", "analyze test files too (analyze --include-tests)"),
    "include_migrations": ("boolean", "analyze schema migrations too (analyze --include-migrations)"),
    "weights": ("table of numbers", "pulls of the unit graph, NAME = VALUE (propose --weight NAME=VALUE)"),
    "seed": ("integer", "the clustering's seed (propose --seed)"),
    "services": ("integer", "how many services to propose (propose --services)"),
    "report_links": ("string", "a URL template for file:line links, with {path} and {line}"),
    "region": ("string", "the AWS region (--region of deploy, destroy, extract, serve, invoke)"),
}
PATH_KEYS = ("source", "out", "plan")
LINK_FIELDS = frozenset({"path", "line"})
# Commands of the `plan` group that read --plan and --graph (kept equal to the group by a test).
PLAN_COMMANDS = ("keep", "merge", "move", "rename", "score", "share", "show", "split", "why")


@dataclass(frozen=True)
class Config:
    """The settings found, with paths made relative to the current folder when they can be."""

    path: Path | None = None  # the pyproject.toml they came from (None: no settings)
    values: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def default_map(self) -> dict[str, Any]:
        """The defaults of each command's options, as click's `default_map` of the root group."""
        v = self.values
        graph = str(Path(v["out"]) / "graph.json") if "out" in v else None
        reads = _present(graph_path=graph, plan_path=v.get("plan"))
        analyze = _present(src=v.get("source"), out_dir=v.get("out"), exclude=v.get("exclude"),
                           include_tests=v.get("include_tests"), include_migrations=v.get("include_migrations"))
        weights = [f"{name}={value}" for name, value in (v.get("weights") or {}).items()] or None
        propose = {**reads, **_present(weights=weights, seed=v.get("seed"), services=v.get("services"))}
        extraction = _present(plan_path=v.get("plan"), source=v.get("source"))
        traced = _present(source=v.get("source"), out_dir=v.get("out"), exclude=v.get("exclude"),
                          include_tests=v.get("include_tests"), include_migrations=v.get("include_migrations"))
        commands = {
            "analyze": analyze,
            "trace": traced,
            "propose": propose,
            "report": reads,
            "select": reads,
            "check": reads,
            "plan": dict.fromkeys(PLAN_COMMANDS, reads) if reads else {},
            "extract": {**extraction, **_present(region=v.get("region"))},
            "contracts": {"check": extraction} if extraction else {},
            "deploy": _present(region=v.get("region")),
            "destroy": _present(region=v.get("region")),
            "serve": _present(region=v.get("region")),
            "invoke": _present(region=v.get("region")),
        }
        return {name: options for name, options in commands.items() if options}


def _present(**options: Any) -> dict[str, Any]:
    return {name: value for name, value in options.items() if value is not None}


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest pyproject.toml from `start` (default: the current folder) up, if any."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / PYPROJECT
        if path.is_file():
            return path
    return None


def load_config(path: Path | None = None, *, cwd: Path | None = None) -> Config:
    """The `[tool.mono2lambda]` settings of `path` (default: the nearest pyproject.toml).

    A pyproject.toml without the table gives empty settings; a file given explicitly must exist.
    A file that never names mono2lambda is not parsed (every command reads it: the TOML parser
    costs as much to import as a quick command's work)."""
    if path is None:
        path = find_pyproject(cwd)
        if path is None:
            return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such configuration file",
                         hint="pass --config PATH to a pyproject.toml, or leave it out") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot be read ({error})") from None
    if "mono2lambda" not in text:
        return Config(path)
    try:
        document = parse_toml(text)
    except ValueError as error:
        raise InputError(f"{path}: not valid TOML ({error})", hint="fix the file's syntax") from None
    table = document.get("tool", {}).get("mono2lambda") if isinstance(document.get("tool"), dict) else None
    if table is None:
        return Config(path)
    if not isinstance(table, dict):
        raise InputError(f"{path}: [{TABLE}] must be a table", hint="see docs/configuration.md")
    return Config(path, _validated(table, path, cwd or Path.cwd()))


def _validated(table: dict[str, Any], path: Path, cwd: Path) -> dict[str, Any]:
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        names = ", ".join(repr(key) for key in unknown)
        raise InputError(f"{path}: [{TABLE}] has unknown key{'s' if len(unknown) > 1 else ''} {names}",
                         hint=f"valid keys: {', '.join(KEYS)} (docs/configuration.md)")
    values: dict[str, Any] = {}
    for key, value in table.items():
        expected = KEYS[key][0]
        if not _has_type(value, expected):
            raise InputError(f"{path}: [{TABLE}] {key} = {value!r}: expected a {expected}",
                             hint=f"{key}: {KEYS[key][1]}")
        values[key] = value
    for key in PATH_KEYS:
        if key in values:
            values[key] = _relative(path.parent / values[key], cwd)
    if "weights" in values:
        _check_weights(values["weights"], path)
    if "report_links" in values:
        _check_links(values["report_links"], path)
    if values.get("services", 1) < 1:
        raise InputError(f"{path}: [{TABLE}] services = {values['services']}: expected at least 1")
    return values


def _has_type(value: Any, expected: str) -> bool:
    if expected == "string":
        return isinstance(value, str)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "list of strings":
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    if expected == "table of numbers":
        return isinstance(value, dict) and all(
            isinstance(item, (int, float)) and not isinstance(item, bool) for item in value.values())
    raise AssertionError(expected)


def _relative(path: Path, cwd: Path) -> str:
    """`path` (relative to the pyproject.toml's folder) as the commands should see it from `cwd`."""
    try:
        return os.path.relpath(path, cwd)
    except ValueError:  # another drive (Windows)
        return str(path)


def _check_weights(weights: dict[str, Any], path: Path) -> None:
    from dataclasses import fields

    from analyzer.boundaries.partition import Weights  # only when the project sets weights

    names = {f.name for f in fields(Weights)}
    unknown = sorted(set(weights) - names)
    if unknown:
        raise InputError(f"{path}: [{TABLE}.weights] has unknown weight {', '.join(repr(n) for n in unknown)}",
                         hint=f"valid weights: {', '.join(sorted(names))} (docs/propose.md)")


def _check_links(template: str, path: Path) -> None:
    try:
        named = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise InputError(f"{path}: [{TABLE}] report_links = {template!r}: {error}",
                         hint='e.g. "vscode://file/{path}:{line}"') from None
    if "path" not in named or not named <= LINK_FIELDS:
        raise InputError(f"{path}: [{TABLE}] report_links = {template!r}: use {{path}} and optionally {{line}}",
                         hint='e.g. "https://github.com/o/r/blob/main/{path}#L{line}"')


def link_for(template: str, path: str, line: int | str) -> str:
    """The report link of `path:line` under a `report_links` template."""
    return template.format(path=path, line=line)
