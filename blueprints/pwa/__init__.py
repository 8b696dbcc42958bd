"""Loupe as an installable app: the web app manifest, the service worker and the offline page (docs/offline.md)."""

from blueprints.pwa.views import bp

__all__ = ["bp"]
