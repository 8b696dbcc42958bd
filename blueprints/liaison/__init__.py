"""The police liaison's pages, under /liaison/: the reviews stores shared with them, their regions' feed, casing
patterns, trends, sightings and exports, and trend bulletins they post."""

from blueprints.liaison import bulletin_views, workspace_views  # noqa: F401  (register their routes on bp)
from blueprints.liaison.views import bp

__all__ = ["bp"]
