"""The admin portal's outgoing webhooks: subscribe an endpoint, its delivery log, send a test, delete."""

from blueprints.outgoing_webhooks.views import bp

__all__ = ["bp"]
