"""Pages of the catalog."""
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from .forms import SearchForm
from .models import Product


def _paginate(queryset, page):
    return queryset[(page - 1) * 20 : page * 20]


def product_list(request):
    products = _paginate(Product.objects.published(), int(request.GET.get("page", 1)))
    return render(request, "catalog/list.html", {"products": products, "form": SearchForm()})


def product_detail(request, pk):
    return render(request, "catalog/detail.html", {"product": get_object_or_404(Product, pk=pk)})


@require_POST
def publish(request, pk):
    Product.objects.filter(pk=pk).update(is_published=True)
    return render(request, "catalog/published.html")


class ProductListView(ListView):
    model = Product
    paginate_by = 20


class ProductDetailView(LoginRequiredMixin, DetailView):
    model = Product
