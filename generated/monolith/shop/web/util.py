"""Request parsing helpers for the blueprints."""
from __future__ import annotations

from typing import Any

from flask import request

from ..common.errors import ValidationError


def json_body() -> dict[str, Any]:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationError("expected a JSON object body")
    return payload


def int_arg(name: str, default: int, minimum: int = 0, maximum: int = 1000) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValidationError(f"{name} must be an integer") from exc
    return max(minimum, min(value, maximum))
