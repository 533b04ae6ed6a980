"""Awkward sources: a module in its own encoding keeps it; a module that does not parse
stops extraction with its file:line, and nothing is written."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from mono2lambda.cli import cli

PLAN = "version: 1\nsource: mini\nservices:\n  greet:\n    modules: [mini.greet]\nshared: [mini]\n"
LATIN = '# -*- coding: latin-1 -*-\n"""Grüße."""\n\n\ndef hello(name: str) -> str:\n    return "Grüß " + name\n'


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def make(root: Path, greet: bytes) -> None:
    (root / "mini").mkdir(parents=True)
    (root / "mini" / "__init__.py").write_text("")
    (root / "mini" / "greet.py").write_bytes(greet)
    (root / "boundaries.yaml").write_text(PLAN)


def extract(root: Path, analyzed: int = 0) -> tuple[int, str]:
    assert run("analyze", str(root), "--out", str(root.parent / "analysis"))[0] == analyzed
    return run("extract", "--plan", str(root / "boundaries.yaml"), "--graph",
               str(root.parent / "analysis" / "graph.json"), "--out", str(root.parent / "generated"))


def test_a_module_keeps_its_encoding_in_the_proxy_and_the_package(tmp_path: Path) -> None:
    make(tmp_path / "mini", LATIN.encode("latin-1"))
    code, text = extract(tmp_path / "mini")
    assert code == 0, text
    proxy = (tmp_path / "generated" / "monolith" / "mini" / "greet.py").read_bytes()
    assert proxy.startswith(b"# -*- coding: latin-1 -*-") and "Grüße".encode("latin-1") in proxy
    assert "_m2l_client.call" in proxy.decode("latin-1")
    original = (tmp_path / "generated" / "greet" / "src" / "mini" / "greet.py").read_bytes()
    assert original == LATIN.encode("latin-1")


def test_a_module_that_does_not_parse_stops_extraction_with_its_place(tmp_path: Path) -> None:
    make(tmp_path / "mini", b'"""Broken."""\n\n\ndef hello(name: str) -> str\n    return name\n')
    code, text = extract(tmp_path / "mini", analyzed=1)  # analyze exits 1: a file did not parse
    assert code == 2, text
    assert "mini/greet.py:4" in text and "Traceback" not in text
    assert not (tmp_path / "generated").exists()


def test_an_output_folder_inside_the_source_tree_is_refused(tmp_path: Path) -> None:
    make(tmp_path / "mini", LATIN.encode("latin-1"))
    root = tmp_path / "mini"
    assert run("analyze", str(root), "--out", str(tmp_path / "analysis"))[0] == 0
    code, text = run("extract", "--plan", str(root / "boundaries.yaml"), "--graph",
                     str(tmp_path / "analysis" / "graph.json"), "--out", str(root / "generated"))
    assert code == 2 and "inside the source tree" in text
    assert not (root / "generated").exists()
