"""Payment gateway abstraction with card and wallet implementations.

The gateways are offline simulators: card numbers ending in ``0002`` are
declined and ``0119`` raise a (transient) network error, like the usual
payment-provider test cards; a charge to a card ending in ``5126`` succeeds, and
the first attempt to refund it times out (a transient error the caller retries).
The charge's reference carries that behaviour to the refund, so it holds in any
process the gateway runs in: the tests choose it by card, not by patching code.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..common import ids, money
from ..common.errors import ValidationError

NETWORK_ERROR_SUFFIX = "0119"
DECLINED_SUFFIX = "0002"
SLOW_REFUND_SUFFIX = "5126"
SLOW_REFUND_MARK = "-SR"  # ends the reference of a charge whose first refund attempt times out


@dataclass
class GatewayResult:
    ok: bool
    reference: str
    amount: Decimal
    message: str = "approved"


class PaymentGateway:
    name = "base"
    fee_percent = Decimal("0")
    fixed_fee = money.ZERO
    max_amount = Decimal("10000.00")

    def __init__(self, merchant_id: str = "shop-main") -> None:
        self.merchant_id = merchant_id
        self.calls: list[str] = []

    @staticmethod
    def mask(token: str) -> str:
        visible = token[-4:] if len(token) > 4 else token
        return "*" * max(0, len(token) - 4) + visible

    def validate_amount(self, amount: Decimal) -> Decimal:
        amount = money.to_decimal(amount)
        if not money.is_positive(amount) or amount > self.max_amount:
            raise ValidationError("amount out of range", amount=amount)
        return amount

    def fee(self, amount: Decimal) -> Decimal:
        return money.add(money.percent_of(amount, self.fee_percent), self.fixed_fee)

    def charge(self, amount: Decimal, token: str, reference: str) -> GatewayResult:
        amount = self.validate_amount(amount)
        self.calls.append(f"charge:{reference}")
        gateway_ref = f"{self.name[:2].upper()}_{ids.short_hash(self.merchant_id, reference, amount, token)}"
        return GatewayResult(True, gateway_ref, amount)

    def refund(self, gateway_ref: str, amount: Decimal) -> GatewayResult:
        amount = self.validate_amount(amount)
        self.calls.append(f"refund:{gateway_ref}")
        return GatewayResult(True, f"RF_{ids.short_hash(gateway_ref, amount)}", amount)

    def declined(self, amount: Decimal, message: str) -> GatewayResult:
        return GatewayResult(False, "", amount, message)


class CardGateway(PaymentGateway):
    name = "card"
    fee_percent = Decimal("2.9")
    fixed_fee = Decimal("0.30")

    def __init__(self, merchant_id: str = "shop-main", networks: tuple[str, ...] = ("visa", "mastercard")) -> None:
        super().__init__(merchant_id)
        self.networks = networks

    @staticmethod
    def luhn_valid(number: str) -> bool:
        digits = [int(d) for d in number if d.isdigit()]
        if len(digits) < 12 or len(digits) != len(number.replace(" ", "")):
            return False
        checksum = 0
        for index, digit in enumerate(reversed(digits)):
            if index % 2 == 1:
                digit *= 2
                if digit > 9:
                    digit -= 9
            checksum += digit
        return checksum % 10 == 0

    def network_of(self, number: str) -> str | None:
        if number.startswith("4"):
            return "visa"
        if number[:2] in {"51", "52", "53", "54", "55"}:
            return "mastercard"
        return None

    def verify(self, number: str) -> bool:
        return self.luhn_valid(number) and self.network_of(number) in self.networks

    def charge(self, amount: Decimal, token: str, reference: str) -> GatewayResult:
        if not self.verify(token):
            return self.declined(amount, "card number invalid or network not accepted")
        if token.endswith(NETWORK_ERROR_SUFFIX):
            raise ConnectionError("card network unreachable")
        if token.endswith(DECLINED_SUFFIX):
            return self.declined(amount, "card declined by issuer")
        result = super().charge(amount, token, reference)
        if token.endswith(SLOW_REFUND_SUFFIX):
            result.reference += SLOW_REFUND_MARK
        return result

    def refund(self, gateway_ref: str, amount: Decimal) -> GatewayResult:
        timed_out = f"refund-timed-out:{gateway_ref}"
        if gateway_ref.endswith(SLOW_REFUND_MARK) and timed_out not in self.calls:
            self.calls.append(timed_out)
            raise TimeoutError("card network timed out")
        return super().refund(gateway_ref, amount)


class WalletGateway(PaymentGateway):
    name = "wallet"
    fee_percent = Decimal("1.5")

    def __init__(self, merchant_id: str = "shop-main", balances: dict[str, Decimal] | None = None) -> None:
        super().__init__(merchant_id)
        self.balances = balances or {}

    def charge(self, amount: Decimal, token: str, reference: str) -> GatewayResult:
        if not token.startswith("wal_"):
            return self.declined(amount, "unknown wallet")
        if token == "wal_empty" or (token in self.balances and self.balances[token] < amount):
            return self.declined(amount, "insufficient wallet balance")
        result = super().charge(amount, token, reference)
        if token in self.balances:
            self.balances[token] -= result.amount
        return result

    def refund(self, gateway_ref: str, amount: Decimal) -> GatewayResult:
        result = super().refund(gateway_ref, amount)
        result.message = "refunded to wallet"
        return result


GATEWAYS: dict[str, type[PaymentGateway]] = {"card": CardGateway, "wallet": WalletGateway}


def gateway_for(method: str) -> PaymentGateway:
    gateway_cls = GATEWAYS.get(method)
    if gateway_cls is None:
        raise ValidationError("unsupported payment method", method=method)
    return gateway_cls()
