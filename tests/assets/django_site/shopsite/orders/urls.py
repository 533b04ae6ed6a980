from django.urls import path

from .views import CheckoutView, OrderDetailView, order_history

urlpatterns = [
    path("<int:pk>/", OrderDetailView.as_view(), name="order-detail"),
    path("checkout/", CheckoutView.as_view(), name="checkout"),
    path("history/", order_history, name="order-history"),
]
