"""Prices, discount rules, coupons and tax."""
