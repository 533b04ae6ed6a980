"""Password hashing, login tokens and the ``@require_customer`` decorator."""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Callable, ParamSpec, TypeVar

from flask import g, request
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..common import clock, db, ids
from ..common.errors import AuthError
from .models import AuthToken, Customer

P = ParamSpec("P")
R = TypeVar("R")

PBKDF2_ROUNDS = 2_000
TOKEN_TTL = timedelta(hours=12)


def hash_password(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), PBKDF2_ROUNDS)
    return f"pbkdf2${salt}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _scheme, salt, _digest = stored.split("$")
    except ValueError:
        return False
    return hmac.compare_digest(hash_password(password, salt), stored)


def login(session: Session, email: str, password: str) -> str:
    """Return a new bearer token for valid credentials."""
    customer = session.scalars(select(Customer).where(Customer.email == email.strip().lower())).first()
    if customer is None or not customer.is_active or not verify_password(password, customer.password_hash):
        raise AuthError("invalid email or password")
    token = ids.new_token()
    session.add(AuthToken(token=token, customer_id=customer.id, expires_at=clock.now() + TOKEN_TTL))
    return token


def authenticate(session: Session, token: str) -> Customer:
    row = session.get(AuthToken, token)
    if row is None or row.expires_at <= clock.now():
        raise AuthError("invalid or expired token")
    customer = session.get(Customer, row.customer_id)
    if customer is None or not customer.is_active:
        raise AuthError("customer disabled")
    return customer


def logout(session: Session, token: str) -> None:
    row = session.get(AuthToken, token)
    if row is not None:
        session.delete(row)


def revoke_all_tokens(session: Session, customer_id: int) -> int:
    result = session.execute(delete(AuthToken).where(AuthToken.customer_id == customer_id))
    return result.rowcount or 0


def purge_expired_tokens(session: Session) -> int:
    result = session.execute(delete(AuthToken).where(AuthToken.expires_at <= clock.now()))
    return result.rowcount or 0


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthError("missing bearer token")
    return token.strip()


def require_customer(view: Callable[P, R]) -> Callable[P, R]:
    """Flask view decorator: authenticate the bearer token into ``g.customer_id``."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _bearer_token()
        with db.session_scope() as session:
            customer = authenticate(session, token)
            g.customer_id = customer.id
            g.customer_email = customer.email
        return view(*args, **kwargs)

    return wrapper
