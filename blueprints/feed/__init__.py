"""The regional feed, under /s/<store-slug>/feed/: the association's published bulletins for the store's region.

`views` holds the blueprint; `photos`, `sighting_views` and `trends_views` add their routes to it when imported,
which is why they are imported here (and only here).
"""

from blueprints.feed import photos, sighting_views, trends_views  # noqa: F401  (add their routes to bp)
from blueprints.feed.views import bp

__all__ = ["bp"]
