"""Dues in a real browser: an association admin (two-step sign-in) invites a store; its owner accepts the emailed
invitation, pays on the (test) Stripe Checkout page, and the admin portal lists the member as active.

Stripe is localstripe plus the test double for Checkout (`tests/support/`), started by the billing tests' fixtures,
which this module reuses as they are (`tests/billing/conftest.py`: `stripe_servers`, `stripe_api`, `make_billed`).
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from billing import dues as dues_services
from models import Role, Store
from tests.admin.conftest import enrol, next_code
from tests.billing import conftest as billing_fixtures
from tests.fixtures.factories import PASSWORD
from tests.support.browser import open_more, sign_out

pytestmark = pytest.mark.browser

# The billing tests' fixtures, shared rather than copied (a fixture is found by its name in the test's module).
stripe_servers = billing_fixtures.stripe_servers
stripe_api = billing_fixtures.stripe_api
make_billed = billing_fixtures.make_billed

STORE_NAME = "Dues Journey Jewels"


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_in_admin(page: Page, engines, admin, secret: str) -> None:
    sign_in(page, admin.email)
    page.get_by_label("Code from your authenticator app").fill(next_code(engines, admin.id, secret))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/a/[\w-]+/$"))


def test_invited_store_pays_its_dues_and_shows_active(
    page: Page, app, engines, live_server, make_billed, make_user, smtp, stripe_api
):
    billed = make_billed("Dues Journey Association")  # Stripe keys saved, "Annual membership" synced
    association = billed.association
    admin = make_user(association=association, role=Role.ASSOCIATION_ADMIN)
    secret = enrol(engines, admin)
    owner_email = f"dues-owner-{association.id}@example.org"

    # Stripe's (test) servers deliver their signed events to the live app; links in emails point at it too.
    endpoint = f"{live_server}/webhooks/stripe/{association.slug}"
    hook_id = f"dues-journey-{association.slug}"
    stripe_api.gaps.register_webhook(endpoint, billed.webhook_secret, id=hook_id)
    stripe_api.localstripe.register_webhook(hook_id, endpoint, billed.webhook_secret)
    old_base = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = live_server
    dues_services._cache.clear()
    try:
        # The admin invites a store.
        sign_in_admin(page, engines, admin, secret)
        page.get_by_role("link", name="Members", exact=True).click()
        page.get_by_label("Store name").fill(STORE_NAME)
        page.get_by_label("Region", exact=True).select_option(label="North")
        page.get_by_label("Owner's email").fill(owner_email)
        page.get_by_label("Owner's name").fill("Dana Dues")
        page.get_by_role("button", name="Invite store").click()
        expect(page.get_by_role("heading", name=STORE_NAME)).to_be_visible()
        sign_out(page)

        # The owner accepts the emailed invitation.
        [message] = smtp.to(owner_email)
        link = re.search(r"https?://\S+/invitations/\S+", message.get_body(("plain",)).get_content()).group(0)
        assert link.startswith(live_server)
        page.goto(link)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Repeat the password").fill(PASSWORD)
        page.get_by_role("button", name="Accept invitation").click()
        with engines.owner.connect() as conn:
            slug = conn.scalar(
                sa.select(Store.slug).where(Store.association_id == association.id, Store.name == STORE_NAME)
            )
        expect(page).to_have_url(re.compile(rf"/s/{slug}/"))

        # ... and pays the dues through the (test) Stripe Checkout page.
        page.goto(f"/s/{slug}/billing/")
        expect(page.locator("#billing-status")).to_have_text("no subscription")
        page.get_by_label(re.compile("Annual membership")).check()
        page.get_by_role("button", name="Pay dues").click()
        expect(page).to_have_url(re.compile(re.escape(stripe_api.gaps.url) + r"/checkout/cs_test_"))
        page.locator("#pay").click()
        expect(page).to_have_url(re.compile(rf"/s/{slug}/billing/\?checkout=success"))
        expect(page.locator("#billing-status")).to_have_text("active")
        sign_out(page)

        # The admin sees the member as active, with its dues collected.
        sign_in_admin(page, engines, admin, secret)
        page.get_by_role("link", name="Members", exact=True).click()
        row = page.get_by_role("row").filter(has_text=STORE_NAME)
        expect(row.locator("td[data-label=Status]")).to_have_text("active")
        expect(row.locator("td[data-label=Billing]")).to_have_text("active")
        open_more(page)
        page.get_by_role("link", name="Billing", exact=True).click()
        expect(page.locator("#dues-year")).to_have_text("120.00 EUR")
    finally:
        stripe_api.localstripe.disable_webhook(hook_id)
        app.config["PUBLIC_BASE_URL"] = old_base
        dues_services._cache.clear()
