"""The header in a real browser (issue #19): on a phone the menu folds behind "Menu" (static/nav.js), the skip link
shows on focus, and the desktop row keeps the less-used sections under "More" on one line."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from models import Role
from tests.browser.test_journey import sign_in


def test_phone_menu_and_desktop_row(page: Page, make_world, make_store, make_user):
    store = make_store(make_world("Header Association"), "Header Jewels")
    owner = make_user(store=store, role=Role.STORE_OWNER)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, owner.email)
    page.goto(f"/s/{store.slug}/logbook/")

    nav = page.locator("#site-nav")
    menu = page.get_by_role("button", name="Menu")
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    # Every section is listed flat in the phone menu, the current one marked.
    expect(nav.get_by_role("link", name="Police review", exact=True)).to_be_visible()
    expect(nav.locator('a[aria-current="page"]')).to_have_text("Logbook")
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/s/{store.slug}/")
    expect(menu).to_be_hidden()
    expect(nav.get_by_role("link", name="Police review", exact=True)).to_be_hidden()  # folded under "More"
    assert page.evaluate("document.querySelector('.topbar').offsetHeight") < 70  # one row
    page.locator("details.nav-more > summary").click()
    expect(nav.get_by_role("link", name="Police review", exact=True)).to_be_visible()
    page.locator("main").click()  # a click elsewhere closes it
    expect(nav.get_by_role("link", name="Police review", exact=True)).to_be_hidden()

    page.goto(f"/s/{store.slug}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert page.evaluate("document.querySelector('.skip-link').getBoundingClientRect().top") >= 0
