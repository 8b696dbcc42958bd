"""Incoming webhooks from payment providers (Stripe). No login, no CSRF: the signature is the authentication."""

from blueprints.webhooks.views import bp

__all__ = ["bp"]
