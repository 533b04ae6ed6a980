"""What happens when an order is placed."""
from .signals import order_placed


def send_confirmation(sender, order, **kwargs):
    return f"order {order.pk} confirmed"


order_placed.connect(send_confirmation)
