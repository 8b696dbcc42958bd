"""The inbox (/notifications/, and inside a store /s/<store>/notifications/) and the choices per event
(/account/notifications/)."""

from blueprints.notifications.views import bp

__all__ = ["bp"]
