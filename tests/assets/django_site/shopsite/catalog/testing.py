"""Helpers for tests of the catalog."""
import pytest
from django.test import TestCase

from .factories import ProductFactory


class CatalogTestCase(TestCase):
    def setUp(self):
        self.product = ProductFactory()


@pytest.fixture
def product(db):
    return ProductFactory()
