"""What the admin portal does with the digest: run history with counts, one run's deliveries, a preview of any
region and period as a given member would see it, a test sent to oneself, and retrying failed deliveries."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

import audit
from audit import Actor
from digest.content import for_reader, region_content
from digest.periods import Period
from digest.render import render_digest
from errors import NotFound
from mail.outbox import queue_email
from mail.render import RenderedEmail
from models import (
    AlertPreference,
    Association,
    DigestDelivery,
    DigestRun,
    Membership,
    OutboundEmail,
    Region,
    Store,
    StoreStatus,
    User,
)
from regions import effective_settings

PREVIEW_NOTE = (
    "Preview. Each member also gets a part for their own store (police contacts gone quiet, plans past review, "
    "pending patrol requests), read from that store's own records; association staff cannot see it, so it is left "
    "out here."
)


@dataclass(frozen=True)
class RunSummary:
    run: DigestRun
    region_name: str
    sent: int
    pending: int
    failed: int
    skipped: int


def runs(session: Session, association: Association, *, limit: int = 50) -> list[RunSummary]:
    """The latest runs with their delivery counts (one grouped query)."""
    found = session.execute(
        sa.select(DigestRun, Region.name)
        .join(Region, Region.id == DigestRun.region_id)
        .where(DigestRun.association_id == association.id)
        .order_by(DigestRun.created_at.desc(), DigestRun.id.desc())
        .limit(limit)
    ).all()
    ids = [run.id for run, _ in found]
    counts: dict[tuple[int, str], int] = {}
    if ids:
        for run_id, status, count in session.execute(
            sa.select(DigestDelivery.run_id, DigestDelivery.status, sa.func.count())
            .where(DigestDelivery.run_id.in_(ids))
            .group_by(DigestDelivery.run_id, DigestDelivery.status)
        ):
            counts[(run_id, status)] = count
    return [
        RunSummary(run, name, *(counts.get((run.id, s), 0) for s in ("sent", "pending", "failed", "skipped")))
        for run, name in found
    ]


def get_run(session: Session, association: Association, run_id: int) -> DigestRun:
    run = session.scalar(sa.select(DigestRun).where(DigestRun.id == run_id, DigestRun.association_id == association.id))
    if run is None:
        raise NotFound("No such digest run in this association.")
    return run


def deliveries(session: Session, run: DigestRun, *, status: str | None = None, limit: int = 500):
    """(delivery, email) rows of a run, failures first."""
    query = (
        sa.select(DigestDelivery, User.email)
        .join(User, User.id == DigestDelivery.user_id)
        .where(DigestDelivery.run_id == run.id)
        .order_by(
            sa.case((DigestDelivery.status == "failed", 0), (DigestDelivery.status == "pending", 1), else_=2),
            DigestDelivery.id,
        )
        .limit(limit)
    )
    if status:
        query = query.where(DigestDelivery.status == status)
    return session.execute(query).all()


def retry_failed(session: Session, association: Association, run: DigestRun, *, actor: Actor) -> int:
    """Put a run's failed deliveries back in the queue (same rows, same Message-IDs: no one gets two)."""
    changed = session.execute(
        sa.update(DigestDelivery)
        .where(DigestDelivery.run_id == run.id, DigestDelivery.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=sa.func.now())
    ).rowcount
    audit.record(
        session,
        "digest.retried",
        actor=actor,
        association_id=association.id,
        target=f"digest_run:{run.id}",
        details={"deliveries": changed},
    )
    return changed


def region_members(session: Session, association: Association, region: Region) -> list[User]:
    """People with a membership in a ready store of the region (to preview the digest as one of them)."""
    return list(
        session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .join(Store, Store.id == Membership.store_id)
            .where(
                Store.association_id == association.id,
                Store.region_id == region.id,
                Store.status == StoreStatus.READY.value,
                User.is_active.is_(True),
            )
            .distinct()
            .order_by(User.email)
            .limit(500)
        )
    )


def preview(
    session: Session, association: Association, region: Region, period: Period, *, member: User | None = None
) -> RenderedEmail:
    """The digest for (region, period) as `member` would get it (their incident types), without their store part.
    Uses the run's snapshot when the period was already queued, so the preview shows what was or will be sent."""
    if region.association_id != association.id:
        raise NotFound("No such region in this association.")
    run = session.scalar(sa.select(DigestRun).where(DigestRun.region_id == region.id, DigestRun.period == period.key))
    if run is not None:
        content = run.content
    else:
        zone = effective_settings(association, region).zone
        content = region_content(session, association, region, period, zone)
    pref = session.get(AlertPreference, member.id) if member is not None else None
    narrowed = for_reader(content, incident_types=pref.digest_incident_types if pref else None)
    email, _headers = render_digest(narrowed, user_id=None, stores=[], preview_note=PREVIEW_NOTE)
    return email


def send_test(
    session: Session,
    association: Association,
    region: Region,
    period: Period,
    *,
    actor: Actor,
    member: User | None = None,
) -> OutboundEmail:
    """Queue the preview to the admin's own address (the outbox sends it after commit). Flushes, never commits."""
    email = preview(session, association, region, period, member=member)
    test = RenderedEmail(subject=f"[Test] {email.subject}", text=email.text, html=email.html)
    row = queue_email(session, to=actor.email, email=test, kind="digest_test")
    audit.record(
        session,
        "digest.test_sent",
        actor=actor,
        association_id=association.id,
        target=f"region:{region.id}",
        details={"period": period.key},
    )
    return row
