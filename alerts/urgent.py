"""Urgent alerts: push one published bulletin at once to the people of its region who want them.

Who wants them (`wants_alerts`): a person's own choice when they made one; otherwise their role — on for the owners
and managers of the region's stores and the region's police liaisons, off for staff (issue 18 part 2: opt-in
alone reached nobody). The alert keeps how many turned them off and how many emails wait for quiet hours.

The alert, one delivery row per recipient and one outbox email per delivery are written in the caller's
transaction (the approval's, when a moderator approves and alerts in one step), so they are queued the moment it
commits; the `mail.deliver` job written with them then delivers through the outbox (SKIP LOCKED, retries with backoff).
Deliveries that fall inside a person's quiet hours get `next_attempt_at` at the end of them, so the outbox leaves
them until then. The email is the anonymized bulletin only: it never names a store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import audit
from audit import Actor
from errors import DomainError
from i18n import _, _l, language_or_default
from jobs.queue import notify
from mail.links import external_url
from mail.outbox import queue_email
from mail.render import RenderedEmail, render_email
from models import Association, Membership, OutboundEmail, Region, Role, Store, StoreStatus, User
from models.accounts import MANAGER_ROLES
from models.alerts import AlertDelivery, AlertPreference, UrgentAlert
from models.base import utcnow
from models.bulletins import Bulletin
from models.store.logbook import INCIDENT_TYPES
from outgoing import events as webhook_events
from regions import effective_settings


class AlertError(DomainError):
    """An alert that cannot be sent as asked."""


def quiet_until(now: datetime, start: time | None, end: time | None, tz: ZoneInfo) -> datetime | None:
    """The end of the quiet hours `now` falls in (as an aware datetime), or None when `now` is not quiet."""
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        quiet = start <= clock < end
    else:  # over midnight, e.g. 22:00-07:00
        quiet = clock >= start or clock < end
    if not quiet:
        return None
    end_day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=tz)


def preference(session: Session, user_id: int) -> AlertPreference:
    pref = session.get(AlertPreference, user_id)
    if pref is None:
        pref = AlertPreference(user_id=user_id, urgent_alerts=None, digest_muted_region_ids=[])
    return pref


# Roles that get urgent alerts unless they turn them off.
ALERTED_BY_DEFAULT = frozenset({*(r.value for r in MANAGER_ROLES), Role.POLICE_LIAISON.value})


def wants_alerts(choice: bool | None, roles) -> bool:
    """A person's choice when they made one (True/False), else whether one of their roles is alerted by default."""
    if choice is not None:
        return choice
    return bool(set(roles) & ALERTED_BY_DEFAULT)


def default_on(session: Session, user_id: int) -> bool:
    """Whether this person's roles get urgent alerts when they have not chosen (the settings page says so)."""
    roles = session.scalars(sa.select(Membership.role).where(Membership.user_id == user_id)).all()
    return wants_alerts(None, roles)


URGENT_CHOICES = {"": None, "on": True, "off": False}


def urgent_choice(value: str | None) -> bool | None:
    """The settings form's answer ("", "on", "off") as the stored choice (None: by role)."""
    if value not in URGENT_CHOICES:
        raise AlertError(_("Choose whether you get urgent alerts."))
    return URGENT_CHOICES[value]


DIGEST_CHOICES = {
    "": _l("As my association schedules it"),
    "weekly": _l("Weekly"),
    "daily": _l("Daily"),
    "off": _l("Off"),
}


def digest_regions(session: Session, user_id: int) -> list[Region]:
    """The regions a person may follow in the digest: those of the ready stores they are a member of."""
    return list(
        session.scalars(
            sa.select(Region)
            .join(Store, Store.region_id == Region.id)
            .join(Membership, Membership.store_id == Store.id)
            .where(Membership.user_id == user_id, Store.status == StoreStatus.READY.value)
            .distinct()
            .order_by(Region.name)
        )
    )


def save_preference(
    session: Session,
    user_id: int,
    *,
    urgent_alerts: bool | None,
    quiet_start: time | None,
    quiet_end: time | None,
    digest_frequency: str | None = None,
    followed_region_ids: list[int] | None = None,
    incident_types: list[str] | None = None,
) -> AlertPreference:
    """Save a person's email choices. `digest_frequency` "" or None follows the association's schedule;
    `followed_region_ids` None leaves the followed regions as they were; `incident_types` empty means all."""
    if digest_frequency and digest_frequency not in DIGEST_CHOICES:
        raise AlertError(_("Choose how often you get the digest."))
    if incident_types and not set(incident_types) <= set(INCIDENT_TYPES):
        raise AlertError(_("Choose incident types from the list."))
    if (quiet_start is None) != (quiet_end is None):
        raise AlertError(_("Give both the start and the end of your quiet hours, or neither."))
    if quiet_start is not None and quiet_start == quiet_end:
        raise AlertError(_("Quiet hours must end at another time than they start."))
    pref = session.get(AlertPreference, user_id)
    if pref is None:
        pref = AlertPreference(user_id=user_id)
        session.add(pref)
    pref.urgent_alerts, pref.quiet_start, pref.quiet_end = urgent_alerts, quiet_start, quiet_end
    pref.digest_frequency = digest_frequency or None
    pref.digest_incident_types = sorted(incident_types) if incident_types else None
    if followed_region_ids is not None:
        mine = {r.id for r in digest_regions(session, user_id)}
        pref.digest_muted_region_ids = sorted(mine - set(followed_region_ids))
    session.flush()
    return pref


