from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import api, views

router = DefaultRouter()
router.register("products", api.ProductViewSet)
router.register("categories", api.CategoryViewSet)

urlpatterns = [
    path("", views.product_list, name="product-list"),
    path("<int:pk>/", views.product_detail, name="product-detail"),
    path("<int:pk>/publish/", views.publish, name="product-publish"),
    path("all/", views.ProductListView.as_view(), name="product-all"),
    path("api/", include(router.urls)),
]
urlpatterns += [path("api/stats/", api.catalog_stats)]
