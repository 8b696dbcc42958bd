"""django-tenants settings for the benchmark: the same PostgreSQL server as Loupe's run, its own database.

DJ_DB_HOST is the server's socket folder (pgserver listens on a Unix socket only), DJ_DB_NAME the database.
"""

import os

SECRET_KEY = "bench-only-not-secret"
DEBUG = False
USE_TZ = True
ALLOWED_HOSTS = ["*"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {
    "default": {
        "ENGINE": "django_tenants.postgresql_backend",
        "NAME": os.environ.get("DJ_DB_NAME", "djangobench"),
        "USER": os.environ.get("DJ_DB_USER", "postgres"),
        "PASSWORD": "",
        "HOST": os.environ.get("DJ_DB_HOST", ""),
        "PORT": os.environ.get("DJ_DB_PORT", ""),
        # The page comparison keeps connections across requests (as Loupe's pool does); provisioning needs none.
        "CONN_MAX_AGE": int(os.environ.get("DJ_CONN_MAX_AGE", "0")),
    }
}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

SHARED_APPS = ["django_tenants", "django.contrib.contenttypes", "customers"]
TENANT_APPS = ["django.contrib.contenttypes", "store"]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "customers.Client"
TENANT_DOMAIN_MODEL = "customers.Domain"
# The multiprocessing executor of migrate_schemas: as many processes as Loupe's runner has workers.
TENANT_MULTIPROCESSING_MAX_PROCESSES = int(os.environ.get("DJ_PROCESSES", "2"))

MIDDLEWARE = ["django_tenants.middleware.main.TenantMainMiddleware"]
# The page comparison (DJ_PAGES_SQL set) runs on Loupe's database, whose stores are found from the signed-in
# person's memberships (pages/views.py), not from a hostname: no tenant middleware, one more app for templates.
if os.environ.get("DJ_PAGES_SQL"):
    MIDDLEWARE = []
    INSTALLED_APPS.append("pages")
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {}}]
ROOT_URLCONF = "benchsite.urls" if os.environ.get("DJ_PAGES_SQL") else "benchsite.noroutes"
# Loupe's index names are longer than Django's 30-character limit; the names are kept so the schemas match.
SILENCED_SYSTEM_CHECKS = ["models.E034"]
# Errors of the page comparison go to gunicorn's log (what broke behind the pooler, measure 12).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
