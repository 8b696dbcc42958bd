"""Meetings as real invitations (issue 18 part 6): the .ics names the ORGANIZER and the officer as ATTENDEE; the
meeting page emails the invitation with the .ics attached; owners and managers get one reminder the day before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from icalendar import Calendar
from sqlalchemy.orm import Session

from meetings import meetings as services
from meetings.invitations import remind_all
from models import AuditEntry, Meeting, OutboundEmail, PoliceContact
from tests.fixtures.web import post_form, sign_in
from tests.workspace.test_contacts import shop  # noqa: F401  (fixture)


def _meeting(in_store, store, *, email="pc.quill@example.org", hours=72) -> int:
    def add(session):
        contact = PoliceContact(agency="Quill Police", officer_name="PC Quill", email=email)
        session.add(contact)
        session.flush()
        return services.schedule_meeting(
            session, contact_id=contact.id, title="Quarterly security review",
            starts_at=datetime.now(UTC) + timedelta(hours=hours),
        ).id  # fmt: skip

    return in_store(store, add)


def test_the_meeting_page_emails_the_invitation_with_its_ics(app, client, shop, in_store, smtp, engines):  # noqa: F811
    store = shop.store
    meeting_id = _meeting(in_store, store)
    sign_in(client, shop.owner.email)
    page = f"/s/{store.slug}/meetings/{meeting_id}"
    assert "Email the invitation to the officer" in client.get(page).get_data(as_text=True)
    assert post_form(client, f"{page}/invite", {}, form_url=page).status_code == 302
    [message] = smtp.to("pc.quill@example.org")
    assert message["Subject"] == f"Invitation: Quarterly security review — {store.name}"
    [attachment] = [part for part in message.iter_attachments()]
    assert attachment.get_content_type() == "text/calendar" and attachment.get_param("method") == "REQUEST"
    calendar = Calendar.from_ical(attachment.get_content())
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert (
        str(event["ORGANIZER"]) == f"mailto:{shop.owner.email}" and event["ORGANIZER"].params["CN"] == shop.owner.name
    )
    assert str(event["ATTENDEE"]) == "mailto:pc.quill@example.org"
    assert event["ATTENDEE"].params["CN"] == "PC Quill" and event["ATTENDEE"].params["RSVP"] == "TRUE"
    with Session(engines.owner) as session:
        assert session.scalar(sa.select(AuditEntry.action).where(AuditEntry.action == "meeting.invitation_sent"))
    # The downloaded .ics names them too.
    ics = Calendar.from_ical(client.get(f"/s/{store.slug}/meetings/{meeting_id}.ics").get_data())
    [event] = ics.walk("VEVENT")
    assert "ATTENDEE" in event and "ORGANIZER" in event and "METHOD" not in ics
    # Staff cannot send it.
    staff = app.test_client()
    sign_in(staff, shop.staff.email)
    assert post_form(staff, f"{page}/invite", {}, form_url=page).status_code == 403


def test_reminders_go_once_to_owners_and_managers_the_day_before(app, shop, in_store, smtp, engines):  # noqa: F811
    store = shop.store
    soon = _meeting(in_store, store, hours=20)
    _meeting(in_store, store, hours=60)  # not yet
    with app.app_context():
        assert remind_all(engines.app) == 2
        assert remind_all(engines.app) == 0
    got = sorted(m["To"] for m in smtp.messages if m["Subject"].startswith("Reminder: Quarterly security review"))
    assert got == sorted([shop.owner.email, shop.manager.email])
    # Moved to another time within the day: reminded again, once.
    in_store(store, lambda s: setattr(s.get(Meeting, soon), "reminded_at", None))
    with app.app_context():
        assert remind_all(engines.app) == 0  # same start time: the fixed Message-IDs are already in the outbox

    def move(session):
        meeting = session.get(Meeting, soon)
        services.update_meeting(
            session, meeting, contact_id=meeting.contact_id, title=meeting.title,
            starts_at=meeting.starts_at + timedelta(hours=1), duration_minutes=60, location="At the store",
            agenda_key="free", agenda="",
        )  # fmt: skip

    in_store(store, move)
    with app.app_context():
        assert remind_all(engines.app) == 2
    with Session(engines.owner) as session:
        assert (
            session.scalar(sa.select(sa.func.count(OutboundEmail.id)).where(OutboundEmail.kind == "meeting_reminder"))
            == 4
        )
