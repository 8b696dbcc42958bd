"""API tokens in the portals: a store's (owners and managers, in its settings) and an association's (admins)."""

from blueprints.api_tokens.views import bp

__all__ = ["bp"]
