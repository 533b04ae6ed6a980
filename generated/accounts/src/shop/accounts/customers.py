"""Customer registration, profile and address book."""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..common import clock, validation
from ..common.errors import NotFound, ValidationError
from . import auth
from .models import Address, Customer


def register_customer(
    session: Session,
    email: str,
    full_name: str,
    password: str,
    phone: str | None = None,
    marketing_opt_in: bool = False,
) -> Customer:
    email = validation.validate_email(email)
    validation.validate_password(password)
    existing = session.scalar(select(func.count()).select_from(Customer).where(Customer.email == email))
    if existing:
        raise ValidationError("email already registered", email=email)
    customer = Customer(
        email=email,
        full_name=full_name.strip(),
        phone=validation.validate_phone(phone),
        password_hash=auth.hash_password(password),
        marketing_opt_in=marketing_opt_in,
        created_at=clock.now(),
    )
    session.add(customer)
    session.flush()
    return customer


def get_customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None or not customer.is_active:
        raise NotFound("customer not found", customer_id=customer_id)
    return customer


def find_by_email(session: Session, email: str) -> Customer | None:
    return session.scalars(select(Customer).where(Customer.email == email.strip().lower())).first()


def update_profile(session: Session, customer_id: int, **changes: object) -> Customer:
    customer = get_customer(session, customer_id)
    if "email" in changes:
        changes["email"] = validation.validate_email(str(changes["email"]))
    if "phone" in changes:
        changes["phone"] = validation.validate_phone(changes["phone"])  # type: ignore[arg-type]
    allowed = {"email", "full_name", "phone", "marketing_opt_in"}
    for key, value in changes.items():
        if key not in allowed:
            raise ValidationError("unknown profile field", field=key)
        setattr(customer, key, value)
    return session.merge(customer)


def deactivate_customer(session: Session, customer_id: int) -> None:
    customer = get_customer(session, customer_id)
    customer.is_active = False
    auth.revoke_all_tokens(session, customer.id)


def add_address(
    session: Session,
    customer_id: int,
    line1: str,
    city: str,
    postcode: str,
    region: str,
    line2: str | None = None,
    make_default: bool = False,
) -> Address:
    customer = get_customer(session, customer_id)
    region = validation.validate_region(region)
    validation.require(bool(line1.strip()), "address line1 is required")
    has_addresses = bool(customer.addresses)
    if make_default and has_addresses:
        session.execute(update(Address).where(Address.customer_id == customer.id).values(is_default=False))
    address = Address(
        customer_id=customer.id,
        line1=line1.strip(),
        line2=line2,
        city=city.strip(),
        postcode=postcode.strip().upper(),
        region=region,
        is_default=make_default or not has_addresses,
    )
    session.add(address)
    session.flush()
    session.refresh(customer)
    return address


def list_addresses(session: Session, customer_id: int) -> list[Address]:
    stmt = select(Address).where(Address.customer_id == customer_id).order_by(Address.is_default.desc(), Address.id)
    return list(session.scalars(stmt))


def default_address(session: Session, customer_id: int) -> Address:
    addresses = list_addresses(session, customer_id)
    if not addresses:
        raise NotFound("customer has no address", customer_id=customer_id)
    return addresses[0]


def remove_address(session: Session, customer_id: int, address_id: int) -> None:
    address = session.get(Address, address_id)
    if address is None or address.customer_id != customer_id:
        raise NotFound("address not found", address_id=address_id)
    was_default = address.is_default
    session.delete(address)
    session.flush()
    if was_default:
        remaining = list_addresses(session, customer_id)
        if remaining:
            remaining[0].is_default = True
