"""Audit trail: the ``audit_log`` table and the ``@audited`` decorator."""
from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any, Callable, ParamSpec, TypeVar

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import clock, db

P = ParamSpec("P")
R = TypeVar("R")


class AuditEntry(db.Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime)


def _subject_of(result: Any) -> str | None:
    for attribute in ("reference", "id"):
        value = getattr(result, attribute, None)
        if value is not None:
            return str(value)
    return None


def record(session: Session, action: str, subject: str | None = None, **detail: Any) -> AuditEntry:
    entry = AuditEntry(
        action=action,
        subject=subject,
        detail=json.dumps(detail, default=str, sort_keys=True),
        created_at=clock.now(),
    )
    session.add(entry)
    return entry


def audited(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Write an ``audit_log`` row after the wrapped call succeeds."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            result = fn(*args, **kwargs)
            with db.session_scope() as session:
                record(session, action, _subject_of(result), function=fn.__qualname__)
            return result

        return wrapper

    return decorate


def entries(session: Session, action: str | None = None) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        stmt = stmt.where(AuditEntry.action == action)
    return list(session.scalars(stmt))
