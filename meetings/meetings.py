"""Meetings domain functions. The Session passed in is already bound to the store's schema."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy.orm import Session, selectinload

from database.bundle import Query, fetch
from errors import DomainError, NotFound
from i18n import _, format_local, ngettext
from meetings.agendas import TEMPLATES_BY_KEY, agenda_template
from models import ContactLogEntry, Meeting, MeetingAction, PoliceContact
from models.store.meetings import MEETING_STATUSES
from workspace.attention import AttentionItem

DEFAULT_LOCATION = "At the store"
DURATION_RANGE = (5, 1440)


@dataclass(frozen=True)
class MeetingOverview:
    upcoming: list[Meeting]  # planned, not started yet (soonest first)
    awaiting_minutes: list[Meeting]  # planned, but the time has passed: held or cancelled?
    past: list[Meeting]  # held or cancelled (latest first)


def overview(session: Session, *, now: datetime) -> MeetingOverview:
    meetings = session.scalars(sa.select(Meeting).order_by(Meeting.starts_at, Meeting.id)).all()
    upcoming = [m for m in meetings if m.status == "planned" and m.starts_at >= now]
    awaiting = [m for m in meetings if m.status == "planned" and m.starts_at < now]
    past = sorted((m for m in meetings if m.status != "planned"), key=lambda m: (m.starts_at, m.id), reverse=True)
    return MeetingOverview(upcoming, awaiting, past)


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = session.scalar(sa.select(Meeting).where(Meeting.id == meeting_id).options(selectinload(Meeting.actions)))
    if meeting is None:
        raise NotFound(_("No such meeting in this store."))
    return meeting


def contact_of(session: Session, meeting: Meeting) -> PoliceContact | None:
    return session.get(PoliceContact, meeting.contact_id) if meeting.contact_id is not None else None


def _contact(session: Session, contact_id: int) -> PoliceContact:
    contact = session.get(PoliceContact, contact_id) if isinstance(contact_id, int) else None
    if contact is None:
        raise NotFound(_("No such police contact in this store."))
    return contact


def _check(title: str, duration_minutes: int, agenda_key: str) -> str:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the meeting a title."))
    low, high = DURATION_RANGE
    if not low <= duration_minutes <= high:
        raise DomainError(_("A meeting lasts between %(low)s minutes and %(high)s hours.", low=low, high=high // 60))
    if agenda_key not in TEMPLATES_BY_KEY:
        raise DomainError(_("Choose one of the agenda templates."))
    return title


def schedule_meeting(
    session: Session,
    *,
    contact_id: int,
    title: str,
    starts_at: datetime,
    duration_minutes: int = 60,
    location: str = DEFAULT_LOCATION,
    agenda_key: str = "free",
    agenda: str = "",
) -> Meeting:
    """Plan a meeting with one of the store's contacts. A blank agenda starts from the chosen template's text."""
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must be timezone-aware")
    contact = _contact(session, contact_id)
    title = _check(title or agenda_template(agenda_key).title, duration_minutes, agenda_key)
    meeting = Meeting(
        contact_id=contact.id,
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=(location or "").strip() or DEFAULT_LOCATION,
        agenda_template=agenda_key,
        agenda=(agenda or "").strip() or agenda_template(agenda_key).text,
        status="planned",
        ical_uid=f"{uuid.uuid4()}@loupe",
        ical_sequence=0,
    )
    session.add(meeting)
    session.flush()
    return meeting


def update_meeting(
    session: Session,
    meeting: Meeting,
    *,
    contact_id: int,
    title: str,
    starts_at: datetime,
    duration_minutes: int,
    location: str,
    agenda_key: str,
    agenda: str,
) -> Meeting:
    """Change the plan; the calendar SEQUENCE goes up so imported copies update."""
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must be timezone-aware")
    contact = _contact(session, contact_id)
    meeting.title = _check(title or agenda_template(agenda_key).title, duration_minutes, agenda_key)
    meeting.contact_id = contact.id
    if meeting.starts_at != starts_at:
        meeting.reminded_at = None  # a moved meeting is reminded of again, before its new time
    meeting.starts_at = starts_at
    meeting.duration_minutes = duration_minutes
    meeting.location = (location or "").strip() or DEFAULT_LOCATION
    meeting.agenda_template = agenda_key
    meeting.agenda = (agenda or "").strip() or agenda_template(agenda_key).text
    meeting.ical_sequence += 1
    session.flush()
    return meeting


def record_outcome(
    session: Session,
    meeting: Meeting,
    *,
    status: str,
    minutes: str,
    user_id: int | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Mark the meeting held or cancelled (or planned again) and keep its minutes.

    The first time a meeting is marked held, the contact's log gets a visit, so "keep the lines open" counts it.
    """
    if status not in MEETING_STATUSES:
        raise DomainError(_("Choose planned, held or cancelled."))
    now = now or datetime.now(UTC)
    if status == "held" and meeting.status != "held" and meeting.contact_id is not None:
        already_logged = session.scalar(
            sa.select(ContactLogEntry.id).where(
                ContactLogEntry.contact_id == meeting.contact_id,
                ContactLogEntry.channel == "visit",
                ContactLogEntry.occurred_at == min(meeting.starts_at, now),
            )
        )
        if already_logged is None:
            session.add(
                ContactLogEntry(
                    contact_id=meeting.contact_id,
                    occurred_at=min(meeting.starts_at, now),
                    channel="visit",
                    summary=f"Meeting: {meeting.title}",
                    outcome="Minutes are kept with the meeting.",
                    logged_by_user_id=user_id,
                )
            )
    if status != meeting.status:
        meeting.ical_sequence += 1
    meeting.status = status
    meeting.minutes = (minutes or "").strip()
    session.flush()
    return meeting


