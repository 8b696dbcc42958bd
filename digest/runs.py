"""Creating digest runs and their deliveries: one run per (region, period), one delivery per (run, person).

Both keys are unique in the database, so creating a run twice, or re-running a period after people joined,
adds only the people who have no delivery yet: nobody is ever queued a second copy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

import audit
from alerts.urgent import quiet_until
from audit import Actor
from billing.access import NO_ACCESS_STATUSES
from digest.content import region_content
from digest.periods import Period, due_period
from models import (
    AlertPreference,
    Association,
    DigestDelivery,
    DigestRun,
    Membership,
    Region,
    Store,
    StoreStatus,
    StoreSubscription,
    User,
)
from models.base import utcnow
from regions import RegionSettings, effective_settings
from trends.closing import close_weeks, engine_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueuedRun:
    run: DigestRun
    created: bool  # False: the run existed (re-run of a period)
    added: int  # deliveries added now


def recipients_query(association_id: int, region_id: int, kind: str, default_frequency: str):
    """Active people with a store membership in a ready store of the region (whose dues give access), who follow
    the region and whose digest frequency (their own, else the region's schedule) is `kind` (any but "off" for a
    custom period)."""
    store_ok = (
        sa.select(Membership.id)
        .join(Store, Store.id == Membership.store_id)
        .where(
            Membership.user_id == User.id,
            Store.association_id == association_id,
            Store.region_id == region_id,
            Store.status == StoreStatus.READY.value,
            ~sa.exists(
                sa.select(StoreSubscription.id).where(
                    StoreSubscription.store_id == Store.id, StoreSubscription.status.in_(NO_ACCESS_STATUSES)
                )
            ),
        )
    )
    frequency = sa.func.coalesce(AlertPreference.digest_frequency, default_frequency)
    wanted = frequency != "off" if kind == "custom" else frequency == kind
    muted = sa.func.coalesce(AlertPreference.digest_muted_region_ids, sa.text("'{}'::bigint[]"))
    return (
        sa.select(User.id)
        .outerjoin(AlertPreference, AlertPreference.user_id == User.id)
        .where(User.is_active.is_(True), sa.exists(store_ok), wanted, sa.not_(sa.literal(region_id) == sa.any_(muted)))
    )


def queue_run(
    session: Session,
    association: Association,
    region: Region,
    period: Period,
    *,
    domain: str,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> QueuedRun:
    """Create (or find) the run for (region, period) and queue one delivery per recipient who has none yet.
    Flushes, never commits: the run and its deliveries become visible to senders together."""
    schedule = effective_settings(association, region)
    zone = schedule.zone
    run = session.scalar(sa.select(DigestRun).where(DigestRun.region_id == region.id, DigestRun.period == period.key))
    created = run is None
    if run is None:
        # The trend counts of the weeks that have just closed are published before the digest shows them.
        close_weeks(session, engine_of(session), association, now=now)
        run_id = session.scalar(
            insert(DigestRun)
            .values(
                association_id=association.id,
                region_id=region.id,
                period=period.key,
                kind=period.kind,
                starts_on=period.starts_on,
                ends_on=period.ends_on,
                content=region_content(session, association, region, period, zone),
                created_by_user_id=actor_id,
            )
            .on_conflict_do_nothing(index_elements=["region_id", "period"])
            .returning(DigestRun.id)
        )
        created = run_id is not None
        run = session.scalar(
            sa.select(DigestRun).where(DigestRun.region_id == region.id, DigestRun.period == period.key)
        )
    people = recipients_query(association.id, region.id, run.kind, schedule.frequency).subquery()
    added_ids = session.scalars(
        insert(DigestDelivery)
        .from_select(
            ["run_id", "user_id", "message_id"],
            sa.select(
                sa.literal(run.id),
                people.c.id,
                sa.func.concat(
                    "<digest.",
                    run.id,
                    ".",
                    people.c.id,
                    ".",
                    sa.func.md5(sa.func.random().cast(sa.Text)),
                    "@",
                    domain,
                    ">",
                ),
            ),
        )
        .on_conflict_do_nothing(index_elements=["run_id", "user_id"])
        .returning(DigestDelivery.id)
    ).all()
    _hold_for_quiet_hours(session, added_ids, zone, now or utcnow())
    run.recipients = session.scalar(sa.select(sa.func.count()).where(DigestDelivery.run_id == run.id)) or 0
    session.flush()
    return QueuedRun(run, created, len(added_ids))


def _hold_for_quiet_hours(session: Session, delivery_ids: list[int], zone: ZoneInfo, now: datetime) -> None:
    """A delivery to someone inside their quiet hours waits until they end."""
    if not delivery_ids:
        return
    rows = session.execute(
        sa.select(DigestDelivery.id, AlertPreference.quiet_start, AlertPreference.quiet_end)
        .join(AlertPreference, AlertPreference.user_id == DigestDelivery.user_id)
        .where(DigestDelivery.id.in_(delivery_ids), AlertPreference.quiet_start.is_not(None))
    ).all()
    for delivery_id, start, end in rows:
        wait = quiet_until(now, start, end, zone)
        if wait is not None:
            session.execute(
                sa.update(DigestDelivery).where(DigestDelivery.id == delivery_id).values(next_attempt_at=wait)
            )


def queue_period(
    session: Session,
    association: Association,
    period: Period,
    *,
    domain: str,
    region: Region | None = None,
    actor: Actor | None = None,
) -> list[QueuedRun]:
    """Queue `period` for one region or every region of the association; audited when a person asked for it."""
    regions = [region] if region is not None else list(association.regions)
    actor_id = actor.user_id if actor else None
    queued = [queue_run(session, association, r, period, domain=domain, actor_id=actor_id) for r in regions]
    if actor is not None:
        audit.record(
            session,
            "digest.queued",
            actor=actor,
            association_id=association.id,
            target=f"period:{period.key}",
            details={"regions": len(regions), "added": sum(q.added for q in queued)},
        )
    return queued


def queue_due(session: Session, *, domain: str, now: datetime | None = None) -> list[QueuedRun]:
    """Queue every (region, period) whose scheduled moment has passed (see `digest.periods.due_period`). Both a
    weekly and a daily run are considered for each region, so people who chose the other frequency than the
    region's default get theirs too; a run with nobody to send to is not created. A suspended association gets
    none (its people cannot open Loupe either); the periods it missed are past their grace when it comes back."""
    now = now or utcnow()
    queued: list[QueuedRun] = []
    active = sa.select(Association).where(Association.suspended_at.is_(None)).order_by(Association.id)
    for association in session.scalars(active):
        for region in association.regions:
            schedule: RegionSettings = effective_settings(association, region)
            zone = schedule.zone
            for kind in ("weekly", "daily"):
                period = due_period(kind, schedule.weekday, schedule.hour, now, zone)
                if period is None:
                    continue
                exists = session.scalar(
                    sa.select(DigestRun.id).where(DigestRun.region_id == region.id, DigestRun.period == period.key)
                )
                if exists is None:
                    anyone = session.scalar(
                        sa.select(sa.exists(recipients_query(association.id, region.id, kind, schedule.frequency)))
                    )
                    if not anyone:
                        continue
                queued.append(queue_run(session, association, region, period, domain=domain, now=now))
    return queued
