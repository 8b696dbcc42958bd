"""The casing report on a phone (issue #19), in a real browser at 390×844: the alert switch and the submit button
are on the first screen, two red-flag chips are tapped, a photo is added, and the report is saved with them; the
chips are reached and ticked by keyboard too."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from models import Incident, PoliceContact, Role
from tenants.binding import store_session
from tests.browser.test_journey import jpeg_bytes, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser, base_url):
    context = browser.new_context(viewport=PHONE, base_url=base_url, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def _on_first_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_the_casing_report_fits_a_phone_screen_and_submits_with_chips_and_a_photo(
    phone, make_world, make_store, make_user, engines, smtp
):
    world = make_world("Phone Association")
    store = make_store(world, "Phone Jewels")
    staff = make_user(store=store, role=Role.STORE_STAFF)
    with store_session(engines.app, store.schema_name) as session:
        session.add(PoliceContact(agency="City Police", officer_name="PC Casey", email="pc.casey@example.org"))
        session.commit()

    sign_in(phone, staff.email)
    phone.goto(f"/s/{store.slug}/logbook/casing")
    switch = phone.get_by_role("switch", name="Alert my police contacts")
    submit = phone.get_by_role("button", name="Save casing report")
    assert _on_first_screen(switch), switch.bounding_box()
    assert _on_first_screen(submit), submit.bounding_box()
    expect(switch).to_be_checked()  # on: the store has a police contact with an email

    phone.get_by_label("What did they do?").fill("Filmed the cameras, asked when the safe opens")
    phone.get_by_text("Sunglasses", exact=True).tap()
    # Keyboard: Tab to a chip, Space ticks it (a real checkbox behind the chip).
    phone.get_by_role("checkbox", name="Hand signals").focus()
    phone.keyboard.press("Space")
    expect(phone.get_by_role("checkbox", name="Sunglasses")).to_be_checked()
    expect(phone.get_by_role("checkbox", name="Hand signals")).to_be_checked()
    chip = phone.locator("label.chip").first.bounding_box()
    assert chip["height"] >= 44
    phone.locator("input[type=file][name=photos]").set_input_files(
        files=[{"name": "counter.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    submit.tap()
    expect(phone).to_have_url(re.compile(rf"/s/{store.slug}/logbook/\d+$"))
    expect(phone.get_by_text("Sunglasses")).to_be_visible()

    with store_session(engines.app, store.schema_name) as session:
        incident = session.scalars(sa.select(Incident).where(Incident.is_casing_report)).one()
        assert incident.red_flags == ["sunglasses", "hand_signals"] and len(incident.photos) == 1
        assert incident.contacts_notified_at is not None
