"""Store workspace domain functions. The Session passed in is already bound to the store's schema."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import audit
from audit import Actor
from database.bundle import Query, fetch, fetch_one
from errors import Conflict, DomainError, NotFound
from i18n import _, ngettext
from models import ContactLogEntry, Meeting, PoliceContact, Store, StoreSetting
from models.store.contact_log import CONTACT_CHANNELS
from models.store.settings import DEFAULT_SETTINGS
from workspace.attention import AttentionItem

CONTACT_FIELDS = ("agency", "officer_name", "rank_unit", "phone", "email", "preferred_contact", "notes")
QUIET_DAYS_KEY = "contact_quiet_days"
QUIET_DAYS_RANGE = (1, 365)
# A contact last seen in person longer ago than this is due a visit rather than another call.
VISIT_DUE_AFTER_DAYS = 180


@dataclass(frozen=True)
class DashboardSummary:
    contact_count: int
    quiet_days: int
    meeting_count: int = 0


@dataclass(frozen=True)
class ContactSummary:
    """A contact with when the store last reached them, and last visited them in person (None: never)."""

    contact: PoliceContact
    last_contact_at: datetime | None
    last_visit_at: datetime | None = None


# The dashboard is the most visited page and its statements run on every visit: they are built once, with bind
# parameters for what changes (building and cache-keying a statement costs about as much as running it).


def _quiet_days_setting():
    return sa.select(StoreSetting.value).where(StoreSetting.key == QUIET_DAYS_KEY).scalar_subquery()


@functools.cache
def _summary_query() -> sa.Select:
    return sa.select(
        sa.select(sa.func.count()).select_from(PoliceContact).scalar_subquery(),
        sa.select(sa.func.count())
        .select_from(Meeting)
        .where(Meeting.status == "planned", Meeting.starts_at >= sa.bindparam("now"))
        .scalar_subquery(),
        _quiet_days_setting(),
    )


def dashboard_summary(session: Session) -> DashboardSummary:
    """Contact and upcoming-meeting counts and the quiet-days setting, in one round trip."""
    return summary_from(fetch_one(session, summary_query()))


def summary_query(now: datetime | None = None) -> Query:
    """`dashboard_summary` as a query of a bundle (`database.bundle`); `summary_from` reads its rows."""
    return Query(_summary_query(), {"now": now or datetime.now(UTC)})


def summary_from(rows: list[tuple]) -> DashboardSummary:
    """The summary from `summary_query`'s rows."""
    count, upcoming, raw_days = rows[0]
    return DashboardSummary(contact_count=count or 0, quiet_days=_quiet_days(raw_days), meeting_count=upcoming or 0)


# --- settings -------------------------------------------------------------------------------------------------


@functools.cache
def _quiet_days_query() -> sa.Select:
    return sa.select(StoreSetting.value).where(StoreSetting.key == QUIET_DAYS_KEY)


def contact_quiet_days(session: Session) -> int:
    """Days without contact after which the dashboard flags a police contact (store setting, default 60)."""
    return _quiet_days(session.scalar(_quiet_days_query()))


def _quiet_days(raw: str | None) -> int:
    try:
        days = int(raw if raw is not None else DEFAULT_SETTINGS[QUIET_DAYS_KEY])
    except ValueError:
        days = int(DEFAULT_SETTINGS[QUIET_DAYS_KEY])
    low, high = QUIET_DAYS_RANGE
    return min(max(days, low), high)


def set_contact_quiet_days(session: Session, days: int, *, store: Store, actor: Actor) -> int:
    """Change the setting (audited with its old and new value); returns the new value."""
    low, high = QUIET_DAYS_RANGE
    if not isinstance(days, int) or isinstance(days, bool) or not low <= days <= high:
        raise DomainError(_("Choose a number of days between %(low)s and %(high)s.", low=low, high=high))
    before = contact_quiet_days(session)
    setting = session.get(StoreSetting, QUIET_DAYS_KEY)
    if setting is None:
        session.add(StoreSetting(key=QUIET_DAYS_KEY, value=str(days)))
    else:
        setting.value = str(days)
    session.flush()
    audit.record(
        session,
        "store.settings_changed",
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target="contact_quiet_days",
        details={"before": before, "after": days},
    )
    return days


# --- contacts -------------------------------------------------------------------------------------------------


def list_contacts(session: Session) -> list[PoliceContact]:
    return list(session.scalars(sa.select(PoliceContact).order_by(PoliceContact.agency, PoliceContact.officer_name)))


