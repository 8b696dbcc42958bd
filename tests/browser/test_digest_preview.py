"""The digest preview in a real browser: the admin (two-step sign-in) previews a region's digest; the email's own
HTML shows inside the page's frame (its CSP allows the inline styles and being framed by our page only), and the
test button sends it to the admin."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_dues_journey import sign_in_admin
from tests.bulletins.conftest import sharing_world  # noqa: F401
from tests.digest.conftest import POLICE_TITLE, digest_world  # noqa: F401

# The sharing world at the default k = 5 (it shares nothing here; trend cells are checked at k = 5).
SHARING_WORLD_K = 5

pytestmark = pytest.mark.browser


def test_admin_previews_and_sends_a_test(page: Page, app, engines, live_server, digest_world, smtp):  # noqa: F811
    w = digest_world.w
    sign_in_admin(page, engines, w.admin, w.admin_secret)
    page.goto(f"/a/{w.home.association.slug}/digest")
    page.get_by_label("Region").select_option(label="North")
    page.get_by_label("Period").fill(digest_world.period.key)
    page.get_by_role("button", name="Preview").click()
    frame = page.frame_locator("iframe.digest-preview")
    expect(frame.get_by_text(POLICE_TITLE)).to_be_visible()
    expect(frame.locator("h1")).to_have_text("North digest")
    page.get_by_role("button", name="Send this preview as a test").click()
    expect(page.get_by_role("status")).to_contain_text("Test digest queued")
    [mail] = smtp.to(w.admin.email)
    assert mail["Subject"].startswith("[Test] TLP:AMBER North digest")
