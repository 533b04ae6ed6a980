"""Exception hierarchy shared by all domains."""
from __future__ import annotations


class ShopError(Exception):
    """Base class for every error the shop raises on purpose."""

    status_code = 400
    code = "shop_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"error": self.code, "message": self.message}
        if self.details:
            body["details"] = {k: str(v) for k, v in self.details.items()}
        return body


class ValidationError(ShopError):
    code = "validation_error"


class NotFound(ShopError):
    status_code = 404
    code = "not_found"


class AuthError(ShopError):
    status_code = 401
    code = "unauthorized"


class OutOfStock(ShopError):
    status_code = 409
    code = "out_of_stock"


class InvalidCoupon(ShopError):
    code = "invalid_coupon"


class PaymentDeclined(ShopError):
    status_code = 402
    code = "payment_declined"


class InvalidTransition(ShopError):
    status_code = 409
    code = "invalid_transition"
