"""Outside a terminal `analyze` prints without rich (mono2lambda/plain.py), and prints what rich
would: the same text, the same tables, byte for byte."""

from __future__ import annotations

import random
import string
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from mono2lambda.cli import cli
from mono2lambda.plain import PlainConsole, is_plain
from mono2lambda.render import NOT_A_TERMINAL_WIDTH, _table

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "shop"
TEXTS = ["plain", "  leading", "trailing  ", "", "uni → … 漢字", "tab\there", "cr\rhere", "bell\x07", "esc\x1b[31mred",
         "a\nb", "back\\slash", "[x] y", "[bold]Analyzed app[/bold]: 3 files",
         "[bold red]1 file did not parse[/bold red]",
         "[bold]a[x][/bold]", "\\[x] escaped", "[link=http://x]y[/link]", "a [ b ] c", "list[int]",
         "[bold]x[/]", "[bold]x[/bold][bold red]y[/bold red]", "[bold]open", "x:ok: :x:"]


def rich_console() -> Console:
    """`render.make_console` outside a terminal, writing to a buffer."""
    return Console(file=StringIO(), width=NOT_A_TERMINAL_WIDTH, soft_wrap=True, emoji=False)


def plain_console(monkeypatch: pytest.MonkeyPatch) -> tuple[PlainConsole, StringIO]:
    """A `PlainConsole` on standard output, which writes to the buffer returned with it."""
    buffer = StringIO()
    monkeypatch.setattr(sys, "stdout", buffer)
    return PlainConsole(), buffer


@pytest.mark.parametrize("markup", [True, False])
def test_text_is_printed_as_rich_prints_it(monkeypatch: pytest.MonkeyPatch, markup: bool) -> None:
    for text in TEXTS:
        expected = rich_console()
        expected.print(text, markup=markup, highlight=False)
        console, printed = plain_console(monkeypatch)
        console.print(text, markup=markup)
        assert printed.getvalue() == expected.file.getvalue(), text  # type: ignore[attr-defined]


def test_markup_that_closes_nothing_is_left_to_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.errors import MarkupError

    for text in ("x [/bold] y", "[bold]a[/bold red]", "[/]"):
        with pytest.raises(MarkupError):
            rich_console().print(text)
        with pytest.raises(MarkupError):
            plain_console(monkeypatch)[0].print(text)


def random_cell(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.05:
        return ""
    if kind < 0.1:
        return rng.choice(["é", "漢字", "a[b]", "[red]x", "t\tab", "→"]) + "x"
    return "".join(rng.choice(string.ascii_letters + string.digits + " .,:_-()/") for _ in range(rng.randint(1, 30)))


def test_tables_are_drawn_as_rich_draws_them(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(15)
    for _ in range(300):
        columns = [random_cell(rng) or "c" for _ in range(rng.randint(1, 4))]
        right = [column for column in columns if rng.random() < 0.3]
        rows = [[random_cell(rng) for _ in columns] for _ in range(rng.randint(0, 5))]
        title = rng.choice(["", "T", "Most coupled module pairs (calls, both ways)", random_cell(rng)])
        expected = rich_console()
        table = _table(title, *columns, right=right)
        for row in rows:
            table.add_row(*row)
        expected.print(table)
        console, drawn = plain_console(monkeypatch)
        console.table(title, columns, rows, right)
        assert drawn.getvalue() == expected.file.getvalue(), (title, columns, right, rows)  # type: ignore[attr-defined]


def test_a_pipe_is_plain_and_a_terminal_or_forced_colour_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    assert is_plain(StringIO()) and not is_plain(Terminal())
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not is_plain(StringIO())


@pytest.mark.parametrize("flags", [(), ("-v",), ("-q",)])
def test_analyze_prints_what_rich_prints_outside_a_terminal(tmp_path: Path, flags: tuple[str, ...]) -> None:
    """TTY_COMPATIBLE=0 makes the command print through rich, which also takes it for no terminal."""
    args = ["analyze", str(EXAMPLE), "--out", str(tmp_path / "out"), "--jobs", "1", *flags]
    plain = CliRunner().invoke(cli, args)
    through_rich = CliRunner(env={"TTY_COMPATIBLE": "0"}).invoke(cli, args)
    assert plain.exit_code == through_rich.exit_code == 0, plain.output
    assert plain.output == through_rich.output
    assert "Analyzed shop" in plain.output and "[bold]" not in plain.output


def test_analyze_in_a_pipe_does_not_import_rich(tmp_path: Path) -> None:
    code = ("import sys\nfrom click.testing import CliRunner\nfrom mono2lambda.cli import cli\n"
            f"result = CliRunner().invoke(cli, ['analyze', {str(EXAMPLE)!r}, '--out', {str(tmp_path / 'out')!r}])\n"
            "print(result.exit_code, sorted({m.split('.')[0] for m in sys.modules} & {'rich'}))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.split() == ["0", "[]"], found.stderr
