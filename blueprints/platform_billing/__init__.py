"""An association's subscription to Loupe (platform billing): choose a plan, pay through Stripe Checkout on the
platform's account, manage it in Stripe's customer portal."""

from blueprints.platform_billing.views import bp

__all__ = ["bp"]