def unsubscribe_digest(session: Session, user_id: int) -> bool:
    """Turn the digest off for a person (one-click unsubscribe); audited. False when there is no such person."""
    user = session.get(User, user_id)
    if user is None:
        return False
    pref = session.get(AlertPreference, user_id)
    if pref is None:
        pref = AlertPreference(user_id=user_id, urgent_alerts=None)
        session.add(pref)
    pref.digest_frequency = "off"
    session.flush()
    audit.record(session, "digest.unsubscribed", actor=Actor.for_user(user), target=f"user:{user.id}")
    return True


@dataclass(frozen=True)
class Audience:
    """Who an alert reaches, and the people of the region who turned alerts off."""

    recipients: list[tuple[User, AlertPreference | None]]
    opted_out: int


def audience(session: Session, bulletin: Bulletin) -> Audience:
    """Active people of the bulletin's region — members of its ready stores and its police liaisons — who want
    urgent alerts (`wants_alerts`), in one query."""
    in_region = sa.or_(
        sa.and_(Store.region_id == bulletin.region_id, Store.status == StoreStatus.READY.value),
        sa.and_(Membership.role == Role.POLICE_LIAISON.value, Membership.region_id == bulletin.region_id),
    )
    rows = session.execute(
        sa.select(User, AlertPreference, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .outerjoin(Store, Store.id == Membership.store_id)
        .outerjoin(AlertPreference, AlertPreference.user_id == User.id)
        .where(User.is_active.is_(True), Membership.association_id == bulletin.association_id, in_region)
        .order_by(User.id)
    ).all()
    people: dict[int, tuple[User, AlertPreference | None, set[str]]] = {}
    for user, pref, role in rows:
        people.setdefault(user.id, (user, pref, set()))[2].add(role)
    chosen, opted_out = [], 0
    for user, pref, roles in people.values():
        choice = pref.urgent_alerts if pref is not None else None
        if wants_alerts(choice, roles):
            chosen.append((user, pref))
        elif choice is False:
            opted_out += 1
    return Audience(chosen, opted_out)


def recipients(session: Session, bulletin: Bulletin) -> list[tuple[User, AlertPreference | None]]:
    """The people an alert of `bulletin` reaches (`audience`)."""
    return audience(session, bulletin).recipients


def send_alert(
    session: Session, association: Association, bulletin: Bulletin, *, actor: Actor | None
) -> tuple[UrgentAlert, list[OutboundEmail]]:
    """Queue the alert for every opted-in member of the bulletin's region. Flushes, never commits."""
    if bulletin.association_id != association.id:
        raise AlertError(_("No such bulletin in this association."))
    if bulletin.status != "published" or not bulletin.is_live(utcnow()):
        raise AlertError(_("Only a published, unexpired bulletin can be sent as an urgent alert."))
    existing = session.scalar(sa.select(UrgentAlert.id).where(UrgentAlert.bulletin_id == bulletin.id))
    if existing is not None:
        raise AlertError(
            _("This bulletin was already sent as an urgent alert; the same bulletin is never alerted twice.")
        )
    alert = UrgentAlert(
        bulletin_id=bulletin.id,
        association_id=association.id,
        region_id=bulletin.region_id,
        sent_by_user_id=actor.user_id if actor else None,
        opted_out_count=0,
        quiet_held_count=0,
    )
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError as exc:  # another moderator alerted it at the same moment
        raise AlertError(
            _("This bulletin was already sent as an urgent alert; the same bulletin is never alerted twice.")
        ) from exc
    now = utcnow()
    # Quiet hours are read on the region's clock, as the digest reads them (`digest.runs._hold_for_quiet_hours`).
    tz = effective_settings(association, session.get(Region, bulletin.region_id)).zone
    emails: dict[str | None, RenderedEmail] = {}  # one rendering per language of the audience
    rows: list[OutboundEmail] = []
    reach = audience(session, bulletin)
    alert.opted_out_count = reach.opted_out
    for user, pref in reach.recipients:
        language = language_or_default(user.language)  # English for a person who never chose
        if language not in emails:
            emails[language] = render_email(
                "urgent_alert",
                _l("%(tlp)s Urgent: %(title)s", tlp=bulletin.tlp_label, title=bulletin.title),
                bulletin=bulletin,
                preferences_url=external_url("alerts.preferences"),
                language=language,
            )
        row = queue_email(session, to=user.email, email=emails[language], kind="alert")
        wait = quiet_until(now, pref.quiet_start, pref.quiet_end, tz) if pref is not None else None
        if wait is not None:
            row.next_attempt_at = wait
            alert.quiet_held_count += 1
        session.add(AlertDelivery(alert_id=alert.id, user_id=user.id, outbox_id=row.id))
        rows.append(row)
    session.flush()
    audit.record(
        session,
        "bulletin.alerted",
        actor=actor,
        association_id=association.id,
        target=f"bulletin:{bulletin.id}",
        details={"recipients": len(rows), "opted_out": reach.opted_out},
    )
    notify(session, "alert.urgent", alert_id=alert.id)  # their inboxes too (the email is the alert's own)
    webhook_events.urgent_alert_sent(session, bulletin, alert.id)
    return alert, rows


def alerted_ids(session: Session, association: Association) -> set[int]:
    return set(session.scalars(sa.select(UrgentAlert.bulletin_id).where(UrgentAlert.association_id == association.id)))
