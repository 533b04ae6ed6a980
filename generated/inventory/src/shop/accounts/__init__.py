"""Customers, addresses and authentication."""
from .customers import add_address, get_customer, register_customer
from .auth import authenticate, login, require_customer
from m2l_runtime import client as _m2l_client

__all__ = ["add_address", "authenticate", "get_customer", "login", "register_customer", "require_customer"]
