"""TOML documents (pyproject.toml, samconfig.toml, uv and poetry locks) on every supported Python.

The one place that picks the parser: the standard library's tomllib from 3.11, tomli before.
It is imported when a document is parsed, not before: the quick commands never need it.
"""

from __future__ import annotations

import sys
from typing import Any


def parse_toml(text: str) -> dict[str, Any]:
    """The document as a dict; raises ValueError (tomllib's TOMLDecodeError) when it is not TOML."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib.loads(text)
