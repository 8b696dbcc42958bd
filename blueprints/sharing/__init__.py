"""Share an incident with the region, anonymized, under /s/<store-slug>/logbook/<id>/share."""

from blueprints.sharing.views import bp

__all__ = ["bp"]