def add_action(
    session: Session, meeting: Meeting, *, description: str, owner: str = "", due_on: date | None = None
) -> MeetingAction:
    description = (description or "").strip()
    if not description:
        raise DomainError(_("Say what needs doing."))
    action = MeetingAction(meeting_id=meeting.id, description=description, owner=(owner or "").strip(), due_on=due_on)
    session.add(action)
    session.flush()
    session.refresh(meeting, ["actions"])
    return action


def get_action(session: Session, meeting: Meeting, action_id: int) -> MeetingAction:
    action = session.get(MeetingAction, action_id)
    if action is None or action.meeting_id != meeting.id:
        raise NotFound(_("No such follow-up action on this meeting."))
    return action


def set_action_done(session: Session, action: MeetingAction, done: bool, *, now: datetime | None = None) -> None:
    if done and action.done_at is None:
        action.done_at = now or datetime.now(UTC)
    elif not done:
        action.done_at = None
    session.flush()


def ics_filename(meeting: Meeting) -> str:
    return f"meeting-{meeting.starts_at.astimezone(UTC):%Y%m%d}-{meeting.id}.ics"


def _address(name: str, email: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def meeting_ics(
    meeting: Meeting,
    contact: PoliceContact | None,
    *,
    now: datetime | None = None,
    organizer: tuple[str, str] | None = None,
    method: str | None = None,
) -> bytes:
    """One VEVENT for the meeting, times in UTC, with a stable UID.

    It carries only what a calendar entry needs: title, officer, time, place and agenda. Never the minutes,
    the follow-ups or any other record of the store: calendar files get forwarded and synced to phones.
    `organizer` is (name, email) of whoever invites (the store's person); the officer with an email is the
    ATTENDEE; `method` "REQUEST" makes it an invitation a calendar can accept (the emailed copy).
    """
    calendar = Calendar()
    if method:
        calendar.add("method", method)
    calendar.add("prodid", "-//Loupe//Police meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    event = Event()
    event.add("uid", meeting.ical_uid)
    event.add("sequence", meeting.ical_sequence)
    event.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0))
    start = meeting.starts_at.astimezone(UTC).replace(microsecond=0)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=meeting.duration_minutes))
    who = f"{contact.officer_name} ({contact.agency})" if contact else ""
    event.add("summary", f"{meeting.title} — {contact.officer_name}" if contact else meeting.title)
    event.add("location", meeting.location)
    description = "\n\n".join(part for part in (f"With: {who}" if who else "", meeting.agenda) if part)
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    if organizer is not None:
        event.add("organizer", _address(*organizer))
    if contact is not None and contact.email:
        event.add(
            "attendee",
            _address(contact.officer_name, contact.email, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp="TRUE"),
        )
    calendar.add_component(event)
    return calendar.to_ical()


