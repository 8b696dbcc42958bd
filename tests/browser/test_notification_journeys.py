"""Closing the loop (issue 18), in a real browser: what the police and the association do reaches the store.

- an officer acknowledges a patrol request → the owner sees it in the inbox (header count) and by email;
- a liaison writes a note on a logbook review → the owner is notified;
- a moderator rejects a share with a reason → the owner reads the reason;
- a member sights a flagged vehicle → the region's liaison is notified, and the source store learns "a member saw
  it" but not who.

The web app runs in a thread; the job worker runs when a test calls `run_jobs()` (or reads the SMTP inbox), as a
worker process would between two page loads.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from audit import Actor
from models import Membership, Role, Store
from review import grants as review_grants
from tenants.binding import store_session
from tests.admin.conftest import enrol, next_code
from tests.browser.test_dues_journey import sign_in, sign_in_admin
from tests.bulletins import conftest as bulletin_fixtures
from tests.bulletins.conftest import add_incident, bulletins
from tests.bulletins.test_sharing import FACTS
from tests.support.browser import sign_out
from tests.workspace import test_patrols as patrol_fixtures
from tests.workspace.test_patrols import _send

pytestmark = pytest.mark.browser

sharing_world = bulletin_fixtures.sharing_world
twin_stores = patrol_fixtures.twin_stores


def sign_in_liaison(page: Page, engines, liaison, secret: str) -> None:
    sign_in(page, liaison.email)
    page.get_by_label("Code from your authenticator app").fill(next_code(engines, liaison.id, secret))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/liaison/$"))


def open_inbox_item(page: Page, title: str) -> None:
    page.locator("#inbox-link").click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    page.get_by_role("button", name=title).first.click()


def test_officer_acknowledges_and_the_owner_sees_it_in_the_inbox_and_by_email(
    page: Page, app, engines, live_server, smtp, run_jobs, twin_stores, in_store
):
    store, owner = twin_stores["a"], twin_stores["owner_a"]
    link = _send(app, engines, in_store, store)
    smtp.clear()

    # The officer (no account) answers from the emailed link.
    page.goto(link)
    page.get_by_label("Your name and rank").fill("PC Jo Alvarez")
    page.get_by_label("Note for the store").fill("Will pass by at opening and closing.")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Acknowledged by PC Jo Alvarez")).to_be_visible()
    run_jobs()

    # By email...
    [mail] = [m for m in smtp.to(owner.email) if "acknowledged" in m["Subject"]]
    assert mail["Subject"] == "Loupe: An officer acknowledged your patrol request"

    # ... and in the inbox: the header counts it, opening it goes to the request.
    sign_in(page, owner.email)
    expect(page.locator("#inbox-link .badge")).to_have_text("1")
    open_inbox_item(page, "An officer acknowledged your patrol request")
    expect(page).to_have_url(re.compile(rf"/s/{store.slug}/patrols/1$"))
    expect(page.get_by_text("Acknowledged by PC Jo Alvarez")).to_be_visible()
    expect(page.locator("#inbox-link .badge")).to_have_count(0)


def test_a_liaisons_review_note_reaches_the_owner(
    page: Page, app, engines, live_server, smtp, run_jobs, make_world, make_store, make_user
):
    world = make_world("Review Note Association")
    store = make_store(world, "Review Note Jewels")
    owner = make_user(store=store, role=Role.STORE_OWNER)
    liaison = make_user(association=world.association, role=Role.POLICE_LIAISON)
    secret = enrol(engines, liaison)
    with store_session(engines.app, store.schema_name) as session:
        review_grants.create_grant(
            session,
            store=session.get(Store, store.id),
            granted_by=Actor.for_user(owner, ip="127.0.0.1"),
            recipient=f"liaison:{liaison.id}",
            incident_types=["casing"],
            since=date.today() - timedelta(days=30),
            until=date.today(),
            expires_at=datetime.now(UTC) + timedelta(days=7),
        )
        session.commit()
    run_jobs()
    smtp.clear()

    sign_in_liaison(page, engines, liaison, secret)
    page.get_by_role("link", name="Review Note Jewels").click()
    page.get_by_label("Pattern notes for the store").fill("Treat as priority; call 999 if seen.")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("The store can see your review")).to_be_visible()
    sign_out(page)
    run_jobs()

    assert [m["Subject"] for m in smtp.to(owner.email)] == ["Loupe: The police wrote a note on your logbook review"]
    sign_in(page, owner.email)
    page.locator("#inbox-link").click()
    expect(page.get_by_text("Their note: Treat as priority; call 999 if seen.")).to_be_visible()
    expect(page.get_by_role("button", name="The police opened your logbook review")).to_be_visible()
    open_inbox_item(page, "The police wrote a note on your logbook review")
    expect(page).to_have_url(re.compile(rf"/s/{store.slug}/review/\d+$"))


def test_a_rejection_with_its_reason_reaches_the_owner(
    page: Page, engines, live_server, smtp, run_jobs, sharing_world, in_store
):
    world = sharing_world
    incident_id = add_incident(in_store, world.source, FACTS)
    sign_in(page, world.owner.email)
    page.goto(f"/s/{world.source.slug}/logbook/{incident_id}/share/")
    page.get_by_role("button", name="Share as TLP:AMBER").click()
    sign_out(page)
    run_jobs()
    smtp.clear()

    sign_in_admin(page, engines, world.admin, world.admin_secret)
    page.goto(f"/a/{world.home.association.slug}/moderation")
    page.get_by_label("Reason (shown to the store that shared it)").first.fill(
        "Too close to one customer's visit: share the pattern without the time of day."
    )
    page.get_by_role("button", name="Reject").first.click()
    sign_out(page)
    run_jobs()

    assert [m["Subject"] for m in smtp.to(world.owner.email)] == ["Loupe: Your store's share was rejected"]
    sign_in(page, world.owner.email)
    expect(page.locator("#inbox-link .badge")).to_have_text("1")
    page.locator("#inbox-link").click()
    expect(page.get_by_text("share the pattern without the time of day")).to_be_visible()
    open_inbox_item(page, "Your store's share was rejected")
    expect(page).to_have_url(re.compile(rf"/s/{world.source.slug}/logbook/{incident_id}$"))


def test_a_sighting_of_a_flagged_vehicle_reaches_the_liaison_and_the_source_store_without_who(
    page: Page, engines, live_server, run_jobs, sharing_world, in_store, make_user
):
    world = sharing_world
    incident_id = add_incident(in_store, world.source, FACTS)
    liaison = make_user(association=world.home.association, role=Role.POLICE_LIAISON)
    secret = enrol(engines, liaison)
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(Membership).where(Membership.user_id == liaison.id).values(region_id=world.home.region.id)
        )
    sign_in(page, world.owner.email)
    page.goto(f"/s/{world.source.slug}/logbook/{incident_id}/share/")
    page.get_by_role("button", name="Share as TLP:AMBER").click()
    sign_out(page)
    sign_in_admin(page, engines, world.admin, world.admin_secret)
    page.goto(f"/a/{world.home.association.slug}/moderation")
    page.get_by_role("button", name="Approve and publish").first.click()
    sign_out(page)
    [bulletin] = bulletins(engines, world.home.association.id)

    # A member of another store of the region saw the silver Golf again.
    sign_in(page, world.neighbour_user.email)
    page.goto(f"/s/{world.neighbour.slug}/feed/")
    page.get_by_role("link", name="I saw this too").first.click()
    page.get_by_label("What you saw").fill("The silver Golf parked across the road for an hour")
    page.get_by_label("When").fill(datetime.now(UTC).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Report the sighting").click()
    sign_out(page)
    run_jobs()

    # The region's liaison is told, and opens the bulletin in their workspace with the sighting under it.
    sign_in_liaison(page, engines, liaison, secret)
    expect(page.locator("#inbox-link .badge")).to_have_text("1")
    open_inbox_item(page, f"Sighting: {bulletin.title}")
    expect(page).to_have_url(re.compile(rf"/liaison/bulletins/{bulletin.id}$"))
    expect(page.get_by_text("The silver Golf parked across the road for an hour")).to_be_visible()
    sign_out(page)

    # The source store learns that a member saw it, not who.
    sign_in(page, world.owner.email)
    page.locator("#inbox-link").click()
    item = page.locator("li.notification", has_text="A member saw what your store shared")
    expect(item).to_be_visible()
    expect(item).to_contain_text("A member of the association reported seeing it")
    text = page.locator("main").inner_text()
    assert world.neighbour.name not in text and world.neighbour_user.email not in text
