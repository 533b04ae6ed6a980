"""Orders and their lines."""
from django.conf import settings
from django.db import models

from shopsite.catalog.models import Product, TimeStamped


class Order(TimeStamped):
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="orders")
    status = models.CharField(max_length=20, default="new")

    def total(self):
        return sum(line.amount() for line in self.lines.all())


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField(default=1)

    def amount(self):
        return self.product.price * self.quantity
