"""Meetings with police contacts: scheduled at the store by default, with an agenda, minutes and follow-ups."""

from blueprints.meetings.views import bp

__all__ = ["bp"]
