"""Import products from a CSV file."""
import csv

from django.core.management.base import BaseCommand

from shopsite.catalog.models import Category, Product


def read_rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


class Command(BaseCommand):
    help = "Import products from a CSV file"

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, **options):
        for row in read_rows(options["path"]):
            category, _ = Category.objects.get_or_create(name=row["category"])
            Product.objects.create(name=row["name"], price=row["price"], category=category)
