"""Rendering the report's view model: HTML (one self-contained file), Markdown and JSON.

One jinja2 environment renders every template in `templates/` (package data):
undefined names fail loudly, trailing newlines are kept, HTML is autoescaped, and the
Markdown templates escape every value with the `md` and `code` filters (markdown.py).
In HTML, `location` shows a `file:line` as code, a link when the report has a
`report_links` template, and `group_hazards` gathers hazards by kind.
"""

from __future__ import annotations

import json
from functools import cache

import jinja2
from markupsafe import Markup

from .markdown import code_span, markdown_text
from .model import ReportModel, group_hazards


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("analyzer.boundaries.report", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    )
    env.filters["md"] = markdown_text
    env.filters["code"] = code_span
    env.filters["location"] = location_html
    env.globals["group_hazards"] = group_hazards
    return env


def location_link(location: str, template: str) -> str:
    """The URL of `path:line` (or of a bare path) under a `report_links` template."""
    path, _, line = location.rpartition(":")
    if not path or not line.isdigit():
        path, line = location, ""
    return template.format(path=path, line=line)


def location_html(location: str, template: str) -> Markup:
    code = Markup("<code>%s</code>") % location
    if not template or not location:
        return code
    return Markup('<a class="source" href="%s">%s</a>') % (location_link(location, template), code)


def render_html(model: ReportModel) -> str:
    return environment().get_template("report.html.j2").render(report=model)


def render_markdown(model: ReportModel) -> str:
    return environment().get_template("report.md.j2").render(report=model)


def render_json(model: ReportModel) -> str:
    return json.dumps(model.to_json(), sort_keys=True, indent=1, ensure_ascii=False) + "\n"