@functools.cache
def _contact_summaries_query() -> sa.Select:
    last = (
        sa.select(
            ContactLogEntry.contact_id,
            sa.func.max(ContactLogEntry.occurred_at).label("last_at"),
            sa.func.max(ContactLogEntry.occurred_at).filter(ContactLogEntry.channel == "visit").label("visit_at"),
        )
        .group_by(ContactLogEntry.contact_id)
        .subquery()
    )
    return (
        sa.select(PoliceContact, last.c.last_at, last.c.visit_at, _quiet_days_setting())
        .outerjoin(last, last.c.contact_id == PoliceContact.id)
        .order_by(PoliceContact.agency, PoliceContact.officer_name, PoliceContact.id)
    )


def contact_summaries(session: Session) -> list[ContactSummary]:
    """Every contact with the times of their latest log entry and latest visit, in list order."""
    return _contact_rows(session)[0]


def _contact_rows(session: Session) -> tuple[list[ContactSummary], int]:
    # The quiet-days setting rides along on every row (one round trip for the dashboard's contact items).
    rows = session.execute(_contact_summaries_query()).all()
    summaries = [ContactSummary(contact, last_at, visit_at) for contact, last_at, visit_at, _ in rows]
    return summaries, _quiet_days(rows[0][3] if rows else None)


def get_contact(session: Session, contact_id: int) -> PoliceContact:
    contact = session.get(PoliceContact, contact_id)
    if contact is None:
        raise NotFound(_("No such police contact in this store."))
    return contact


def save_contact(
    session: Session, data: dict[str, Any], contact: PoliceContact | None = None, *, store: Store | None = None
) -> PoliceContact:
    """Create a contact, or update `contact`, from validated form data.

    With `store`, a store's first contact is noted in its registry row (a step of the set-up progress the
    association sees: only when, never who)."""
    contact = contact or PoliceContact()
    for field in CONTACT_FIELDS:
        if field in data:
            setattr(contact, field, (data[field] or "").strip())
    session.add(contact)
    if store is not None and store.police_contact_added_at is None:
        session.execute(
            sa.update(Store)
            .where(Store.id == store.id, Store.police_contact_added_at.is_(None))
            .values(police_contact_added_at=sa.func.now())
            .execution_options(synchronize_session=False)
        )
    session.flush()
    return contact


def delete_contact(session: Session, contact: PoliceContact, *, store: Store, actor: Actor) -> str:
    """Delete a contact and their contact log; meetings with them stay, without the contact.

    Returns the officer's name (for the confirmation message); the deletion is audited. Records of other parts that
    must keep their contact (a request sent to them, say) make the delete fail with a message, not a 500.
    """
    name, contact_id = contact.officer_name, contact.id
    try:
        with session.begin_nested():
            session.delete(contact)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            _(
                "%(name)s cannot be deleted: other records of this store still refer to them. "
                "Edit the contact instead.",
                name=name,
            )
        ) from exc
    audit.record(
        session,
        "store.contact_deleted",
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target=f"police_contact:{contact_id}",
    )
    return name


def meetings_with_contact(session: Session, contact_id: int) -> list[Meeting]:
    """The contact's meetings, latest first (the meetings part owns them; the contact page lists them)."""
    return list(
        session.scalars(
            sa.select(Meeting).where(Meeting.contact_id == contact_id).order_by(Meeting.starts_at.desc(), Meeting.id)
        )
    )


# --- contact log ----------------------------------------------------------------------------------------------


def contact_log(session: Session, contact_id: int) -> list[ContactLogEntry]:
    return list(
        session.scalars(
            sa.select(ContactLogEntry)
            .where(ContactLogEntry.contact_id == contact_id)
            .order_by(ContactLogEntry.occurred_at.desc(), ContactLogEntry.id.desc())
        )
    )


def log_contact(
    session: Session,
    contact: PoliceContact,
    *,
    occurred_at: datetime,
    channel: str,
    summary: str,
    outcome: str = "",
    user_id: int | None = None,
    now: datetime | None = None,
) -> ContactLogEntry:
    """Record a call, visit, email or other contact with `contact`. `occurred_at` must be timezone-aware."""
    if occurred_at.tzinfo is None:
        raise ValueError("occurred_at must be timezone-aware")
    if channel not in CONTACT_CHANNELS:
        raise DomainError(_("Choose how you were in contact: call, visit, email or other."))
    summary = (summary or "").strip()
    if not summary:
        raise DomainError(_("Say in a few words what the contact was about."))
    # A few minutes of slack for clocks and slow typing; a contact next week has not happened yet.
    if occurred_at > (now or datetime.now(UTC)) + timedelta(minutes=5):
        raise DomainError(_("A contact cannot be logged in the future. Use a meeting to plan one."))
    entry = ContactLogEntry(
        contact_id=contact.id,
        occurred_at=occurred_at,
        channel=channel,
        summary=summary,
        outcome=(outcome or "").strip(),
        logged_by_user_id=user_id,
    )
    session.add(entry)
    session.flush()
    return entry


