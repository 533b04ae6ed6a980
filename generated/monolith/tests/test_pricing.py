from datetime import timedelta
from decimal import Decimal

import pytest

from shop.common import db
from shop.common.errors import InvalidCoupon, ValidationError
from shop.pricing import coupons, engine, rules, tax
from shop.pricing.models import PriceRule

D = Decimal


def lines():
    return [
        rules.LineItem(1, "WID-001", "Widget", D("10.00"), 2),
        rules.LineItem(2, "GAD-001", "Gadget", D("25.00"), 1),
    ]


def test_percentage_discount():
    assert rules.PercentageDiscount("ten", 10).apply(lines()) == D("4.50")


def test_fixed_discount_clamped_to_eligible_subtotal():
    rule = rules.FixedAmountDiscount("big", D("100"), product_id=1)
    assert rule.apply(lines()) == D("20.00")
    assert rules.FixedAmountDiscount("five", D("5")).apply(lines()) == D("5.00")


def test_buy_x_get_y():
    rule = rules.BuyXGetYDiscount("2+1", buy=2, free=1, product_id=1)
    items = [rules.LineItem(1, "WID-001", "Widget", D("10.00"), 7)]
    assert rule.apply(items) == D("20.00")
    assert rule.apply(lines()) == D("0.00")


def test_min_subtotal_gate():
    rule = rules.PercentageDiscount("big spender", 20, min_subtotal=D("50"))
    assert rule.apply(lines()) == D("0.00")
    assert rule.apply(lines() + [rules.LineItem(3, "X-1", "X", D("5"), 1)]) == D("10.00")


def test_loyalty_discount_grows_with_subtotal_and_is_capped():
    rule = rules.LoyaltyDiscount("loyal", 5, step=D("10"), cap=8)
    assert rule.apply(lines()) == D("3.60")  # 5 + 4 = 9 -> capped at 8% of 45
    assert rule.percent == 5


def test_rule_from_model_uses_registry():
    row = PriceRule(name="r", kind="buy_x_get_y", buy_quantity=1, free_quantity=1)
    rule = rules.DiscountRule.from_model(row)
    assert isinstance(rule, rules.BuyXGetYDiscount)
    assert (rule.buy, rule.free) == (1, 1)
    with pytest.raises(ValidationError):
        rules.DiscountRule.from_model(PriceRule(name="r", kind="nope"))
    with pytest.raises(ValidationError):
        rules.build_rule("percentage", "bad", percent=150)


def test_tax_rates_exemptions_and_shipping():
    assert tax.tax_for(D("100"), "ny") == D("8.88")
    assert tax.tax_for(D("100"), "ZZ") == D("5.00")
    assert tax.tax_for_lines([("GIFT-50", D("50")), ("WID-001", D("50"))], D("0"), "CA") == D("3.63")
    assert tax.tax_for_lines([("WID-001", D("50"))], D("0"), "NY", shipping=D("10")) == D("5.33")


def test_quote_with_coupon_and_automatic_rule(seed):
    with db.session_scope() as s:
        rule = coupons.create_rule(s, "Spring 10%", "percentage", percent=10)
        coupons.create_coupon(s, "SPRING10", rule.id, max_uses=5)
        coupons.create_rule(s, "Widget 2+1", "buy_x_get_y", buy_quantity=2, free_quantity=1,
                            product_id=seed.widget, automatic=True)
        quote = engine.quote_cart(s, [(seed.widget, 3), (seed.gadget, 1)], "CA", "spring10")
    assert quote.subtotal == D("55.00")
    assert quote.discount == D("15.50")  # one free widget + 10% of 55
    assert quote.tax == D("2.86")
    assert quote.grand_total() == D("42.36")
    assert [line.sku for line in quote.lines] == ["WID-001", "GAD-001"]
    assert sum(line.discount for line in quote.lines) == quote.discount
    assert len(quote.applied_rules) == 2


def test_quote_summary_is_serialisable(seed):
    with db.session_scope() as s:
        summary = engine.quote_summary(s, [(seed.gadget, 2)], "OR")
    assert summary["total"] == "50.00" and summary["tax"] == "0.00"


def test_coupon_validation(seed, clock):
    with db.session_scope() as s:
        rule = coupons.create_rule(s, "Five off", "fixed", amount="5")
        coupons.create_coupon(s, "ONCE", rule.id, max_uses=1, expires_at=clock.now() + timedelta(days=1))
    with db.session_scope() as s:
        coupons.redeem_coupon(s, "once")
    with db.session_scope() as s, pytest.raises(InvalidCoupon):
        coupons.redeem_coupon(s, "ONCE")
    with db.session_scope() as s, pytest.raises(InvalidCoupon, match="used up"):
        coupons.validate_coupon(s, "ONCE")
    with db.session_scope() as s, pytest.raises(InvalidCoupon, match="unknown"):
        coupons.validate_coupon(s, "NOPE")


def test_expired_coupon(seed, clock):
    with db.session_scope() as s:
        rule = coupons.create_rule(s, "Five off", "fixed", amount="5")
        coupons.create_coupon(s, "SOON", rule.id, expires_at=clock.now() + timedelta(hours=1))
    clock.advance(hours=2)
    with db.session_scope() as s, pytest.raises(InvalidCoupon, match="expired"):
        coupons.rule_for_coupon(s, "SOON")
