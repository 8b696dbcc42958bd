"""The police liaison's pages, under /liaison/: the reviews stores shared with them."""

from blueprints.liaison import bulletin_views  # noqa: F401  (registers its routes on bp)
from blueprints.liaison.views import bp

__all__ = ["bp"]
