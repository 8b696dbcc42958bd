"""The police liaison's pages, under /liaison/: the reviews stores shared with them."""

from blueprints.liaison.views import bp

__all__ = ["bp"]
