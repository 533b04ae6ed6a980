"""Product catalogue: products, categories, search and the product cache.

``get_product`` and friends are re-exported here so that other domains can
write ``from shop.catalog import get_product`` or ``catalog.get_product``.
"""
from .products import create_product, get_product, get_by_sku, list_products
from .search import search_products

__all__ = ["create_product", "get_by_sku", "get_product", "list_products", "search_products"]
