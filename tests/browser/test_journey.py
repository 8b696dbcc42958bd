"""The journey of the police partnership, in a real browser: a store owner files a casing report with a photo, sees
it in the logbook and shares it with the association's police liaison, who signs in (two-step) and reviews it."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pyotp
import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import Page, expect

from models import ReviewGrant, Role, User
from tenants.binding import store_session
from tests.fixtures.factories import PASSWORD
from tests.support.browser import open_more, sign_out

pytestmark = pytest.mark.browser

NARRATIVE = "Man in a grey hoodie filmed the cameras and asked when the safe opens"


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 90, 160)).save(buffer, format="JPEG")
    return buffer.getvalue()


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_casing_report_to_police_review(page: Page, make_world, make_store, make_user, engines, smtp):
    world = make_world("Journey Association")
    store = make_store(world, "Journey Jewels")
    owner = make_user(store=store, role=Role.STORE_OWNER)
    liaison = make_user(association=world.association, role=Role.POLICE_LIAISON)
    secret = pyotp.random_base32()
    with engines.owner.begin() as conn:  # liaisons must use two-step sign-in; this one enrolled earlier
        conn.execute(
            sa.update(User).where(User.id == liaison.id).values(totp_secret=secret, totp_enabled_at=datetime.now(UTC))
        )

    # The owner files a casing report with a photo, on the fast path.
    sign_in(page, owner.email)
    expect(page).to_have_url(re.compile(rf"/s/{store.slug}/$"))
    page.get_by_role("link", name="Logbook", exact=True).click()
    page.goto(f"/s/{store.slug}/logbook/casing")
    page.get_by_label("What did they do?").fill(NARRATIVE)
    page.locator("input[type=file][name=photos]").set_input_files(
        files=[{"name": "counter.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    page.get_by_role("button", name="Save casing report").click()
    expect(page.get_by_text(NARRATIVE).first).to_be_visible()
    expect(page.locator("img").first).to_be_visible()

    # It is in the logbook.
    page.get_by_role("link", name="Logbook", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/s/{store.slug}/logbook/"))
    expect(page.get_by_text("Casing").first).to_be_visible()

    # The owner shares casing reports with the liaison.
    open_more(page)
    page.get_by_role("link", name="Police review", exact=True).click()
    page.get_by_role("link", name="Share a slice").first.click()
    page.get_by_label("Share with").select_option(f"liaison:{liaison.id}")
    page.get_by_label("Casing", exact=True).check()
    page.get_by_role("button", name="Share and notify the officer").click()
    expect(page.get_by_role("heading", name=f"Review by {liaison.name}")).to_be_visible()
    expect(page.get_by_text("Not opened yet")).to_be_visible()
    assert [m["Subject"].startswith("TLP:RED") for m in smtp.to(liaison.email)] == [True]
    sign_out(page)

    # The liaison signs in with a code and opens the review.
    sign_in(page, liaison.email)
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name=re.compile("Verify|Sign in|Continue", re.I)).click()
    expect(page).to_have_url(re.compile(r"/liaison/$"))
    page.get_by_role("link", name="Journey Jewels").click()
    expect(page.get_by_text("TLP:RED").first).to_be_visible()
    expect(page.get_by_text(NARRATIVE).first).to_be_visible()
    photo = page.locator(".review-photos img").first
    expect(photo).to_be_visible()
    # Visible is not loaded: wait for the image's own load (or error) before reading its width.
    loaded_width = (
        "img => img.complete ? img.naturalWidth"
        " : new Promise(done => { img.onload = () => done(img.naturalWidth); img.onerror = () => done(0); })"
    )
    assert photo.evaluate(loaded_width) > 0

    # ... and marks it reviewed with a note for the store.
    page.get_by_label("Pattern notes for the store").fill("Same hoodie seen at two other stores this month.")
    page.get_by_label("Mark this slice as reviewed").check()
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("The store can see your review")).to_be_visible()
    expect(page.get_by_label("Pattern notes for the store")).to_have_value(
        "Same hoodie seen at two other stores this month."
    )

    with store_session(engines.app, store.schema_name) as session:
        grant = session.scalars(sa.select(ReviewGrant)).one()
        assert grant.reviewed_at is not None and grant.open_count >= 1
        assert grant.pattern_notes.startswith("Same hoodie")
