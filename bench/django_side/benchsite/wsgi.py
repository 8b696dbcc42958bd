"""WSGI entry of the page comparison: `gunicorn benchsite.wsgi:application` (bench measure 11)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
