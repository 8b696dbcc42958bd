"""Police review of the logbook, the store's side, under /s/<store-slug>/review/."""

from blueprints.review.views import bp

__all__ = ["bp"]