# --- keep the lines open --------------------------------------------------------------------------------------


def _title(channel: str, name: str, days_quiet: int | None) -> str:
    """How to reach the officer (their preferred channel) and how long it has been, as one sentence."""
    if days_quiet is None:
        if channel == "phone":
            return _("Call %(name)s: no contact logged yet", name=name)
        if channel == "email":
            return _("Email %(name)s: no contact logged yet", name=name)
        if channel == "visit":
            return _("Visit %(name)s: no contact logged yet", name=name)
        return _("Contact %(name)s: no contact logged yet", name=name)
    if channel == "phone":
        return ngettext(
            "Call %(name)s: last contact %(num)d day ago",
            "Call %(name)s: last contact %(num)d days ago",
            days_quiet,
            name=name,
        )
    if channel == "email":
        return ngettext(
            "Email %(name)s: last contact %(num)d day ago",
            "Email %(name)s: last contact %(num)d days ago",
            days_quiet,
            name=name,
        )
    if channel == "visit":
        return ngettext(
            "Visit %(name)s: last contact %(num)d day ago",
            "Visit %(name)s: last contact %(num)d days ago",
            days_quiet,
            name=name,
        )
    return ngettext(
        "Contact %(name)s: last contact %(num)d day ago",
        "Contact %(name)s: last contact %(num)d days ago",
        days_quiet,
        name=name,
    )


def _next_step(agency: str, days_quiet: int | None, last_visit: date | None, today: date) -> str:
    """The item's detail: the officer's agency and a concrete suggestion (an introduction, a store visit, or a
    check-in, depending on history)."""
    if days_quiet is None:
        return _(
            "%(agency)s — suggest an introduction: tell them who you are and what you sell, and invite them to the "
            "store to walk through your alarm, cameras and safes.",
            agency=agency,
        )
    if last_visit is None or (today - last_visit).days > VISIT_DUE_AFTER_DAYS:
        return _(
            "%(agency)s — suggest a store visit to walk through your alarm, cameras, safes and any changes since you "
            "last met.",
            agency=agency,
        )
    return _(
        "%(agency)s — suggest a short check-in: ask about recent patterns in the area and whether extra patrols or "
        "drive-bys would help around your busy days.",
        agency=agency,
    )


def attention_queries(*, today: date, now: datetime) -> list[Query]:
    """What the contact items are built from (the dashboard runs every part's queries in one round trip)."""
    return [Query(_contact_summaries_query())]


def attention_items(session: Session, *, today: date) -> list[AttentionItem]:
    """A police contact nobody reached in `contact_quiet_days` days (or ever), with a suggested next step."""
    now = datetime.now(UTC)
    return attention_from(fetch(session, attention_queries(today=today, now=now)), today=today, now=now)


def attention_from(results: list[list[tuple]], *, today: date, now: datetime) -> list[AttentionItem]:
    """The items from `attention_queries`' rows.

    Days are counted on UTC dates of the log entries; a day's difference at midnight does not matter here.
    """
    rows = results[0]
    summaries = [ContactSummary(contact, last_at, visit_at) for contact, last_at, visit_at, _ in rows]
    quiet_days = _quiet_days(rows[0][3] if rows else None)
    items: list[AttentionItem] = []
    for row in summaries:
        contact = row.contact
        days = None if row.last_contact_at is None else (today - row.last_contact_at.astimezone(UTC).date()).days
        if days is not None and days < quiet_days:
            continue
        last_visit = row.last_visit_at
        detail = _next_step(contact.agency, days, last_visit.astimezone(UTC).date() if last_visit else None, today)
        items.append(
            AttentionItem(
                kind="contact_quiet",
                title=_title(contact.preferred_contact, contact.officer_name, days),
                detail=detail,
                endpoint="store.contact",
                values={"contact_id": contact.id},
                severity="high" if days is not None and days >= 2 * quiet_days else "normal",
            )
        )
    return items
