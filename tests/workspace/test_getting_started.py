"""The getting-started checklist on a new store's dashboard: each step ticks itself from what exists, the police
contact with an email address comes first, and the list hides once everything is done (issue #19)."""

from __future__ import annotations

import re
from datetime import date

from models import EmergencyPlan, PoliceContact, Role, SecurityBriefing
from models.store.profile import StoreProfile
from tests.fixtures.web import sign_in
from workspace.getting_started import checklist


def _done(in_store, store) -> dict[str, bool]:
    return in_store(store, lambda s: {step.key: step.done for step in checklist(s, store)})


def test_steps_tick_themselves_from_the_stores_records(make_world, make_store, make_user, in_store):
    store = make_store(make_world())
    make_user(store=store, role=Role.STORE_OWNER)
    assert _done(in_store, store) == dict.fromkeys(("contact", "profile", "briefing", "plan", "people"), False)
    assert [step.key for step in in_store(store, lambda s: checklist(s, store))][0] == "contact"

    # A contact without an email address does not count: alerts could not reach them.
    in_store(store, lambda s: s.add(PoliceContact(agency="City Police", officer_name="PC Phone", email="")))
    assert _done(in_store, store)["contact"] is False
    mail = PoliceContact(agency="City Police", officer_name="PC Mail", email="pc@example.org")
    in_store(store, lambda s: s.add(mail))
    in_store(store, lambda s: s.add(StoreProfile(id=1, street_address="12 High Street")))
    in_store(store, lambda s: s.add(SecurityBriefing(id=1, alarm_system="Monitored")))
    in_store(store, lambda s: s.add(EmergencyPlan(kind="robbery", steps="Stay calm", review_due_on=date(2027, 1, 1))))
    make_user(store=store, role=Role.STORE_STAFF)
    assert set(_done(in_store, store).values()) == {True}


def test_the_dashboard_shows_the_checklist_to_managers_until_done(client, make_world, make_store, make_user, in_store):
    store = make_store(make_world())
    owner = make_user(store=store, role=Role.STORE_OWNER)
    staff = make_user(store=store, role=Role.STORE_STAFF)
    sign_in(client, owner.email)
    page = client.get(f"/s/{store.slug}/").get_data(as_text=True)
    assert "Getting started" in page and "4 steps left." in page  # the staff member counts as invited
    first = re.search(r'<li class=" first">.*?</li>', page, re.S).group(0)
    assert "Add a police contact with an email address" in first and f"/s/{store.slug}/contacts/new" in first

    staff_client = client.application.test_client()
    sign_in(staff_client, staff.email)
    assert "Getting started" not in staff_client.get(f"/s/{store.slug}/").get_data(as_text=True)

    def finish(session):
        session.add(PoliceContact(agency="City Police", officer_name="PC Mail", email="pc@example.org"))
        session.add(StoreProfile(id=1, street_address="12 High Street"))
        session.add(SecurityBriefing(id=1))
        session.add(EmergencyPlan(kind="robbery", steps="Stay calm", review_due_on=date(2027, 1, 1)))

    in_store(store, finish)
    assert "Getting started" not in client.get(f"/s/{store.slug}/").get_data(as_text=True)


def test_empty_pages_say_what_to_do_next(client, make_world, make_store, make_user):
    store = make_store(make_world())
    owner = make_user(store=store, role=Role.STORE_OWNER)
    sign_in(client, owner.email)
    contacts = client.get(f"/s/{store.slug}/contacts/").get_data(as_text=True)
    assert "Add your first police contact" in contacts
    logbook = client.get(f"/s/{store.slug}/logbook/").get_data(as_text=True)
    assert "No incidents logged yet." in logbook and f"/s/{store.slug}/logbook/casing" in logbook
    assert "(s)" not in contacts + logbook
