"""The store workspace, under /s/<store-slug>/, bound to the store's own schema."""

from blueprints.store.views import bp

__all__ = ["bp"]
