"""Data files a package carries: those its code names by a relative path (data_files.py)."""

from __future__ import annotations

from extractor.data_files import named_files, path_literals

TREE = {
    "app/__init__.py": b"",
    "app/pdf.py": b"",
    "app/static/fonts/Sans.ttf": b"font",
    "app/static/fonts/Unused.ttf": b"never named",
    "app/static/logo.png": b"png",
    "app/templates/app/page.html": b"<p>",
    "app/data/rates.json": b"{}",
    "app/helpers.py": b"",
    "app/config.ini": b"[server]",
    "settings.ini": b"top",
}
FILES = {"app": "app/__init__.py", "app.pdf": "app/pdf.py", "app.helpers": "app/helpers.py"}


def test_a_file_named_relative_to_a_carried_package_its_templates_or_the_module_is_carried() -> None:
    sources = {"app.pdf": b"from os.path import join\n"
                          b"FONT = join(ROOT, 'static/fonts/Sans.ttf')\n"
                          b"PAGE = \"app/page.html\"\n"
                          b"RATES = 'data/rates.json'\n"
                          b"LOGO = f'static/{name}.png'\n"
                          b"RAW = b'static/logo.png'\n"
                          b"URL = 'https://example.com/static/logo.png'\n"
                          b"CODE = 'app/helpers.py'\n"
                          b"INI = 'config.ini'\n"
                          b"ELSEWHERE = 'settings.ini'\n"}
    found = named_files(sources, FILES, TREE)
    assert found == {"app/config.ini": b"[server]", "app/data/rates.json": b"{}",
                     "app/static/fonts/Sans.ttf": b"font", "app/templates/app/page.html": b"<p>"}


def test_only_literals_shaped_like_relative_paths_are_read_and_bad_source_names_nothing() -> None:
    source = b"a = 'x/y.txt'\nb = 'a-file.txt'\nc = '/abs/path.txt'\nd = 'a/b'\ne = '../up/f.txt'\nf = 'v1.2 notes'\n"
    assert list(path_literals(source)) == ["x/y.txt", "a-file.txt", "../up/f.txt"]
    assert list(path_literals(b"def broken(:\n    'x/y.txt\n")) == []
    tree = {**TREE, "shared/terms.txt": b"t"}  # the tree holds only the source root's files: nothing above it
    assert named_files({"app.pdf": b"A = '../shared/terms.txt'\nB = '../../etc/passwd.txt'\n"}, FILES, tree) == {
        "shared/terms.txt": b"t"}
