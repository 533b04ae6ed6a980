"""Order pages."""
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views import View
from django.views.generic import DetailView

from .models import Order
from .services import place_order


class OrderDetailView(DetailView):
    model = Order


class CheckoutView(View):
    def post(self, request):
        order = place_order(request.user, request.session.get("cart", {}))
        return JsonResponse({"order": order.pk})


@login_required
def order_history(request):
    orders = Order.objects.filter(customer=request.user)
    return JsonResponse({"orders": [o.pk for o in orders]})
