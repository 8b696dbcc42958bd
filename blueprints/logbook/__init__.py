"""The suspicious-incident logbook, under /s/<store-slug>/logbook/, in the store's own schema."""

from blueprints.logbook.views import bp

__all__ = ["bp"]
