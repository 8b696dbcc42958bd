"""Meetings with police contacts: scheduling, agenda templates, minutes, follow-ups, the .ics file, isolation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from errors import DomainError, NotFound
from meetings import meetings as services
from meetings.agendas import agenda_template
from models import ContactLogEntry, Meeting, MeetingAction, PoliceContact
from tests.fixtures.web import csrf_token, post_form, sign_in
from tests.workspace.test_contacts import SECRET_LOG, SECRET_OFFICER, shop  # noqa: F401  (fixture)

TODAY = date(2026, 6, 15)
SECRET_MINUTES = "Minutes: the back door sensor-secret is faulty"
SECRET_ACTION = "Fix the sensor-secret by Friday"


def _contact(session) -> PoliceContact:
    contact = PoliceContact(agency="City Police", officer_name="PC Dana Hughes")
    session.add(contact)
    session.flush()
    return contact


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def meeting_id(shop, in_store):  # noqa: F811
    """A held meeting with minutes and one open follow-up, in the shop fixture's store."""

    def seed(session):
        meeting = services.schedule_meeting(
            session,
            contact_id=shop.contact_id,
            title="Walk-through",
            starts_at=datetime.now(UTC) - timedelta(days=20),
            agenda_key="walkthrough",
        )
        services.record_outcome(session, meeting, status="held", minutes=SECRET_MINUTES)
        services.add_action(session, meeting, description=SECRET_ACTION, owner="Owner", due_on=date(2026, 1, 2))
        return meeting.id

    return in_store(shop.store, seed)


# --- domain functions ------------------------------------------------------------------------------------------


def test_scheduling_fills_in_the_defaults_and_edits_bump_the_calendar_sequence(make_world, make_store, in_store):
    store = make_store(make_world())

    def run(session):
        contact = _contact(session)
        meeting = services.schedule_meeting(
            session, contact_id=contact.id, title="", starts_at=_at(TODAY), agenda_key="patrols"
        )
        assert meeting.location == "At the store" and meeting.status == "planned"
        assert meeting.title == agenda_template("patrols").title
        assert meeting.agenda == agenda_template("patrols").text and "drive-bys" in meeting.agenda.lower()
        uid = meeting.ical_uid
        services.update_meeting(
            session,
            meeting,
            contact_id=contact.id,
            title="Patrols for the summer sale",
            starts_at=_at(TODAY, 14),
            duration_minutes=45,
            location="Police station",
            agenda_key="patrols",
            agenda="1. Sale dates\n2. Vans expected",
        )
        assert meeting.ical_uid == uid and meeting.ical_sequence == 1 and meeting.agenda.startswith("1. Sale")
        with pytest.raises(DomainError):
            services.schedule_meeting(
                session, contact_id=contact.id, title="x", starts_at=_at(TODAY), duration_minutes=2000
            )
        with pytest.raises(DomainError):
            services.schedule_meeting(session, contact_id=contact.id, title="x", starts_at=_at(TODAY), agenda_key="?")
        with pytest.raises(NotFound):
            services.schedule_meeting(session, contact_id=contact.id + 99, title="x", starts_at=_at(TODAY))
        other = services.schedule_meeting(session, contact_id=contact.id, title="Other", starts_at=_at(TODAY))
        assert other.ical_uid != uid

    in_store(store, run)


def test_marking_a_meeting_held_logs_a_visit_once(make_world, make_store, in_store):
    store = make_store(make_world())

    def run(session):
        contact = _contact(session)
        meeting = services.schedule_meeting(
            session, contact_id=contact.id, title="Intro", starts_at=_at(TODAY - timedelta(days=1))
        )
        services.record_outcome(session, meeting, status="held", minutes="Went well", now=_at(TODAY))
        services.record_outcome(session, meeting, status="planned", minutes="", now=_at(TODAY))
        services.record_outcome(session, meeting, status="held", minutes="Went well", now=_at(TODAY))
        with pytest.raises(DomainError):
            services.record_outcome(session, meeting, status="maybe", minutes="")
        entries = session.scalars(sa.select(ContactLogEntry)).all()
        return [(e.channel, e.summary, e.occurred_at) for e in entries], meeting.ical_sequence

    entries, sequence = in_store(store, run)
    assert entries == [("visit", "Meeting: Intro", _at(TODAY - timedelta(days=1)))]
    assert sequence == 3


