"""A meeting as a real invitation: emailed to the officer with its .ics (ORGANIZER, ATTENDEE, METHOD:REQUEST), and
reminded to the store's owners and managers the day before (an hourly job, once per meeting and start time).

Both go through the outbox, whose `mail.deliver` job sends them after the transaction commits; the reminder's rows
and the meeting's `reminded_at` mark are written in one transaction per store, and each reminder's Message-ID is
fixed by the meeting, its start and the person, so a job that runs twice sends nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session

import audit
from audit import Actor
from errors import DomainError
from i18n import _, _l, format_local
from mail.links import external_url
from mail.outbox import queue_email, sender_domain
from mail.render import in_language, recipient_language, render_email
from meetings.meetings import contact_of, ics_filename, meeting_ics
from models import Meeting, Membership, OutboundEmail, Store, User
from models.accounts import MANAGER_ROLES
from models.base import utcnow
from tenants.binding import store_session
from tenants.readable import readable_stores
from workspace.times import store_zone, utc_to_local

REMINDER_AHEAD = timedelta(hours=24)


class InvitationRefused(DomainError):
    """An invitation that cannot be sent as asked."""


def _when(meeting: Meeting, store: Store) -> str:
    return format_local(utc_to_local(meeting.starts_at, store_zone(store)), "%A %-d %B %Y, %H:%M")


def send_invitation(
    session: Session, store: Store, meeting: Meeting, *, organizer: tuple[str, str], actor: Actor
) -> OutboundEmail:
    """Email the meeting's officer an invitation with the .ics attached. Flushes; the outbox sends it after commit."""
    contact = contact_of(session, meeting)
    if meeting.status != "planned" or meeting.starts_at <= utcnow():
        raise InvitationRefused(_("Only a planned meeting that has not started can be sent as an invitation."))
    if contact is None or not contact.email:
        raise InvitationRefused(_("This officer has no email address: add one to the police contact first."))
    ics = meeting_ics(meeting, contact, organizer=organizer, method="REQUEST").decode()
    language = recipient_language(session, contact.email)
    with in_language(language):
        email = render_email(
            "meeting_invitation",
            _l("Invitation: %(title)s — %(store)s", title=meeting.title, store=store.name),
            meeting=meeting,
            store=store,
            contact=contact,
            when=_when(meeting, store),
            organizer=organizer,
        )
    row = queue_email(
        session,
        to=contact.email,
        email=email,
        kind="meeting_invitation",
        attachments=[
            {"filename": ics_filename(meeting), "content_type": "text/calendar", "method": "REQUEST", "text": ics}
        ],
    )
    audit.record(
        session,
        "meeting.invitation_sent",
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target=f"meeting:{meeting.id}",
        details={"to": contact.email, "sequence": meeting.ical_sequence},
    )
    return row


def _managers(session: Session, store_id: int) -> list[User]:
    return list(
        session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.store_id == store_id,
                Membership.role.in_([r.value for r in MANAGER_ROLES]),
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    )


def remind_store(session: Session, store: Store, *, now, domain: str) -> int:
    """Queue the day-before reminders of one store's planned meetings not reminded yet; returns emails queued."""
    due = session.scalars(
        sa.select(Meeting)
        .where(
            Meeting.status == "planned",
            Meeting.reminded_at.is_(None),
            Meeting.starts_at > now,
            Meeting.starts_at <= now + REMINDER_AHEAD,
        )
        .with_for_update(skip_locked=True)
    ).all()
    queued = 0
    for meeting in due:
        contact = contact_of(session, meeting)
        for user in _managers(session, store.id):
            message_id = (
                f"<meeting-{meeting.ical_uid.split('@')[0]}-{int(meeting.starts_at.timestamp())}-{user.id}@{domain}>"
            )
            if session.scalar(sa.select(OutboundEmail.id).where(OutboundEmail.message_id == message_id)):
                continue
            with in_language(user.language):
                email = render_email(
                    "meeting_reminder",
                    _l("Reminder: %(title)s — %(when)s", title=meeting.title, when=_when(meeting, store)),
                    meeting=meeting,
                    store=store,
                    contact=contact,
                    when=_when(meeting, store),
                    link=external_url("meetings.meeting", store_slug=store.slug, meeting_id=meeting.id),
                )
            queue_email(session, to=user.email, email=email, kind="meeting_reminder", message_id=message_id)
            queued += 1
        meeting.reminded_at = now
    session.flush()
    return queued


def remind_all(engine: Engine) -> int:
    """The hourly job: every ready store's meetings in the next 24 hours, once each (one transaction per store)."""
    now = utcnow()
    domain = sender_domain(current_app.config["MAIL_FROM"])
    with Session(engine, expire_on_commit=False) as session:
        stores = session.scalars(readable_stores()).all()
        for store in stores:
            _ = (store.association, store.region)  # what the store's clock reads, loaded before detaching
    queued = 0
    for store in stores:
        with store_session(engine, store.schema_name) as store_db, store_db.begin():
            queued += remind_store(store_db, store, now=now, domain=domain)
    return queued
