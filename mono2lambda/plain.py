"""Printing to a pipe or a file without importing rich (a fifth of a command's start).

Outside a terminal rich prints no colour and, as `render.make_console` sets it up, cuts and
wraps nothing: what it writes is the text itself, and tables drawn with box characters whose
columns are as wide as their widest cell. `PlainConsole` writes the same bytes for the text
`analyze` prints, and hands what it cannot be sure to write the same way (other markup than
its own bold tags, control characters, tables with markup or wide characters) to a rich
console set up as `make_console` sets one up outside a terminal; tests/cli/test_plain.py
holds the two to the same output.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

# The markup `render` writes around text: removed here as rich removes it. Any other tag, or an
# escaped bracket, goes to rich, whose markup rules decide what it prints.
OWN_TAGS = frozenset({"[bold]", "[/bold]", "[bold red]", "[/bold red]"})
_TAG = re.compile(r"\\*\[[a-z#/@][^\[]*?\]")  # what rich's markup reads as a tag (rich.markup.RE_TAGS)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # rich expands tabs and drops some control codes: rich prints those
# rich's HEAVY_HEAD box, as its tables are drawn: top, header row, below the header, rows, bottom
_TOP, _HEAD, _BELOW_HEAD, _ROW, _BOTTOM = ("┏━┳┓", "┃ ┃┃", "┡━╇┩", "│ ││", "└─┴┘")


def is_plain(stream: IO[str]) -> bool:
    """Whether rich would take `stream` for something other than a terminal (rich.console's
    `is_terminal`): not a tty, and none of the variables that make rich think otherwise set.
    Under IPython or IDLE rich decides."""
    if "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ or "ipykernel" in sys.modules \
            or getattr(sys.stdin, "__module__", "").startswith("idlelib"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return isatty is not None and not isatty()
    except ValueError:  # a closed stream
        return True


class PlainConsole:
    """The part of a rich `Console` that `render` uses to print `analyze`'s summary, for a
    stream that is not a terminal (see the module's docstring)."""

    def __init__(self, stderr: bool = False) -> None:
        self.stderr = stderr
        self._rich: Console | None = None

    @property
    def file(self) -> IO[str]:
        return sys.stderr if self.stderr else sys.stdout  # as rich: the stream of the moment

    def print(self, text: str, *, markup: bool = True, highlight: bool | None = None, style: str | None = None) -> None:
        """`text` as rich prints it outside a terminal: without its markup, without colour (so
        `highlight` and `style` change nothing)."""
        plain = _without_own_markup(text) if markup else text
        if plain is None or _CONTROL.search(plain):
            self.rich().print(text, markup=markup, highlight=highlight, style=style)
            return
        self.file.write(plain + "\n")

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[str]],
              right: Sequence[str] = ()) -> None:
        """A table as `render._table` makes it and rich draws it outside a terminal: the title
        on its own line, then a box whose columns fit their widest cell."""
        drawn = _draw_table(title, columns, rows, right)
        if drawn is None:
            from .render import _table

            table = _table(title, *columns, right=right)
            for row in rows:
                table.add_row(*row)
            self.rich().print(table)
            return
        self.file.write(drawn)

    def rich(self) -> Console:
        """A rich console set up as `render.make_console` sets one up outside a terminal."""
        if self._rich is None:
            from rich.console import Console

            from .render import NOT_A_TERMINAL_WIDTH

            self._rich = Console(stderr=self.stderr, width=NOT_A_TERMINAL_WIDTH, soft_wrap=True, emoji=False)
        return self._rich


def _without_own_markup(text: str) -> str | None:
    """`text` without its bold tags; None when it holds other markup (rich's to print)."""
    if "[" not in text:
        return text
    tags = _TAG.findall(text)
    opened: list[str] = []
    for tag in tags:
        if tag not in OWN_TAGS:
            return None
        if tag.startswith("[/"):
            if not opened or opened.pop() != tag.replace("/", "", 1):
                return None  # closes nothing open: rich says so (MarkupError)
        else:
            opened.append(tag)
    for tag in tags:
        text = text.replace(tag, "")
    return text


def _draw_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]],
                right: Sequence[str]) -> str | None:
    """The table's lines as rich draws them outside a terminal, or None when rich may draw it
    otherwise: no rows, a cell that is not printable ASCII (rich measures wide and combining
    characters by its own tables), markup in a cell, spaces around a cell's text (rich trims
    them), a table wider than the console."""
    from .render import NOT_A_TERMINAL_WIDTH

    cells = [list(columns), *map(list, rows)]
    if not rows or any(len(row) != len(columns) for row in cells):
        return None
    if not all(cell.isascii() and cell.isprintable() and "[" not in cell and cell.strip() == cell
               for row in cells for cell in row) \
            or not (title.isascii() and title.isprintable()) or "[" in title:
        return None
    widths = [max(map(len, column)) for column in zip(*cells, strict=True)]
    if sum(widths) + 3 * len(widths) + 1 > NOT_A_TERMINAL_WIDTH:
        return None
    justified = [column in right for column in columns]

    def line(box: str) -> str:
        return box[0] + box[2].join(box[1] * (width + 2) for width in widths) + box[3]

    def row(box: str, cells: list[str]) -> str:
        inner = [cell.rjust(width) if to_right else cell.ljust(width)
                 for cell, width, to_right in zip(cells, widths, justified, strict=True)]
        return f"{box[0]} " + f" {box[2]} ".join(inner) + f" {box[3]}"

    lines = ([title] if title else []) + [line(_TOP), row(_HEAD, cells[0]), line(_BELOW_HEAD)]
    lines += [row(_ROW, cells) for cells in cells[1:]]
    lines.append(line(_BOTTOM))
    return "\n".join(lines) + "\n"

