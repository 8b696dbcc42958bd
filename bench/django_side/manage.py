"""Django side of the side-by-side benchmark (django-tenants); run inside bench/.venv-django, never in Loupe's venv."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
