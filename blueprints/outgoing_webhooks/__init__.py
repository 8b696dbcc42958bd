"""Outgoing webhook pages: an association's (admin portal) and a police liaison's agency's (`/liaison/webhooks/`)."""

from blueprints.outgoing_webhooks.liaison_views import bp as liaison_bp
from blueprints.outgoing_webhooks.views import bp

__all__ = ["bp", "liaison_bp"]