def test_attention_lists_overdue_follow_ups_and_meetings_awaiting_minutes(make_world, make_store, in_store):
    store = make_store(make_world())

    def run(session):
        contact = _contact(session)
        held = services.schedule_meeting(session, contact_id=contact.id, title="Held", starts_at=_at(date(2026, 5, 1)))
        services.record_outcome(session, held, status="held", minutes="", now=_at(TODAY))
        overdue = services.add_action(session, held, description="Send the camera plan", due_on=date(2026, 6, 1))
        services.add_action(session, held, description="Very late", owner="Sam", due_on=date(2026, 5, 1))
        services.add_action(session, held, description="Not yet due", due_on=date(2026, 6, 20))
        services.add_action(session, held, description="No date")
        done = services.add_action(session, held, description="Done already", due_on=date(2026, 5, 2))
        services.set_action_done(session, done, True)
        cancelled = services.schedule_meeting(
            session, contact_id=contact.id, title="Cancelled", starts_at=_at(date(2026, 5, 3))
        )
        services.record_outcome(session, cancelled, status="cancelled", minutes="", now=_at(TODAY))
        services.add_action(session, cancelled, description="Of a cancelled meeting", due_on=date(2026, 5, 4))
        services.schedule_meeting(session, contact_id=contact.id, title="Forgotten", starts_at=_at(date(2026, 6, 10)))
        services.schedule_meeting(session, contact_id=contact.id, title="Later today", starts_at=_at(TODAY, 18))
        return services.attention_items(session, today=TODAY), overdue.id, held.id

    items, _overdue_id, held_id = in_store(store, run)
    assert [(i.kind, i.title, i.severity) for i in items] == [
        ("meeting_action_overdue", "Follow-up overdue: Very late", "high"),
        ("meeting_action_overdue", "Follow-up overdue: Send the camera plan", "normal"),
        ("meeting_minutes_due", "Record how the meeting went: Forgotten", "normal"),
    ]
    assert items[0].endpoint == "meetings.meeting" and items[0].values == {"meeting_id": held_id}
    assert "Sam" in items[0].detail and "45 days ago" in items[0].detail


def test_the_ics_file_has_utc_times_a_stable_uid_and_nothing_else_of_the_store(make_world, make_store, in_store):
    store = make_store(make_world())

    def run(session):
        contact = _contact(session)
        contact.notes = "private-notes-secret"
        contact.phone = "+44 1"
        meeting = services.schedule_meeting(
            session,
            contact_id=contact.id,
            title="Security walk-through",
            starts_at=datetime(2026, 7, 1, 9, 30, tzinfo=UTC),
            duration_minutes=90,
            agenda_key="walkthrough",
        )
        services.record_outcome(session, meeting, status="planned", minutes="minutes-secret")
        services.add_action(session, meeting, description="action-secret")
        first = services.meeting_ics(meeting, contact)
        second = services.meeting_ics(meeting, contact)
        return first, second, meeting.ical_uid

    first, second, uid = in_store(store, run)
    text = first.decode()
    assert "minutes-secret" not in text and "action-secret" not in text and "private-notes-secret" not in text
    assert "+44 1" not in text
    [event] = Calendar.from_ical(first).walk("VEVENT")
    [again] = Calendar.from_ical(second).walk("VEVENT")
    assert str(event["UID"]) == str(again["UID"]) == uid
    assert event.decoded("DTSTART") == datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 7, 1, 11, 0, tzinfo=UTC)
    assert "DTSTART:20260701T093000Z" in text
    assert str(event["SUMMARY"]) == "Security walk-through — PC Dana Hughes"
    assert str(event["LOCATION"]) == "At the store" and str(event["STATUS"]) == "CONFIRMED"
    assert "Safes and vaults" in str(event["DESCRIPTION"])


# --- views ---------------------------------------------------------------------------------------------------


