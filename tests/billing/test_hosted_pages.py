"""The store's billing page lets its forms lead to Stripe's hosted pages (Checkout, portal), and only there."""

from __future__ import annotations

from billing.hosted_pages import csp_allowing_stripe_forms
from security.headers import CSP
from tests.fixtures.web import sign_in


def test_billing_pages_allow_stripe_as_form_target_other_pages_do_not(client, billed, stripe_api):
    sign_in(client, billed.owner.email)
    policy = client.get(f"/s/{billed.store.slug}/billing/").headers["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action")).split()
    assert form_action[1:] == [
        "'self'",
        "https://checkout.stripe.com",
        "https://billing.stripe.com",
        stripe_api.gaps.url,
    ]
    assert policy.replace(" " + " ".join(form_action[2:]), "") == CSP
    assert client.get(f"/s/{billed.store.slug}/").headers["Content-Security-Policy"] == CSP


def test_only_a_web_origin_of_the_api_base_is_added():
    assert "javascript" not in csp_allowing_stripe_forms({"STRIPE_API_BASE": "javascript:alert(1)"})
    assert "https://checkout.stripe.com https://billing.stripe.com;" in csp_allowing_stripe_forms({})
