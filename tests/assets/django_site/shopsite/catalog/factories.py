"""Test data for projects that use the catalog."""
import factory
from factory.django import DjangoModelFactory

from .models import Category, Product


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Faker("word")
    category = factory.SubFactory(CategoryFactory)


def make_catalog(size):
    return ProductFactory.create_batch(size)
