"""Background jobs of the catalog."""
from celery import shared_task

from shopsite.celery import app

from .models import Product


@shared_task
def refresh_search_index(product_id):
    return Product.objects.filter(pk=product_id).exists()


@app.task(bind=True, max_retries=3)
def rebuild_catalog(self):
    return Product.objects.count()
