"""The digest's public side: one-click unsubscribe (RFC 8058) from a signed link, no login needed."""

from blueprints.digest.views import bp

__all__ = ["bp"]
