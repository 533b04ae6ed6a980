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
from m2l_runtime import client as _m2l_client

P = ParamSpec("P")
R = TypeVar("R")

PBKDF2_ROUNDS = 2_000
TOKEN_TTL = timedelta(hours=12)


def hash_password(password: str, salt: str | None = None) -> str:
    return _m2l_client.call(
        "accounts",
        "shop.accounts.auth.hash_password",
        hash_password,
        {
            "password": password,
            "salt": salt,
        },
    )


def verify_password(password: str, stored: str) -> bool:
    return _m2l_client.call(
        "accounts",
        "shop.accounts.auth.verify_password",
        verify_password,
        {
            "password": password,
            "stored": stored,
        },
    )


def login(session: Session, email: str, password: str) -> str:
    """Return a new bearer token for valid credentials."""
    return _m2l_client.call(
        "accounts",
        "shop.accounts.auth.login",
        login,
        {
            "email": email,
            "password": password,
        },
    )


def authenticate(session: Session, token: str) -> Customer:
    return _m2l_client.call("accounts", "shop.accounts.auth.authenticate", authenticate, {"token": token})


def logout(session: Session, token: str) -> None:
    return _m2l_client.call("accounts", "shop.accounts.auth.logout", logout, {"token": token})


def revoke_all_tokens(session: Session, customer_id: int) -> int:
    return _m2l_client.call(
        "accounts",
        "shop.accounts.auth.revoke_all_tokens",
        revoke_all_tokens,
        {"customer_id": customer_id},
    )


def purge_expired_tokens(session: Session) -> int:
    return _m2l_client.call("accounts", "shop.accounts.auth.purge_expired_tokens", purge_expired_tokens, {})


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
