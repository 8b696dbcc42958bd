"""Police contacts: the contact log, "keep the lines open" (setting, attention items), deleting a contact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from audit import Actor
from errors import DomainError
from models import (
    Association,
    AuditEntry,
    ContactLogEntry,
    EmergencyPlan,
    Meeting,
    PoliceContact,
    Role,
    Store,
    StoreSetting,
    User,
)
from tests.fixtures.web import csrf_token, post_form, sign_in
from workspace import contacts as services

SECRET_OFFICER = "PC Quill-Secret"
SECRET_LOG = "Talked about the ruby-secret delivery"
TODAY = date(2026, 6, 15)
ACTOR = Actor.system("tests")


@dataclass
class Shop:
    """A store in Europe/London with one contact and one log entry, and the people around it."""

    store: Store
    association: Association
    contact_id: int
    owner: User
    manager: User
    staff: User
    outsider: User  # owner of another store of the same association
    admin: User  # association admin
    liaison: User  # police liaison without a grant


@pytest.fixture
def shop(make_world, make_store, make_user, in_store, engines) -> Shop:
    world = make_world()
    with Session(engines.owner) as session, session.begin():
        session.get(Association, world.association.id).timezone = "Europe/London"
    store = make_store(world, "Quill Jewellers")
    other = make_store(world, "Other Jewellers")

    def seed(session):
        contact = PoliceContact(agency="Quill Police", officer_name=SECRET_OFFICER, preferred_contact="phone")
        session.add(contact)
        session.flush()
        session.add(
            ContactLogEntry(
                contact_id=contact.id,
                occurred_at=datetime.now(UTC) - timedelta(days=3),
                channel="call",
                summary=SECRET_LOG,
            )
        )
        return contact.id

    contact_id = in_store(store, seed)
    in_store(other, lambda s: s.add(PoliceContact(agency="Other", officer_name="Other officer")))
    return Shop(
        store=store,
        association=world.association,
        contact_id=contact_id,
        owner=make_user(store=store, role=Role.STORE_OWNER),
        manager=make_user(store=store, role=Role.STORE_MANAGER),
        staff=make_user(store=store, role=Role.STORE_STAFF),
        outsider=make_user(store=other, role=Role.STORE_OWNER),
        admin=make_user(association=world.association, role=Role.ASSOCIATION_ADMIN),
        liaison=make_user(association=world.association, role=Role.POLICE_LIAISON),
    )


def _contact(session, name="PC Dana Hughes", preferred="phone") -> PoliceContact:
    contact = PoliceContact(agency="City Police", officer_name=name, preferred_contact=preferred)
    session.add(contact)
    session.flush()
    return contact


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


# --- domain functions ------------------------------------------------------------------------------------------


def test_contact_log_is_newest_first_and_refuses_the_future_and_unknown_channels(make_world, make_store, in_store):
    store = make_store(make_world())
    now = _at(TODAY, 12)

    def run(session):
        contact = _contact(session)
        services.log_contact(
            session,
            contact,
            occurred_at=_at(TODAY - timedelta(days=9)),
            channel="visit",
            summary="  Walked through the cameras  ",
            outcome="Will drive by on Fridays",
            now=now,
        )
        services.log_contact(
            session,
            contact,
            occurred_at=_at(TODAY - timedelta(days=2)),
            channel="email",
            summary="Sent the event dates",
            now=now,
        )
        with pytest.raises(DomainError, match="future"):
            services.log_contact(
                session, contact, occurred_at=now + timedelta(hours=1), channel="call", summary="x", now=now
            )
        with pytest.raises(DomainError):
            services.log_contact(session, contact, occurred_at=now, channel="pigeon", summary="x", now=now)
        with pytest.raises(DomainError):
            services.log_contact(session, contact, occurred_at=now, channel="call", summary="   ", now=now)
        return [(e.channel, e.summary, e.outcome) for e in services.contact_log(session, contact.id)]

    assert in_store(store, run) == [
        ("email", "Sent the event dates", ""),
        ("visit", "Walked through the cameras", "Will drive by on Fridays"),
    ]


def test_quiet_days_setting_defaults_to_60_and_accepts_1_to_365(make_world, make_store, in_store):
    store = make_store(make_world())
    assert in_store(store, services.contact_quiet_days) == 60

    def change(session):
        for bad in (0, 366, -5):
            with pytest.raises(DomainError, match="between 1 and 365"):
                services.set_contact_quiet_days(session, bad, store=store, actor=ACTOR)
        services.set_contact_quiet_days(session, 30, store=store, actor=ACTOR)
        return services.contact_quiet_days(session)

    assert in_store(store, change) == 30


def test_attention_flags_quiet_contacts_with_a_next_step(make_world, make_store, in_store):
    store = make_store(make_world())

    def run(session):
        never = _contact(session, "Sgt. Never Called", preferred="email")
        quiet = _contact(session, "PC Dana Hughes")
        visited = _contact(session, "PC Recently Visited")
        recent = _contact(session, "PC Just Called")
        very_quiet = _contact(session, "Insp. Long Gone")
        for contact, days, channel in (
            (quiet, 75, "call"),
            (visited, 100, "visit"),
            (visited, 70, "call"),
            (recent, 10, "call"),
            (very_quiet, 130, "email"),
        ):
            session.add(
                ContactLogEntry(
                    contact_id=contact.id, occurred_at=_at(TODAY - timedelta(days=days)), channel=channel, summary="s"
                )
            )
        session.flush()
        return {i.title: i for i in services.attention_items(session, today=TODAY)}, never.id

    items, never_id = in_store(store, run)
    assert set(items) == {
        "Email Sgt. Never Called: no contact logged yet",
        "Call PC Dana Hughes: last contact 75 days ago",
        "Call PC Recently Visited: last contact 70 days ago",
        "Call Insp. Long Gone: last contact 130 days ago",
    }
    dana = items["Call PC Dana Hughes: last contact 75 days ago"]
    assert "suggest a store visit" in dana.detail and dana.kind == "contact_quiet" and dana.severity == "normal"
    assert dana.endpoint == "store.contact"
    assert "check-in" in items["Call PC Recently Visited: last contact 70 days ago"].detail
    assert "introduction" in items["Email Sgt. Never Called: no contact logged yet"].detail
    assert items["Email Sgt. Never Called: no contact logged yet"].values == {"contact_id": never_id}
    assert items["Call Insp. Long Gone: last contact 130 days ago"].severity == "high"

    # A shorter setting flags more; a longer one fewer.
    in_store(store, lambda s: services.set_contact_quiet_days(s, 5, store=store, actor=ACTOR))
    assert any("Just Called" in i.title for i in in_store(store, lambda s: services.attention_items(s, today=TODAY)))
    in_store(store, lambda s: services.set_contact_quiet_days(s, 365, store=store, actor=ACTOR))
    titles = [i.title for i in in_store(store, lambda s: services.attention_items(s, today=TODAY))]
    assert titles == ["Email Sgt. Never Called: no contact logged yet"]


def test_deleting_a_contact_removes_their_log_but_keeps_meetings(make_world, make_store, in_store):
    store = make_store(make_world())

    def run(session):
        contact = _contact(session)
        session.add(ContactLogEntry(contact_id=contact.id, occurred_at=_at(TODAY), channel="call", summary="s"))
        session.add(Meeting(contact_id=contact.id, title="Intro", starts_at=_at(TODAY), ical_uid="uid-1@loupe"))
        session.flush()
        assert services.delete_contact(session, contact, store=store, actor=ACTOR) == "PC Dana Hughes"

    in_store(store, run)
    counts = in_store(
        store,
        lambda s: (
            s.scalar(sa.select(sa.func.count()).select_from(ContactLogEntry)),
            s.scalar(sa.select(Meeting.contact_id)),
        ),
    )
    assert counts == (0, None)


# --- views ---------------------------------------------------------------------------------------------------


def test_staff_log_a_contact_in_the_associations_time_zone(client, shop, in_store):
    sign_in(client, shop.staff.email)
    url = f"/s/{shop.store.slug}/contacts/{shop.contact_id}"
    response = post_form(
        client,
        f"{url}/log",
        {"occurred_at": "2026-07-01T10:30", "channel": "visit", "summary": "Coffee at the station", "outcome": ""},
        form_url=url,
    )
    assert response.status_code == 302
    entry = in_store(
        shop.store, lambda s: s.scalar(sa.select(ContactLogEntry).where(ContactLogEntry.summary.like("Coffee%")))
    )
    # London is on summer time (UTC+1) in July.
    assert entry.occurred_at == datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    assert entry.channel == "visit" and entry.logged_by_user_id == shop.staff.id
    page = client.get(url).get_data(as_text=True)
    assert "Coffee at the station" in page and "01 Jul 2026, 10:30" in page


def test_an_invalid_log_entry_answers_400_and_keeps_what_was_typed(client, shop):
    sign_in(client, shop.owner.email)
    url = f"/s/{shop.store.slug}/contacts/{shop.contact_id}"
    future = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    response = post_form(
        client,
        f"{url}/log",
        {"occurred_at": future, "channel": "call", "summary": "Kept <summary>", "outcome": "Kept outcome"},
        form_url=url,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cannot be logged in the future" in body and "Kept &lt;summary&gt;" in body and "Kept outcome" in body
    assert f'value="{future}"' in body

    response = post_form(
        client, f"{url}/log", {"occurred_at": "yesterday", "channel": "call", "summary": ""}, form_url=url
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="yesterday"' in body and "Say in a few words" in body

    for year_typo in ("9999-12-31T23:59", "0001-01-01T00:00"):
        response = post_form(
            client, f"{url}/log", {"occurred_at": year_typo, "channel": "call", "summary": "typo"}, form_url=url
        )
        assert response.status_code == 400 and "between 1900 and 2200" in response.get_data(as_text=True)


def test_log_without_csrf_is_refused(client, shop, in_store):
    sign_in(client, shop.owner.email)
    response = client.post(
        f"/s/{shop.store.slug}/contacts/{shop.contact_id}/log",
        data={"occurred_at": "2026-01-01T10:00", "channel": "call", "summary": "no token"},
    )
    assert response.status_code == 400
    assert in_store(shop.store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(ContactLogEntry))) == 1


def test_contacts_list_shows_the_last_contact(client, shop):
    sign_in(client, shop.staff.email)
    body = client.get(f"/s/{shop.store.slug}/contacts/").get_data(as_text=True)
    assert SECRET_OFFICER in body and "last contact" in body


def test_owner_changes_the_quiet_days_setting_and_it_is_audited(client, shop, in_store, engines):
    sign_in(client, shop.owner.email)
    url = f"/s/{shop.store.slug}/settings"
    page = client.get(url)
    assert page.status_code == 200 and 'value="60"' in page.get_data(as_text=True)
    for bad in ("0", "366", "abc", ""):
        response = post_form(client, url, {"contact_quiet_days": bad})
        body = response.get_data(as_text=True)
        assert response.status_code == 400, bad
        assert f'value="{bad}"' in body or bad == ""
    assert "between 1 and 365" in post_form(client, url, {"contact_quiet_days": "0"}).get_data(as_text=True)
    assert post_form(client, url, {"contact_quiet_days": "90"}).status_code == 302
    assert in_store(shop.store, lambda s: s.get(StoreSetting, "contact_quiet_days").value) == "90"
    with Session(engines.owner) as session:
        entry = session.scalar(
            sa.select(AuditEntry).where(
                AuditEntry.action == "store.settings_changed", AuditEntry.store_id == shop.store.id
            )
        )
    assert entry.actor_user_id == shop.owner.id and entry.details == {"before": 60, "after": 90}


def test_managers_may_change_settings_and_delete_staff_may_not(client, shop):
    sign_in(client, shop.manager.email)
    assert client.get(f"/s/{shop.store.slug}/settings").status_code == 200
    assert client.get(f"/s/{shop.store.slug}/contacts/{shop.contact_id}/delete").status_code == 200
    staff = client.application.test_client()
    sign_in(staff, shop.staff.email)
    assert staff.get(f"/s/{shop.store.slug}/settings").status_code == 403
    assert staff.get(f"/s/{shop.store.slug}/contacts/{shop.contact_id}/delete").status_code == 403
    token = csrf_token(staff.get(f"/s/{shop.store.slug}/contacts/{shop.contact_id}").get_data(as_text=True))
    response = staff.post(f"/s/{shop.store.slug}/contacts/{shop.contact_id}/delete", data={"csrf_token": token})
    assert response.status_code == 403
    page = staff.get(f"/s/{shop.store.slug}/contacts/{shop.contact_id}").get_data(as_text=True)
    assert "/delete" not in page and "/edit" not in page


def test_delete_asks_for_confirmation_then_deletes_with_csrf(client, shop, in_store, engines):
    sign_in(client, shop.owner.email)
    url = f"/s/{shop.store.slug}/contacts/{shop.contact_id}/delete"
    page = client.get(url)
    assert page.status_code == 200 and "cannot be undone" in page.get_data(as_text=True)
    assert client.post(url, data={}).status_code == 400  # no CSRF token
    assert in_store(shop.store, lambda s: s.get(PoliceContact, shop.contact_id)) is not None
    response = post_form(client, url, {})
    assert response.status_code == 302
    assert in_store(shop.store, lambda s: s.get(PoliceContact, shop.contact_id)) is None
    assert client.get(f"/s/{shop.store.slug}/contacts/{shop.contact_id}").status_code == 404
    with Session(engines.owner) as session:
        entry = session.scalar(
            sa.select(AuditEntry).where(
                AuditEntry.action == "store.contact_deleted", AuditEntry.store_id == shop.store.id
            )
        )
    assert entry.target == f"police_contact:{shop.contact_id}" and SECRET_OFFICER not in str(entry.details)


def test_dashboard_lists_quiet_contacts(client, shop, in_store):
    in_store(shop.store, lambda s: _contact(s, "PC Never Reached"))
    sign_in(client, shop.staff.email)
    body = client.get(f"/s/{shop.store.slug}/").get_data(as_text=True)
    assert "Call PC Never Reached: no contact logged yet" in body
    assert f"Call {SECRET_OFFICER}" not in body  # reached 3 days ago


def _store_statements(engine, client, path: str) -> list[str]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if "FROM store_" in statement:
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return seen


def test_dashboard_statements_do_not_grow_with_the_stores_records(client, shop, in_store, engines):
    """The most visited page: a fixed set of statements however many contacts, visits and plans the store has.
    Contacts come with their last contact, last visit and the quiet-days setting in one statement."""
    sign_in(client, shop.owner.email)
    url = f"/s/{shop.store.slug}/"
    before = _store_statements(engines.app, client, url)

    def more(session):
        old = datetime.now(UTC) - timedelta(days=400)
        for i in range(6):
            contact = _contact(session, f"PC Extra {i}")
            session.add(ContactLogEntry(contact_id=contact.id, occurred_at=old, channel="visit", summary="Walkround"))
            session.add(ContactLogEntry(contact_id=contact.id, occurred_at=old, channel="call", summary="Catch-up"))
        session.add(EmergencyPlan(kind="robbery", steps="Stay calm", review_due_on=date.today() - timedelta(days=1),
                                  agreed_contact_id=contact.id, agreed_on=date.today()))  # fmt: skip

    in_store(shop.store, more)
    after = _store_statements(engines.app, client, url)
    assert len(after) == len(before), after
    contact_reads = [s for s in after if "police_contacts" in s and "contact_log_entries" in s]
    assert len(contact_reads) == 1 and "store_settings" in contact_reads[0], contact_reads
    body = client.get(url).get_data(as_text=True)
    # Visited 400 days ago: the item still suggests a visit (the last visit came from that one statement).
    assert "Call PC Extra 3: last contact 400 days ago" in body and "suggest a store visit" in body
    assert "Robbery plan is past its review date" in body


# --- cross-store ---------------------------------------------------------------------------------------------

ROUTES = [
    ("GET", "/"),
    ("GET", "/settings"),
    ("POST", "/settings"),
    ("GET", "/contacts/"),
    ("GET", "/contacts/{id}"),
    ("POST", "/contacts/{id}/log"),
    ("GET", "/contacts/{id}/delete"),
    ("POST", "/contacts/{id}/delete"),
]


@pytest.mark.parametrize("who", ["outsider", "admin", "liaison"])
def test_nobody_outside_the_store_reaches_contact_pages(app, shop, who, in_store):
    client = app.test_client()
    sign_in(client, getattr(shop, who).email)
    token = csrf_token(client.get("/account/password").get_data(as_text=True))
    for method, path in ROUTES:
        url = f"/s/{shop.store.slug}{path.format(id=shop.contact_id)}"
        data = {
            "csrf_token": token,
            "contact_quiet_days": "1",
            "occurred_at": "2026-01-01T10:00",
            "channel": "call",
            "summary": "intruder",
        }
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code in (403, 404), (who, method, url, response.status_code)
        assert SECRET_OFFICER not in body and SECRET_LOG not in body and shop.store.name not in body
    assert in_store(shop.store, lambda s: s.get(PoliceContact, shop.contact_id)) is not None
    assert in_store(shop.store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(ContactLogEntry))) == 1
    assert in_store(shop.store, services.contact_quiet_days) == 60


def test_an_unknown_contact_id_is_not_found(client, shop):
    sign_in(client, shop.owner.email)
    assert client.get(f"/s/{shop.store.slug}/contacts/999").status_code == 404
    assert client.get(f"/s/{shop.store.slug}/contacts/999/delete").status_code == 404


def test_demo_records_show_a_quiet_contact_an_overdue_follow_up_and_an_upcoming_meeting(
    make_world, make_store, in_store
):
    from demo.contacts import seed_contacts
    from meetings import meetings

    store = make_store(make_world())
    now = datetime.now(UTC)

    def run(session):
        _contact(session, "PC Dana Hughes")
        _contact(session, "Sgt. Omar Reid", preferred="email")
        seed_contacts(session, store_name="Demo Jewels", now=now)
        items = services.attention_items(session, today=now.date()) + meetings.attention_items(
            session, today=now.date()
        )
        return [(i.kind, i.title) for i in items], meetings.overview(session, now=now)

    items, overview = in_store(store, run)
    assert [kind for kind, _ in items] == ["contact_quiet", "meeting_action_overdue"]
    assert items[0][1].startswith("Call PC Dana Hughes: last contact")
    assert len(overview.upcoming) == 1 and len(overview.past) == 1 and overview.past[0].minutes
