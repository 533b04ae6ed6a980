"""Production overrides."""
from .base import *  # noqa: F403
from .base import INSTALLED_APPS

DEBUG = False
ALLOWED_HOSTS = ["shop.example.com"]
INSTALLED_APPS += ["django.contrib.sitemaps"]
INSTALLED_APPS.append("storages")
