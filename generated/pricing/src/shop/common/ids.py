"""Human readable, sortable reference numbers (order numbers, tracking ids)."""
from __future__ import annotations

import hashlib
import secrets

from . import clock

_sequence = 0
_ISSUED: list[str] = []


def next_sequence() -> int:
    global _sequence
    _sequence += 1
    return _sequence


def reset() -> None:
    """Restart the sequence (tests and fresh databases)."""
    global _sequence
    _sequence = 0
    _ISSUED.clear()


def new_reference(prefix: str) -> str:
    """``PREFIX-YYYYMMDD-NNNNNN`` using the injected clock."""
    stamp = clock.now().strftime("%Y%m%d")
    reference = f"{prefix.upper()}-{stamp}-{next_sequence():06d}"
    _ISSUED.append(reference)
    return reference


def issued_references() -> list[str]:
    return list(_ISSUED)


def new_token(nbytes: int = 24) -> str:
    return secrets.token_urlsafe(nbytes)


def short_hash(*parts: object, length: int = 10) -> str:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return digest[:length].upper()


def slugify(text: str) -> str:
    cleaned = "".join(ch.lower() if ch.isalnum() else "-" for ch in text.strip())
    while "--" in cleaned:
        cleaned = cleaned.replace("--", "-")
    return cleaned.strip("-")
