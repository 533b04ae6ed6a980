"""Placing orders (plain domain code: no framework shape)."""
from .models import Order, OrderLine
from .signals import order_placed


def place_order(customer, cart):
    order = Order.objects.create(customer=customer)
    for product, quantity in cart.items():
        OrderLine.objects.create(order=order, product=product, quantity=quantity)
    order_placed.send(sender=Order, order=order)
    return order
