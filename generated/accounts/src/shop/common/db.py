"""Engine, session factory and declarative base shared by all domains."""
from __future__ import annotations

import os
from contextlib import contextmanager
from decimal import Decimal
from typing import Iterator

from sqlalchemy import Engine, Integer, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from . import money

# The database is configured, not implied: the monolith and every service extracted from it
# read the same setting, so they share one database.
DEFAULT_URL = os.environ.get("SHOP_DATABASE_URL", "sqlite+pysqlite:///:memory:")

_engine: Engine | None = None
_session_factory: sessionmaker[Session] | None = None


class Base(DeclarativeBase):
    """Declarative base for every ORM model of the shop."""


class MoneyType(TypeDecorator):
    """Stores Decimal amounts as integer cents."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: object) -> int | None:
        return None if value is None else money.to_cents(money.to_decimal(value))

    def process_result_value(self, value: int | None, dialect: object) -> Decimal | None:
        return None if value is None else money.from_cents(value)


def _enable_foreign_keys(dbapi_connection: object, connection_record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def init_db(url: str | None = None, *, echo: bool = False) -> Engine:
    """(Re)create the engine and session factory, and create every table.

    Without ``url``, ``SHOP_DATABASE_URL`` is read now (else ``DEFAULT_URL``).
    """
    global _engine, _session_factory
    if url is None:
        url = os.environ.get("SHOP_DATABASE_URL", DEFAULT_URL)
    if _engine is not None:
        _engine.dispose()
    options: dict[str, object] = {"echo": echo}
    if url.startswith("sqlite") and (":memory:" in url or url.endswith("://")):
        options.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
    elif url.startswith("sqlite"):  # a file shared with other processes: wait for their locks
        options.update(connect_args={"timeout": 15})
    _engine = create_engine(url, **options)
    event.listen(_engine, "connect", _enable_foreign_keys)
    _session_factory = sessionmaker(bind=_engine, expire_on_commit=False)
    import_models()
    Base.metadata.create_all(_engine)
    return _engine


def reset_db() -> None:
    """Drop and recreate every table (a file database keeps its rows otherwise)."""
    engine = get_engine()
    import_models()
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)


def import_models() -> None:
    """Import every models module so that Base.metadata knows all tables."""
    from shop.accounts import models as _accounts  # noqa: F401
    from shop.catalog import models as _catalog  # noqa: F401
    from shop.pricing import models as _pricing  # noqa: F401
    from shop.inventory import models as _inventory  # noqa: F401
    from shop.cart import models as _cart  # noqa: F401
    from shop.orders import models as _orders  # noqa: F401
    from shop.payments import models as _payments  # noqa: F401
    from shop.shipping import models as _shipping  # noqa: F401
    from shop.notifications import models as _notifications  # noqa: F401
    from shop.reporting import models as _reporting  # noqa: F401
    from . import audit as _audit  # noqa: F401


def get_engine() -> Engine:
    if _engine is None:
        init_db()
    assert _engine is not None
    return _engine


def new_session() -> Session:
    if _session_factory is None:
        init_db()
    assert _session_factory is not None
    return _session_factory()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A unit of work: commit on success, roll back on error.

    Code inside may commit earlier (the cart commits a new cart before inventory reserves
    stock for it), so the session is not held in one ``session.begin()`` block.
    """
    session = new_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def table_names() -> list[str]:
    import_models()
    return sorted(Base.metadata.tables)