def test_owner_schedules_a_meeting_in_local_time_and_downloads_the_ics(client, shop, in_store):  # noqa: F811
    sign_in(client, shop.owner.email)
    base = f"/s/{shop.store.slug}/meetings"
    form = client.get(f"{base}/new?contact_id={shop.contact_id}").get_data(as_text=True)
    assert 'value="At the store"' in form and "Walk-through: alarm" in form
    response = post_form(
        client,
        f"{base}/new",
        {
            "contact_id": str(shop.contact_id),
            "title": "",
            "starts_at": "2026-07-01T10:30",
            "duration_minutes": "60",
            "location": "At the store",
            "agenda_template": "walkthrough",
            "agenda": "",
        },
    )
    assert response.status_code == 302
    meeting = in_store(shop.store, lambda s: s.scalar(sa.select(Meeting)))
    assert meeting.starts_at == datetime(2026, 7, 1, 9, 30, tzinfo=UTC)  # London summer time
    assert meeting.title == "Security walk-through" and "Safes and vaults" in meeting.agenda
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Wednesday 01 July 2026, 10:30" in page and SECRET_OFFICER in page

    ics = client.get(f"{base}/{meeting.id}.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert ics.headers["Content-Disposition"].startswith("attachment; filename=")
    assert ics.headers["Cache-Control"] == "no-store"
    [event] = Calendar.from_ical(ics.data).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    assert str(event["UID"]) == meeting.ical_uid
    assert SECRET_LOG not in ics.get_data(as_text=True)

    edit = post_form(
        client,
        f"{base}/{meeting.id}/edit",
        {
            "contact_id": str(shop.contact_id),
            "title": "Walk-through (moved)",
            "starts_at": "2026-07-02T11:00",
            "duration_minutes": "30",
            "location": "Police station",
            "agenda_template": "walkthrough",
            "agenda": "Only cameras",
        },
    )
    assert edit.status_code == 302
    [moved] = Calendar.from_ical(client.get(f"{base}/{meeting.id}.ics").data).walk("VEVENT")
    assert str(moved["UID"]) == meeting.ical_uid and int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") == datetime(2026, 7, 2, 10, 0, tzinfo=UTC)


def test_an_invalid_meeting_answers_400_and_keeps_what_was_typed(client, shop):  # noqa: F811
    sign_in(client, shop.owner.email)
    response = post_form(
        client,
        f"/s/{shop.store.slug}/meetings/new",
        {
            "contact_id": "999",
            "title": "Kept title",
            "starts_at": "next tuesday",
            "duration_minutes": "9999",
            "location": "Kept location",
            "agenda_template": "walkthrough",
            "agenda": "Kept agenda",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Kept title"' in body and 'value="Kept location"' in body and "Kept agenda" in body
    assert 'value="next tuesday"' in body and 'value="9999"' in body
    assert "Choose one of your police contacts." in body and "between 5 minutes and 24 hours" in body

    response = post_form(
        client,
        f"/s/{shop.store.slug}/meetings/new",
        {
            "contact_id": str(shop.contact_id),
            "starts_at": "0001-01-01T00:00",
            "duration_minutes": "60",
            "location": "At the store",
            "agenda_template": "free",
        },
    )
    assert response.status_code == 400 and "between 1900 and 2200" in response.get_data(as_text=True)


def test_minutes_and_follow_ups_from_the_meeting_page(client, shop, meeting_id, in_store):  # noqa: F811
    sign_in(client, shop.manager.email)
    url = f"/s/{shop.store.slug}/meetings/{meeting_id}"
    response = post_form(client, f"{url}/outcome", {"status": "held", "minutes": "New minutes"}, form_url=url)
    assert response.status_code == 302
    bad = post_form(
        client, f"{url}/actions", {"description": "", "owner": "Kept owner", "due_on": "soon"}, form_url=url
    )
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'value="Kept owner"' in body and 'value="soon"' in body
    assert "Say what needs doing." in body
    good = post_form(
        client, f"{url}/actions", {"description": "Send floor plan", "owner": "", "due_on": "2026-12-01"}, form_url=url
    )
    assert good.status_code == 302
    actions = in_store(shop.store, lambda s: s.scalars(sa.select(MeetingAction).order_by(MeetingAction.id)).all())
    assert [(a.description, a.due_on) for a in actions] == [
        (SECRET_ACTION, date(2026, 1, 2)),
        ("Send floor plan", date(2026, 12, 1)),
    ]
    assert in_store(shop.store, lambda s: s.get(Meeting, meeting_id).minutes) == "New minutes"


def test_staff_view_download_and_tick_off_but_do_not_plan(client, shop, meeting_id, in_store):  # noqa: F811
    sign_in(client, shop.staff.email)
    base = f"/s/{shop.store.slug}/meetings"
    page = client.get(f"{base}/{meeting_id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and SECRET_MINUTES in body and SECRET_ACTION in body
    assert "/edit" not in body and "/outcome" not in body
    assert client.get(f"{base}/").status_code == 200
    assert client.get(f"{base}/{meeting_id}.ics").status_code == 200
    for path in ("/new", f"/{meeting_id}/edit"):
        assert client.get(f"{base}{path}").status_code == 403
    token = csrf_token(body)
    for path in (f"/{meeting_id}/outcome", f"/{meeting_id}/actions"):
        response = client.post(
            f"{base}{path}", data={"csrf_token": token, "status": "cancelled", "minutes": "", "description": "x"}
        )
        assert response.status_code == 403
    action_id = in_store(shop.store, lambda s: s.scalar(sa.select(MeetingAction.id)))
    done = client.post(f"{base}/{meeting_id}/actions/{action_id}/done", data={"csrf_token": token, "done": "y"})
    assert done.status_code == 302
    assert in_store(shop.store, lambda s: s.get(MeetingAction, action_id).done_at) is not None
    client.post(f"{base}/{meeting_id}/actions/{action_id}/done", data={"csrf_token": token})
    assert in_store(shop.store, lambda s: s.get(MeetingAction, action_id).done_at) is None
    assert in_store(shop.store, lambda s: s.get(Meeting, meeting_id).status) == "held"


def test_an_action_of_another_meeting_is_not_found(client, shop, meeting_id, in_store):  # noqa: F811
    other = in_store(
        shop.store,
        lambda s: services.schedule_meeting(s, contact_id=shop.contact_id, title="Other", starts_at=_at(TODAY)).id,
    )
    action_id = in_store(shop.store, lambda s: s.scalar(sa.select(MeetingAction.id)))
    sign_in(client, shop.owner.email)
    token = csrf_token(client.get(f"/s/{shop.store.slug}/meetings/{other}").get_data(as_text=True))
    response = client.post(
        f"/s/{shop.store.slug}/meetings/{other}/actions/{action_id}/done", data={"csrf_token": token, "done": "y"}
    )
    assert response.status_code == 404


def test_dashboard_lists_overdue_follow_ups(client, shop, meeting_id):  # noqa: F811
    sign_in(client, shop.staff.email)
    body = client.get(f"/s/{shop.store.slug}/").get_data(as_text=True)
    assert f"Follow-up overdue: {SECRET_ACTION}" in body
    assert f"/s/{shop.store.slug}/meetings/{meeting_id}" in body


# --- cross-store ---------------------------------------------------------------------------------------------

ROUTES = [
    ("GET", "/"),
    ("GET", "/new"),
    ("POST", "/new"),
    ("GET", "/{m}"),
    ("GET", "/{m}.ics"),
    ("GET", "/{m}/edit"),
    ("POST", "/{m}/edit"),
    ("POST", "/{m}/outcome"),
    ("POST", "/{m}/actions"),
    ("POST", "/{m}/actions/{a}/done"),
]


@pytest.mark.parametrize("who", ["outsider", "admin", "liaison"])
def test_nobody_outside_the_store_reaches_meeting_pages(app, shop, meeting_id, who, in_store):  # noqa: F811
    action_id = in_store(shop.store, lambda s: s.scalar(sa.select(MeetingAction.id)))
    client = app.test_client()
    sign_in(client, getattr(shop, who).email)
    token = csrf_token(client.get("/account/password").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "contact_id": "1",
        "title": "intruder",
        "starts_at": "2026-07-01T10:00",
        "duration_minutes": "60",
        "location": "x",
        "agenda_template": "free",
        "status": "cancelled",
        "minutes": "intruder",
        "description": "intruder",
        "done": "y",
    }
    for method, path in ROUTES:
        url = f"/s/{shop.store.slug}/meetings{path.format(m=meeting_id, a=action_id)}"
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code in (403, 404), (who, method, url, response.status_code)
        for secret in (SECRET_OFFICER, SECRET_MINUTES, SECRET_ACTION, shop.store.name, "BEGIN:VCALENDAR"):
            assert secret not in body, (who, url, secret)
    meeting = in_store(shop.store, lambda s: s.get(Meeting, meeting_id))
    assert meeting.status == "held" and meeting.minutes == SECRET_MINUTES and meeting.title == "Walk-through"
    assert in_store(shop.store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Meeting))) == 1
    assert in_store(shop.store, lambda s: s.get(MeetingAction, action_id).done_at) is None
