"""The regional feed, under /s/<store-slug>/feed/: the association's published bulletins for the store's region."""

from blueprints.feed.views import bp

__all__ = ["bp"]
