"""Data files a package carries: the files its code names by a relative path.

A package's `src/` mirrors the source tree, but holds only Python modules; code that opens a
file of the app at import or at run time (a font registered at import, a JSON of constants,
a Django template rendered by name) would fail on Lambda. Copying every non-Python file of
the carried packages would bring the app's static assets along (megabytes of images that a
web server, not the service, serves), so a file is carried when a string literal in the
code the package runs names it: a relative path with at least one folder and an extension
(`"core/static/fonts/OpenSans-Light.ttf"`, `"weight/overview.html"`), found relative to the
module's own folder, to a folder of a package the service carries or its `templates/`
(Django's app templates), or to the source root; or a bare file name found in the module's
own folder (CTFd's config.py reads `"config.ini"` beside it at import). Pure: sources and
tree in, files out.
"""

from __future__ import annotations

import io
import re
import tokenize
from ast import literal_eval
from collections.abc import Iterable, Iterator, Mapping
from posixpath import dirname, join, normpath

RELATIVE_PATH = re.compile(r"^(?:\./)?[\w.@+-]+(?:/[\w.@+-]+)+\.[A-Za-z0-9]{1,8}$")
FILE_NAME = re.compile(r"^[\w@+-][\w.@+-]*\.[A-Za-z0-9]{1,8}$")
NOT_DATA = (".py", ".pyc", ".pyo")
TEMPLATE_FOLDER = "templates"


def named_files(sources: Mapping[str, bytes], files: Mapping[str, str], tree: Mapping[str, bytes]
                ) -> dict[str, bytes]:
    """The files of `tree` (relative path -> bytes) that the modules in `sources` (module -> source)
    name; `files` gives each module's relative path in the tree."""
    folders = sorted({dirname(files[m]) for m in sources if m in files})
    bases = [base for folder in folders for base in (folder, join(folder, TEMPLATE_FOLDER))] + [""]
    found: dict[str, bytes] = {}
    for module, source in sorted(sources.items()):
        own = dirname(files.get(module, ""))
        for literal in path_literals(source):
            path = _first_in_tree(literal, [own] if "/" not in literal else [own, *bases], tree)
            if path is not None:
                found[path] = tree[path]
    return dict(sorted(found.items()))


def path_literals(source: bytes) -> Iterator[str]:
    """The string literals of `source` that look like a relative file path or a file name."""
    try:
        for token in tokenize.tokenize(io.BytesIO(source).readline):
            if token.type == tokenize.STRING and "." in token.string:
                value = _value(token.string)
                if value is not None and (RELATIVE_PATH.match(value) or FILE_NAME.match(value)):
                    yield value
    except (tokenize.TokenError, SyntaxError):  # a file that does not tokenize names nothing here
        return


def _value(literal: str) -> str | None:
    if literal.lstrip("rRbBuU")[:1] not in ("'", '"'):  # an f-string or bytes: not one fixed path
        return None
    try:
        value = literal_eval(literal)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def _first_in_tree(literal: str, bases: Iterable[str], tree: Mapping[str, bytes]) -> str | None:
    for base in bases:
        path = normpath(join(base, literal)) if base else normpath(literal)
        if path in tree and not path.endswith(NOT_DATA) and not path.startswith("../"):
            return path
    return None
