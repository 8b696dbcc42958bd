"""The association admin portal, under /a/<association-slug>/."""

from blueprints.admin.views import bp

__all__ = ["bp"]
