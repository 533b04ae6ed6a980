"""The root URLconf."""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("catalog/", include("shopsite.catalog.urls")),
    path("orders/", include("shopsite.orders.urls")),
]
