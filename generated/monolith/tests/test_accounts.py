import pytest

from shop import accounts
from shop.accounts import auth, customers
from shop.common import db
from shop.common.errors import AuthError, NotFound, ValidationError


def test_register_login_authenticate(seed):
    with db.session_scope() as s:
        token = accounts.login(s, "ALICE@example.com ", "wonder1and")
    with db.session_scope() as s:
        assert accounts.authenticate(s, token).id == seed.alice


def test_wrong_password_and_unknown_user(seed):
    with db.session_scope() as s:
        with pytest.raises(AuthError):
            auth.login(s, "alice@example.com", "wrong-pass1")
        with pytest.raises(AuthError):
            auth.login(s, "nobody@example.com", "wonder1and")


def test_password_hash_roundtrip():
    stored = auth.hash_password("s3cret-pass", salt="abc")
    assert stored.startswith("pbkdf2$abc$")
    assert auth.verify_password("s3cret-pass", stored)
    assert not auth.verify_password("other", stored)
    assert not auth.verify_password("x", "garbage")


def test_token_expires(seed, clock):
    with db.session_scope() as s:
        token = auth.login(s, "bob@example.com", "builder99")
    clock.advance(hours=13)
    with db.session_scope() as s:
        with pytest.raises(AuthError):
            auth.authenticate(s, token)
        assert auth.purge_expired_tokens(s) == 1


def test_duplicate_email_and_weak_password(seed):
    with db.session_scope() as s:
        with pytest.raises(ValidationError):
            customers.register_customer(s, "alice@example.com", "A", "another1pass")
        with pytest.raises(ValidationError):
            customers.register_customer(s, "new@example.com", "N", "short")


def test_address_book_default_handling(seed):
    with db.session_scope() as s:
        second = customers.add_address(s, seed.alice, "2 Side St", "Austin", "73301", "tx", make_default=True)
        assert second.region == "TX"
        assert customers.default_address(s, seed.alice).id == second.id
        customers.remove_address(s, seed.alice, second.id)
        remaining = customers.list_addresses(s, seed.alice)
        assert len(remaining) == 1 and remaining[0].is_default
        with pytest.raises(NotFound):
            customers.remove_address(s, seed.bob, remaining[0].id)


def test_update_profile_and_deactivate(seed):
    with db.session_scope() as s:
        token = auth.login(s, "bob@example.com", "builder99")
        updated = customers.update_profile(s, seed.bob, full_name="Robert Stone", phone="+1 555 0002")
        assert updated.full_name == "Robert Stone" and updated.phone == "+15550002"
        with pytest.raises(ValidationError):
            customers.update_profile(s, seed.bob, password_hash="x")
    with db.session_scope() as s:
        customers.deactivate_customer(s, seed.bob)
    with db.session_scope() as s:
        with pytest.raises(AuthError):
            auth.authenticate(s, token)
        with pytest.raises(NotFound):
            customers.get_customer(s, seed.bob)
