"""The regional feed, under /s/<store-slug>/feed/: the association's published bulletins for the store's region."""

from blueprints.feed import photos, trends_views  # noqa: F401  (registers /photos/<name>) # noqa: F401  (registers /trends)
from blueprints.feed.views import bp
from bulletins import sightings  # noqa: F401  (registers its routes on bp)

__all__ = ["bp"]
