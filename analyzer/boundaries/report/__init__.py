"""The boundary report: `build_report(graph, placement)` makes a plain view model,
`render_html`, `render_markdown` and `render_json` turn it into text (all pure)."""

from .build import build_report
from .model import REPORT_FORMAT, REPORT_VERSION, ReportModel
from .render import render_html, render_json, render_markdown

__all__ = ["REPORT_FORMAT", "REPORT_VERSION", "ReportModel", "build_report", "render_html", "render_json",
           "render_markdown"]
