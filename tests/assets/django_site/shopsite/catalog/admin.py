from django.contrib import admin

from .models import Category, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "price", "is_published")

    @admin.action(description="Publish the selected products")
    def make_published(self, request, queryset):
        queryset.update(is_published=True)


admin.site.register(Category)
