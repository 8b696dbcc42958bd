"""Stripe's hosted pages (Checkout, the customer portal) as the browser's Content-Security-Policy must allow them.

The store's billing page posts "Pay dues" / "Manage card and invoices" to Loupe, which answers with a redirect to
Stripe. Browsers apply the page's `form-action` directive to that redirect too (Chromium blocks it), so the pages
holding those forms allow Stripe's hosted-page origins as form targets, and nothing else changes in the policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from security.headers import CSP

# Where Stripe serves Checkout (checkout.stripe.com/c/pay/...) and the customer portal (billing.stripe.com/p/...).
STRIPE_HOSTED_ORIGINS = ("https://checkout.stripe.com", "https://billing.stripe.com")


def hosted_page_origins(config: Mapping[str, Any]) -> list[str]:
    """Stripe's origins, plus the API base's when it is replaced (the test double serves its pages there)."""
    origins = list(STRIPE_HOSTED_ORIGINS)
    api_base = config.get("STRIPE_API_BASE")
    if api_base:
        parts = urlsplit(str(api_base))
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def csp_allowing_stripe_forms(config: Mapping[str, Any]) -> str:
    """The app's policy with Stripe's hosted pages added to `form-action`."""
    extra = " ".join(hosted_page_origins(config))
    return CSP.replace("form-action 'self'", f"form-action 'self' {extra}")
