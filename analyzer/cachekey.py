"""The key that signs the analysis cache, kept outside any analysed tree.

The cache (OUT/cache/) sits next to the analysed code, often inside a cloned repository,
and holds pickles (of encoded facts); a pickle runs code when loaded. So the cache is signed with
HMAC-SHA256 under a key only this user can read, and a cache whose signature does not
match is never unpickled. The key lives in the user's cache folder:
`$MONO2LAMBDA_KEY_DIR` (tests point it at a temporary folder), else
`$XDG_CACHE_HOME/mono2lambda/`, else `~/.cache/mono2lambda/`; the folder is created 0700
and the key file 0600, once.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

# The layout of the files under OUT/cache/ (facts, kept resolutions): a cache of another
# layout is ignored and rebuilt. Their contents are also keyed by the analyzer's code.
CACHE_FORMAT = 3
KEY_DIR_VARIABLE = "MONO2LAMBDA_KEY_DIR"
KEY_FILE = "cache.key"
KEY_BYTES = 32
SIGNATURE_BYTES = hashlib.sha256().digest_size


def key_dir(environ: dict[str, str] | None = None) -> Path:
    env = dict(os.environ if environ is None else environ)
    if env.get(KEY_DIR_VARIABLE):
        return Path(env[KEY_DIR_VARIABLE])
    base = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "mono2lambda"


def cache_key(folder: Path | None = None) -> bytes | None:
    """This user's signing key, made on first use; None when it cannot be read or made (no cache then)."""
    folder = folder or key_dir()
    path = folder / KEY_FILE
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(handle, "wb") as stream:
                stream.write(secrets.token_bytes(KEY_BYTES))
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) == KEY_BYTES else None


def sign(key: bytes, data: bytes | memoryview) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def verified(key: bytes, signature: bytes, data: bytes | memoryview) -> bool:
    return hmac.compare_digest(sign(key, data), signature)


def sealed(magic: bytes, key: bytes, body: bytes) -> bytes:
    """A cache file's bytes: `magic + HMAC-SHA256(key, body) + body`."""
    return magic + sign(key, body) + body


def opened(magic: bytes, key: bytes, data: bytes) -> memoryview | None:
    """The body of a cache file `sealed` with `magic` and this key; None for any other file (one made
    elsewhere, e.g. shipped with the analysed tree, is never decoded)."""
    head = len(magic) + SIGNATURE_BYTES
    body = memoryview(data)[head:]  # not a copy of what may be megabytes
    if not data.startswith(magic) or not verified(key, data[len(magic):head], body):
        return None
    return body
