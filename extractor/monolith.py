"""The strangled monolith: the source tree with each extracted module swapped for its proxy.

Pure: `{path: bytes}` in, `{path: bytes}` out. Every other file is copied unchanged (its
tests too, which is how the proof runs), and the runtime is added at the import root with
a services.json that points the local transport at the packages next to the monolith.
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import Extraction
from .package import proxy_source, runtime_files, services_config


def render_monolith(extraction: Extraction, tree: Mapping[str, bytes], runtime: Mapping[str, str]) -> dict[str, bytes]:
    proxied = {extraction.files[m]: m for m in extraction.owner if m in extraction.files}
    files = {}
    for path, data in tree.items():
        module = proxied.get(path)
        files[path] = proxy_source(extraction, module, data) if module is not None else data
    names = tuple(s.name for s in extraction.services)
    config = services_config(extraction, names, "..")
    files.update({path: text.encode("utf-8") for path, text in runtime_files(runtime, config, prefix="").items()})
    return dict(sorted(files.items()))
