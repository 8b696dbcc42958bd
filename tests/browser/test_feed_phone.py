"""The feed on a 390×844 phone (issue #19): the first bulletin is on the first screen (the filters are folded
away), its title whole, its plate as the witness wrote it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_dues_journey import sign_in
from tests.bulletins import conftest as bulletin_fixtures
from tests.bulletins.test_feed_cards import LONG_TITLE, _bulletin

pytestmark = pytest.mark.browser

sharing_world = bulletin_fixtures.sharing_world
PHONE = {"width": 390, "height": 844}


def test_the_first_bulletin_is_on_a_phones_first_screen(page: Page, engines, live_server, sharing_world):
    world = sharing_world
    _bulletin(
        engines,
        world,
        LONG_TITLE,
        vehicles=[{"make": "BMW", "model": "3 Series", "colour": "Dark grey", "plate": "partial: ..19 FK."}],
        people=[{"asked_about": "Back entrance, delivery times"}],
    )
    page.set_viewport_size(PHONE)
    sign_in(page, world.neighbour_user.email)
    page.goto(f"/s/{world.neighbour.slug}/feed/")
    first = page.locator("article.bulletin").first
    expect(first).to_contain_text(LONG_TITLE)
    expect(first.locator(".plate")).to_have_text("..19 FK.")
    box = first.bounding_box()
    assert box is not None and box["y"] < PHONE["height"] - 150, box  # its head and title, not just a sliver
    title = first.locator(".bulletin-title").bounding_box()
    assert title is not None and title["y"] + min(title["height"], 60) <= PHONE["height"], title
    # The filters are one line until opened.
    expect(page.locator("details.feed-filters select").first).to_be_hidden()
    page.locator("details.feed-filters > summary").click()
    expect(page.locator("details.feed-filters select").first).to_be_visible()
