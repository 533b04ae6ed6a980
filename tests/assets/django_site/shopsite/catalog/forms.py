from django import forms

from .models import Product


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ("name", "price", "category")


class SearchForm(forms.Form):
    q = forms.CharField(required=False)