# Built once (the dashboard runs them on every visit); the dates are bind parameters.
@functools.cache
def _overdue_actions_query() -> sa.Select:
    return (
        sa.select(MeetingAction, Meeting)
        .join(Meeting, Meeting.id == MeetingAction.meeting_id)
        .where(
            MeetingAction.done_at.is_(None),
            MeetingAction.due_on < sa.bindparam("today", type_=sa.Date),
            Meeting.status != "cancelled",
        )
        .order_by(MeetingAction.due_on, MeetingAction.id)
    )


@functools.cache
def _minutes_due_query() -> sa.Select:
    return (
        sa.select(Meeting)
        .where(Meeting.status == "planned", Meeting.starts_at < sa.bindparam("start_of_today"))
        .order_by(Meeting.starts_at)
    )


def attention_queries(*, today: date, now: datetime) -> list[Query]:
    """What the meeting items are built from (the dashboard runs every part's queries in one round trip)."""
    start_of_today = datetime(today.year, today.month, today.day, tzinfo=UTC)
    return [
        Query(_overdue_actions_query(), {"today": today}),
        Query(_minutes_due_query(), {"start_of_today": start_of_today}),
    ]


def attention_items(session: Session, *, today: date) -> list[AttentionItem]:
    """Follow-up actions past their due date (not done, meeting not cancelled), and meetings awaiting minutes."""
    now = datetime.now(UTC)
    return attention_from(fetch(session, attention_queries(today=today, now=now)), today=today, now=now)


def attention_from(results: list[list[tuple]], *, today: date, now: datetime) -> list[AttentionItem]:
    """The items from `attention_queries`' rows."""
    items: list[AttentionItem] = []
    overdue, minutes_due = results
    for action, meeting in overdue:
        late = (today - action.due_on).days
        due = format_local(action.due_on, "%d %b %Y")
        if action.owner:
            detail = ngettext(
                "Due %(date)s (%(num)d day ago) · %(owner)s · from the meeting “%(meeting)s”",
                "Due %(date)s (%(num)d days ago) · %(owner)s · from the meeting “%(meeting)s”",
                late,
                date=due,
                owner=action.owner,
                meeting=meeting.title,
            )
        else:
            detail = ngettext(
                "Due %(date)s (%(num)d day ago) · from the meeting “%(meeting)s”",
                "Due %(date)s (%(num)d days ago) · from the meeting “%(meeting)s”",
                late,
                date=due,
                meeting=meeting.title,
            )
        items.append(
            AttentionItem(
                kind="meeting_action_overdue",
                title=_("Follow-up overdue: %(action)s", action=action.description),
                detail=detail,
                endpoint="meetings.meeting",
                values={"meeting_id": meeting.id},
                severity="high" if late > 30 else "normal",
            )
        )
    for (meeting,) in minutes_due:
        items.append(
            AttentionItem(
                kind="meeting_minutes_due",
                title=_("Record how the meeting went: %(meeting)s", meeting=meeting.title),
                detail=_(
                    "Planned for %(date)s: mark it held (with minutes and follow-ups) or cancelled.",
                    date=format_local(meeting.starts_at.astimezone(UTC), "%d %b %Y"),
                ),
                endpoint="meetings.meeting",
                values={"meeting_id": meeting.id},
            )
        )
    return items
