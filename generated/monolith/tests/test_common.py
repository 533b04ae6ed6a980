from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import inspect, text

from shop.common import clock, db, events, ids, money, validation
from shop.common.decorators import cached, retry
from shop.common.errors import ValidationError


def test_to_decimal_rounds_half_up_and_handles_floats():
    assert money.to_decimal(0.1) == Decimal("0.10")
    assert money.to_decimal("2.675") == Decimal("2.68")
    assert money.to_decimal(3) == Decimal("3.00")
    with pytest.raises(ValueError):
        money.to_decimal("abc")


def test_percent_of_and_format():
    assert money.percent_of(Decimal("45.00"), "7.25") == Decimal("3.26")
    assert money.format_money(Decimal("1234.5")) == "$1,234.50"
    assert money.format_money(Decimal("-3"), "EUR") == "-\u20ac3.00"


def test_allocate_preserves_total():
    shares = money.allocate(Decimal("10.00"), [Decimal("1"), Decimal("1"), Decimal("1")])
    assert sum(shares) == Decimal("10.00")
    assert shares == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    assert money.allocate(Decimal("5.00"), [Decimal("0"), Decimal("0")]) == [Decimal("5.00"), Decimal("0.00")]


def test_references_use_injected_clock_and_sequence(clock):
    first = ids.new_reference("ord")
    clock.advance(days=1)
    second = ids.new_reference("ord")
    assert first == "ORD-20240315-000001"
    assert second == "ORD-20240316-000002"
    assert ids.issued_references() == [first, second]


def test_slugify():
    assert ids.slugify("  Home & Garden!! ") == "home-garden"


@pytest.mark.parametrize("email", ["nope", "a@b", "a b@c.com", ""])
def test_invalid_emails_rejected(email):
    with pytest.raises(ValidationError):
        validation.validate_email(email)


def test_quantity_bounds():
    assert validation.validate_quantity(99) == 99
    for bad in (0, 100, True, 1.5):
        with pytest.raises(ValidationError):
            validation.validate_quantity(bad)


def test_require_fields_lists_missing():
    with pytest.raises(ValidationError) as info:
        validation.require_fields({"a": 1, "b": ""}, "a", "b", "c")
    assert info.value.details["fields"] == "b,c"


def test_retry_calls_until_success_without_sleeping():
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionError("down")
        return "ok"

    assert retry(flaky, attempts=3) == "ok"
    assert len(attempts) == 3
    with pytest.raises(ConnectionError):
        retry(lambda: (_ for _ in ()).throw(ConnectionError("x")), attempts=2)


def test_cached_respects_ttl(clock):
    calls = []

    @cached(ttl_seconds=60)
    def square(x: int) -> int:
        calls.append(x)
        return x * x

    assert square(3) == 9 and square(3) == 9
    assert calls == [3]
    clock.advance(seconds=61)
    square(3)
    assert calls == [3, 3]


def test_event_bus_isolates_failing_handlers():
    received = []

    def bad(payload):
        raise RuntimeError("boom")

    events.subscribe("thing", bad)
    events.subscribe("thing", received.append)
    assert events.publish("thing", {"n": 1}) == 1
    assert received == [{"n": 1}]
    assert events.published("thing") == [("thing", {"n": 1})]


def test_fixed_clock_classmethod():
    assert clock.FixedClock.at("2024-01-02T03:04:05").now() == datetime(2024, 1, 2, 3, 4, 5)


def rows_per_table() -> dict[str, int]:
    with db.session_scope() as s:
        return {name: s.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one() for name in db.table_names()}


def test_reset_db_empties_every_table(seed):
    assert rows_per_table()["customers"] == 2
    db.reset_db()
    assert set(rows_per_table().values()) == {0}


def test_init_db_reads_the_configured_url_when_called(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    monkeypatch.setenv("SHOP_DATABASE_URL", url)
    engine = db.init_db()
    assert str(engine.url) == url
    assert "customers" in inspect(engine).get_table_names()
