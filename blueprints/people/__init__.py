"""A store's people: its members and invitations (owners and managers manage them)."""

from blueprints.people.views import bp

__all__ = ["bp"]
