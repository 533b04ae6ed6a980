"""Catalog events."""
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from .models import Product

product_published = Signal()


@receiver(post_save, sender=Product)
def reindex_product(sender, instance, **kwargs):
    from .tasks import refresh_search_index

    refresh_search_index.delay(instance.pk)


def announce(sender, product, **kwargs):
    print(f"published {product}")


product_published.connect(announce)
