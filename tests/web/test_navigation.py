"""The header (issue #19): skip link, the current section marked, the account menu, the store menu kept outside the
store only for a store the person still belongs to, "More" for less-used items, the phone menu's script."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from blueprints.navigation import current_section
from models import Membership, Role
from tests.fixtures.web import sign_in


def _nav(html: str) -> str:
    return html.split('<nav id="site-nav"', 1)[1].split("</nav>", 1)[0]


def _current(html: str) -> list[str]:
    """The labels of the links marked as the current page in the header."""
    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    return re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', header)


@pytest.mark.parametrize(
    ("endpoint", "section"),
    [
        ("store.dashboard", "dashboard"),
        ("store.contact", "contacts"),
        ("store.delete_contact", "contacts"),
        ("logbook.incident", "logbook"),
        ("logbook.recently_deleted", "logbook"),
        ("sharing.preview", "logbook"),
        ("review.grants", "review"),
        ("notifications.store_inbox", "notifications"),
        ("notifications.settings", "account"),
        ("auth.change_password", "account"),
        ("mfa.enrol", "account"),
        ("alerts.preferences", "account"),
        ("admin.moderation_edit", "moderation"),
        ("admin.reactivate_person", "people"),
        ("admin.reactivate", "members"),
        ("admin.region_settings", "regions"),
        ("platform_billing.index", "subscription"),
        ("liaison.review", "reviews"),
        ("auth.login", None),
    ],
)
def test_one_helper_names_the_section_of_an_endpoint(endpoint, section):
    assert current_section(endpoint) == section


def test_every_store_and_admin_page_belongs_to_a_section(app):
    """A new page is marked in the header without touching a template (or this test names it)."""
    missing = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0]
        in ("store", "logbook", "meetings", "patrols", "plans", "briefing", "review", "people", "billing", "admin")
        and current_section(rule.endpoint) is None
    ]
    assert missing == []


def test_skip_link_current_section_and_account_menu(client, make_world, make_store, make_user):
    store = make_store(make_world())
    owner = make_user(store=store, role=Role.STORE_OWNER)
    sign_in(client, owner.email)
    page = client.get(f"/s/{store.slug}/logbook/").get_data(as_text=True)
    assert '<a class="skip-link" href="#main">Skip to content</a>' in page and '<main id="main"' in page
    assert _current(page) == ["Logbook"]
    # The less-used sections are folded under "More" (and listed flat for the phone menu).
    more = page.split('<details class="dropdown nav-more">', 1)[1].split("</details>", 1)[0]
    assert all(label in more for label in ("Plans", "Briefing", "Police review", "People", "Billing"))
    account = page.split('<details class="dropdown account-menu">', 1)[1].split("</details>", 1)[0]
    for href in ("/account/password", "/account/two-step", "/account/notifications/", "/account/alerts/", "/logout"):
        assert href in account, href
    assert '<script src="/static/nav.js"></script>' in page
    assert "onclick" not in page  # the CSP allows no inline script

    contacts = client.get(f"/s/{store.slug}/contacts/").get_data(as_text=True)
    assert _current(contacts) == ["Police contacts"]
    review = client.get(f"/s/{store.slug}/review/").get_data(as_text=True)
    assert 'summary class="has-current">More' in review and _current(review)[0] == "Police review"


def test_staff_see_no_manager_sections(client, make_world, make_store, make_user):
    store = make_store(make_world())
    staff = make_user(store=store, role=Role.STORE_STAFF)
    sign_in(client, staff.email)
    nav = _nav(client.get(f"/s/{store.slug}/").get_data(as_text=True))
    assert "Logbook" in nav and "Plans" in nav
    assert "Briefing" not in nav and "People" not in nav and "Billing" not in nav


def test_account_pages_keep_the_menu_of_a_one_store_person(client, make_world, make_store, make_user):
    store = make_store(make_world())
    owner = make_user(store=store, role=Role.STORE_OWNER)
    sign_in(client, owner.email)
    page = client.get("/account/password").get_data(as_text=True)
    assert f"/s/{store.slug}/logbook/" in _nav(page)
    assert 'summary class="has-current"><span class="visually-hidden">Your account: </span>' in page
    assert _current(page) == ["Change password"]


def test_account_pages_keep_the_last_chosen_store_while_a_member(
    client, engines, make_world, make_store, make_user, add_membership
):
    world = make_world()
    first, second = make_store(world, "First Nav Jewels"), make_store(world, "Second Nav Jewels")
    person = make_user(store=first, role=Role.STORE_OWNER)
    add_membership(person, second, Role.STORE_STAFF)
    sign_in(client, person.email)
    # Two stores and none chosen yet: no store's menu outside the stores.
    assert f"/s/{first.slug}/" not in _nav(client.get("/notifications/").get_data(as_text=True))

    assert client.get(f"/s/{second.slug}/").status_code == 200
    nav = _nav(client.get("/notifications/").get_data(as_text=True))
    assert f"/s/{second.slug}/logbook/" in nav and f"/s/{first.slug}/" not in nav
    assert "Briefing" not in nav  # the role of that store, not of the other one

    with Session(engines.owner) as session, session.begin():
        session.execute(sa.delete(Membership).where(Membership.user_id == person.id, Membership.store_id == second.id))
    nav = _nav(client.get("/notifications/").get_data(as_text=True))
    # No longer a member: never that store's menu (the one store left is the person's menu now).
    assert second.slug not in nav and f"/s/{first.slug}/logbook/" in nav


def test_the_switcher_lists_each_store_and_portal(client, make_world, make_store, make_user, add_membership):
    world = make_world()
    first, second = make_store(world, "Alpha Switch Jewels"), make_store(world, "Beta Switch Jewels")
    person = make_user(store=first, role=Role.STORE_OWNER)
    add_membership(person, second, Role.STORE_MANAGER)
    sign_in(client, person.email)
    page = client.get(f"/s/{first.slug}/").get_data(as_text=True)
    switcher = page.split('<details class="dropdown switcher">', 1)[1].split("</details>", 1)[0]
    assert "Alpha Switch Jewels" in switcher and f"/s/{second.slug}/" in switcher and "/stores" in switcher
