"""Writing the generated tree: never over files mono2lambda did not write, never half-written.

`generated/manifest.json` lists every file it wrote with a hash. Before writing, the
output folder is checked against it: a file that is not in the manifest, or that changed
since, belongs to a person, and extract refuses (unless forced) rather than lose it. The
new tree is written into a temporary sibling folder and swapped in with renames, so an
interrupted run leaves the previous output whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analyzer.errors import InputError

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "mono2lambda-manifest"
MANIFEST_VERSION = 1


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def manifest_document(files: Mapping[str, bytes], about: Mapping[str, Any]) -> bytes:
    document = {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, **about,
                "files": {path: digest(data) for path, data in sorted(files.items())}}
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def manifest_services(generated: Path) -> dict[str, dict[str, Any]]:
    """The services GENERATED/manifest.json records (function, operations, modules, ...), by name."""
    manifest = generated / MANIFEST
    if not manifest.is_file():
        raise InputError(f"{generated}: no {MANIFEST}", hint="point --generated at the output of `mono2lambda extract`")
    try:
        services = json.loads(manifest.read_text(encoding="utf-8")).get("services", {})
    except (OSError, ValueError, AttributeError) as error:
        raise InputError(f"{manifest}: cannot read the manifest of the generated packages ({error})",
                         hint="run `mono2lambda extract` again to rewrite it") from None
    return services if isinstance(services, dict) else {}


def foreign_files(out: Path) -> list[str]:
    """Files in `out` that the manifest does not vouch for (absent, or changed since)."""
    if not out.exists():
        return []
    present = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    manifest = out / MANIFEST
    if not manifest.is_file():
        return present
    try:
        known = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError):
        return present
    return [p for p in present if p != MANIFEST and known.get(p) != digest((out / p).read_bytes())]


def write_tree(out: Path, files: Mapping[str, bytes], *, force: bool = False) -> None:
    foreign = foreign_files(out)
    if foreign and not force:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise InputError(f"{out} holds files mono2lambda did not generate (or that changed since): {shown}",
                         hint="move them away, choose another --out, or pass --force to replace them")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the output is an ordinary folder
    try:
        for path, data in files.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        _swap(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        os.replace(staging, out)
        return
    previous = out.with_name(f".{out.name}.previous")
    shutil.rmtree(previous, ignore_errors=True)
    os.replace(out, previous)
    os.replace(staging, out)
    shutil.rmtree(previous, ignore_errors=True)
