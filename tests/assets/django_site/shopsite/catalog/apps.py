from django.apps import AppConfig


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shopsite.catalog"
    label = "catalog"
    verbose_name = "Product catalog"

    def ready(self):
        from . import signals  # noqa: F401
