"""A store's dues: status, invoices, paying through Stripe Checkout, the customer portal (owners only)."""

from blueprints.billing.views import bp

__all__ = ["bp"]
