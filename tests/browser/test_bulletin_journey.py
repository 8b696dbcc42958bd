"""Regional bulletins in a real browser: a store owner shares an incident, an association admin (two-step sign-in)
approves it, and a member of another store sees it in the feed with its TLP label and without the source's name."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_dues_journey import sign_in, sign_in_admin
from tests.bulletins import conftest as bulletin_fixtures
from tests.bulletins.conftest import FORBIDDEN, SOURCE_NAME, add_incident
from tests.bulletins.test_sharing import FACTS
from tests.support.browser import sign_out

pytestmark = pytest.mark.browser

sharing_world = bulletin_fixtures.sharing_world


def test_shared_incident_is_approved_and_seen_anonymized_by_another_store(
    page: Page, engines, live_server, sharing_world, in_store
):
    world = sharing_world
    incident_id = add_incident(in_store, world.source, FACTS)

    # The owner previews the anonymized bulletin and shares it (TLP:AMBER by default).
    sign_in(page, world.owner.email)
    page.goto(f"/s/{world.source.slug}/logbook/{incident_id}/share/")
    expect(page.locator("mark.scrubbed").first).to_be_visible()
    page.get_by_role("button", name="Share as TLP:AMBER").click()
    expect(page.get_by_text("the association will review the bulletin")).to_be_visible()
    sign_out(page)

    # The moderator approves it.
    sign_in_admin(page, engines, world.admin, world.admin_secret)
    page.goto(f"/a/{world.home.association.slug}/moderation")
    page.get_by_role("button", name="Approve and publish").first.click()
    expect(page.get_by_role("button", name="Retire").first).to_be_visible()
    sign_out(page)

    # A member of another store of the region sees it, labelled, without the source store's name.
    sign_in(page, world.neighbour_user.email)
    page.goto(f"/s/{world.neighbour.slug}/feed/")
    bulletin = page.locator("article.bulletin").first
    expect(bulletin.locator(".tlp")).to_have_text("TLP:AMBER")
    expect(bulletin).to_contain_text("grey puffer jacket")
    text = bulletin.inner_text()
    assert SOURCE_NAME not in text
    for forbidden in FORBIDDEN:
        assert not re.search(rf"\b{re.escape(forbidden)}\b", text, re.IGNORECASE), forbidden
