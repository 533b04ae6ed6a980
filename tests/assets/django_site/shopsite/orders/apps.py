from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "shopsite.orders"
    label = "shop_orders"

    def ready(self):
        from . import receivers  # noqa: F401
