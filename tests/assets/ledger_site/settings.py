SECRET_KEY = "ledger-site-tests-only"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "ledger"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
