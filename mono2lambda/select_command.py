"""`mono2lambda select`: edit the plan on a local web page, watching the scores change."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import click

from .common import handle_errors
from .plan_commands import plan_options
from .web.server import SelectServer, serve
from .web.session import Session


@click.command("select")
@plan_options
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--no-browser", is_flag=True, help="Only print the page's URL; do not open a browser.")
@handle_errors
def select(plan_path: Path, graph_path: Path, port: int, no_browser: bool) -> int:
    """Edit the plan on a local web page: move modules between services, see the scores change, save.

    The page is served on 127.0.0.1 only. The URL printed (and opened) logs in once: it
    sets a session cookie and is worthless afterwards. Saving writes the plan atomically
    and keeps its comments. Stop with Ctrl-C.
    """
    server = SelectServer(Session.open(plan_path, graph_path), port)
    click.echo(f"Editing {plan_path} at {server.url}\n(the URL works once; Ctrl-C to stop)")
    if not no_browser:
        webbrowser.open(server.url)
    serve(server)
    unsaved = " (unsaved changes were discarded)" if server.session.dirty else ""
    click.echo(f"stopped{unsaved}")
    return 0
