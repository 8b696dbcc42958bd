"""Urgent alerts: push one published bulletin to the members of its region who opted in, at once.

The alert, one delivery row per recipient and one outbox email per delivery are written in the caller's
transaction (the approval's, when a moderator approves and alerts in one step), so they are queued the moment it
commits; the `mail.deliver` job written with them then delivers through the outbox (SKIP LOCKED, retries with backoff).
Deliveries that fall inside a person's quiet hours get `next_attempt_at` at the end of them, so the outbox leaves
them until then. The email is the anonymized bulletin only: it never names a store.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import audit
from audit import Actor
from errors import DomainError
from mail.links import external_url
from mail.outbox import queue_email
from mail.render import render_email
from models import Association, Membership, OutboundEmail, Region, Store, StoreStatus, User
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
        pref = AlertPreference(user_id=user_id, urgent_alerts=False, digest_muted_region_ids=[])
    return pref


DIGEST_CHOICES = {"": "As my association schedules it", "weekly": "Weekly", "daily": "Daily", "off": "Off"}


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
    urgent_alerts: bool,
    quiet_start: time | None,
    quiet_end: time | None,
    digest_frequency: str | None = None,
    followed_region_ids: list[int] | None = None,
    incident_types: list[str] | None = None,
) -> AlertPreference:
    """Save a person's email choices. `digest_frequency` "" or None follows the association's schedule;
    `followed_region_ids` None leaves the followed regions as they were; `incident_types` empty means all."""
    if digest_frequency and digest_frequency not in DIGEST_CHOICES:
        raise AlertError("Choose how often you get the digest.")
    if incident_types and not set(incident_types) <= set(INCIDENT_TYPES):
        raise AlertError("Choose incident types from the list.")
    if (quiet_start is None) != (quiet_end is None):
        raise AlertError("Give both the start and the end of your quiet hours, or neither.")
    if quiet_start is not None and quiet_start == quiet_end:
        raise AlertError("Quiet hours must end at another time than they start.")
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
        pref = AlertPreference(user_id=user_id, urgent_alerts=False)
        session.add(pref)
    pref.digest_frequency = "off"
    session.flush()
    audit.record(session, "digest.unsubscribed", actor=Actor.for_user(user), target=f"user:{user.id}")
    return True


def recipients(session: Session, bulletin: Bulletin) -> list[tuple[User, AlertPreference]]:
    """Active people with a membership in a ready store of the bulletin's region who opted in to urgent alerts."""
    rows = session.execute(
        sa.select(User, AlertPreference)
        .join(AlertPreference, AlertPreference.user_id == User.id)
        .where(
            AlertPreference.urgent_alerts.is_(True),
            User.is_active.is_(True),
            sa.exists(
                sa.select(Membership.id)
                .join(Store, Store.id == Membership.store_id)
                .where(
                    Membership.user_id == User.id,
                    Store.association_id == bulletin.association_id,
                    Store.region_id == bulletin.region_id,
                    Store.status == StoreStatus.READY.value,
                )
            ),
        )
        .order_by(User.id)
    ).all()
    return [(user, pref) for user, pref in rows]


def send_alert(
    session: Session, association: Association, bulletin: Bulletin, *, actor: Actor | None
) -> tuple[UrgentAlert, list[OutboundEmail]]:
    """Queue the alert for every opted-in member of the bulletin's region. Flushes, never commits."""
    if bulletin.association_id != association.id:
        raise AlertError("No such bulletin in this association.")
    if bulletin.status != "published" or not bulletin.is_live(utcnow()):
        raise AlertError("Only a published, unexpired bulletin can be sent as an urgent alert.")
    existing = session.scalar(sa.select(UrgentAlert.id).where(UrgentAlert.bulletin_id == bulletin.id))
    if existing is not None:
        raise AlertError("This bulletin was already sent as an urgent alert; the same bulletin is never alerted twice.")
    alert = UrgentAlert(
        bulletin_id=bulletin.id,
        association_id=association.id,
        region_id=bulletin.region_id,
        sent_by_user_id=actor.user_id if actor else None,
    )
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError as exc:  # another moderator alerted it at the same moment
        raise AlertError(
            "This bulletin was already sent as an urgent alert; the same bulletin is never alerted twice."
        ) from exc
    now = utcnow()
    # Quiet hours are read on the region's clock, as the digest reads them (`digest.runs._hold_for_quiet_hours`).
    tz = effective_settings(association, session.get(Region, bulletin.region_id)).zone
    email = render_email(
        "urgent_alert",
        f"{bulletin.tlp_label} Urgent: {bulletin.title}",
        bulletin=bulletin,
        preferences_url=external_url("alerts.preferences"),
    )
    rows: list[OutboundEmail] = []
    for user, pref in recipients(session, bulletin):
        row = queue_email(session, to=user.email, email=email, kind="alert")
        wait = quiet_until(now, pref.quiet_start, pref.quiet_end, tz)
        if wait is not None:
            row.next_attempt_at = wait
        session.add(AlertDelivery(alert_id=alert.id, user_id=user.id, outbox_id=row.id))
        rows.append(row)
    session.flush()
    audit.record(
        session,
        "bulletin.alerted",
        actor=actor,
        association_id=association.id,
        target=f"bulletin:{bulletin.id}",
        details={"recipients": len(rows)},
    )
    webhook_events.urgent_alert_sent(session, bulletin, alert.id)
    return alert, rows


def alerted_ids(session: Session, association: Association) -> set[int]:
    return set(session.scalars(sa.select(UrgentAlert.bulletin_id).where(UrgentAlert.association_id == association.id)))
