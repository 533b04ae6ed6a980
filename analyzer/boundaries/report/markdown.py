"""Markdown escaping for the report's values.

Module, service, table and file names, hazard messages and diagnostics come from the
analysed code, so they may hold anything: a `|` or a line break would break a table row,
`*`, `_`, `[`...`]` or backticks would turn into markup, and `<script>` into raw HTML in
renderers that pass HTML through. Every value a Markdown template writes goes through one
of two filters (registered once, in `render.environment`):

- `md`: plain text. Markup characters are backslash-escaped, `<`, `>` and `&` become
  entities, and line breaks and control characters become spaces.
- `code`: a code span. Its fence is longer than any run of backticks inside; in a table,
  `|` is escaped (GitHub's tables split code spans too). Inside a code span nothing is
  markup or HTML, so `<locals>` and `a -> b` stay as written. A value the span cannot hold
  (blank, or `\\|` in a table, whose escape would be lost) is written as `md` text.
"""

from __future__ import annotations

import re

_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")  # what ends a line for Markdown or str.splitlines
_MARKUP = re.compile(r"([\\`*\[\]|~#])")
_LOOSE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # `_` inside a word (snake_case) is inert
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ENTITY_CHARS = re.compile("[&<>]")
_BACKTICKS = re.compile("`+")


def one_line(text: object) -> str:
    """The value on one line: a break would end a table row or a list item."""
    return _BREAKS.sub(" ", str(text))


def markdown_text(text: object) -> str:
    """Text that renders as itself: no markup, no HTML, no table cell boundary."""
    escaped = _MARKUP.sub(r"\\\1", one_line(text))
    escaped = _LOOSE_UNDERSCORE.sub(r"\\_", escaped)
    return _ENTITY_CHARS.sub(lambda m: _ENTITIES[m.group()], escaped)


def code_span(text: object, table: bool = True) -> str:
    """A code span that shows `text` as written (`table`: it sits in a table cell)."""
    value = one_line(text)
    if not value.strip() or (table and "\\|" in value):
        return markdown_text(value)  # see the module's docstring
    if table:
        value = value.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(value)), default=0) + 1)
    pad = " " if value.startswith(("`", " ")) or value.endswith(("`", " ")) else ""
    return f"{fence}{pad}{value}{pad}{fence}"
