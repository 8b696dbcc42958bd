"""Merging a duplicate bulletin into another one of the same association and region.

The duplicate leaves the queue and the feed (status "merged", `merged_into_id` points at the survivor). The survivor
keeps its own text (the moderator may edit it afterwards). What members said about the duplicate moves to the
survivor so its counts include both:

- "I saw this too" sightings (`bulletin_sightings`) have no unique key: all of them move.
- "This helped" feedback (`bulletin_feedback`, one row per person, bulletin and kind) moves unless the same person
  already said so on the survivor; that person's row stays on the duplicate, so they are counted once.

Nothing here reads a store schema and the audit entry carries no store id. A store that later withdraws the merged
bulletin blanks the duplicate's text as for any other withdrawal (`sharing.shares.withdraw`); the
survivor, its text and the moved sightings and feedback stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from audit import Actor
from bulletins.moderation import ModerationError, _decide, _record
from i18n import _
from jobs.queue import notify
from models import Association
from models.base import utcnow
from models.bulletins import Bulletin, BulletinFeedback
from models.sightings import BulletinSighting

MERGEABLE = ("pending", "published")


@dataclass(frozen=True)
class MergeResult:
    sightings_moved: int
    feedback_moved: int


def _live(now: datetime):
    return sa.or_(Bulletin.status == "pending", sa.and_(Bulletin.status == "published", Bulletin.expires_at > now))


def candidates(
    session: Session, association: Association, duplicate: Bulletin, *, now: datetime | None = None
) -> list[Bulletin]:
    """Bulletins the duplicate may be merged into: pending or live published, same association and region."""
    return list(
        session.scalars(
            sa.select(Bulletin)
            .where(
                Bulletin.association_id == association.id,
                Bulletin.region_id == duplicate.region_id,
                Bulletin.id != duplicate.id,
                _live(now or utcnow()),
            )
            .order_by(Bulletin.id.desc())
            .limit(200)
        )
    )


def merge(
    session: Session,
    association: Association,
    duplicate: Bulletin,
    survivor: Bulletin,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> MergeResult:
    now = now or utcnow()
    if duplicate.association_id != association.id or survivor.association_id != association.id:
        raise ModerationError(_("Both bulletins must belong to this association."))
    if duplicate.id == survivor.id:
        raise ModerationError(_("A bulletin cannot be merged into itself."))
    if duplicate.region_id != survivor.region_id:
        raise ModerationError(_("Only bulletins of the same region can be merged."))
    if duplicate.status not in MERGEABLE:
        raise ModerationError(_("Only a bulletin waiting for review or published can be merged."))
    if not (survivor.status == "pending" or (survivor.status == "published" and survivor.expires_at > now)):
        raise ModerationError(_("Merge into a bulletin waiting for review or published."))

    sightings = session.execute(
        sa.update(BulletinSighting)
        .where(BulletinSighting.bulletin_id == duplicate.id)
        .values(bulletin_id=survivor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    already = aliased(BulletinFeedback)
    feedback = session.execute(
        sa.update(BulletinFeedback)
        .where(
            BulletinFeedback.bulletin_id == duplicate.id,
            ~sa.exists().where(
                already.bulletin_id == survivor.id,
                already.user_id == BulletinFeedback.user_id,
                already.kind == BulletinFeedback.kind,
            ),
        )
        .values(bulletin_id=survivor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.expire(duplicate, ["feedback"])
    session.expire(survivor, ["feedback"])

    _decide(duplicate, actor, "merged")
    duplicate.merged_into_id = survivor.id
    session.flush()
    _record(
        session,
        "bulletin.merged",
        association,
        actor,
        duplicate,
        into=f"bulletin:{survivor.id}",
        sightings_moved=sightings,
        feedback_moved=feedback,
    )
    notify(session, "share.merged", bulletin_id=duplicate.id)
    return MergeResult(sightings, feedback)


@dataclass(frozen=True)
class Duplicates:
    """What the feed says of the duplicates merged into a bulletin: how many reports it stands for (itself and
    its merged duplicates) and the other place labels they carried. No store, no id, no text of a duplicate."""

    reports: int
    other_places: tuple[str, ...]


def duplicates_of(session: Session, bulletin_ids) -> dict[int, Duplicates]:
    """For each of these bulletins that has merged duplicates (still merged: a withdrawn one no longer counts), the
    reports and other places; one query. Place labels are the anonymizer's (each rests on at least k stores), so
    they name an area, never a store; a count of reports is not a count of stores (one store may report twice)."""
    ids = list(bulletin_ids)
    if not ids:
        return {}
    rows = session.execute(
        sa.select(Bulletin.merged_into_id, Bulletin.area_label, Bulletin.region_label)
        .where(Bulletin.merged_into_id.in_(ids), Bulletin.status == "merged")
        .order_by(Bulletin.merged_into_id, Bulletin.id)
    ).all()
    found: dict[int, list] = {}
    for survivor_id, area_label, region_label in rows:
        found.setdefault(survivor_id, []).append(f"{area_label}, {region_label}" if area_label else region_label)
    result = {}
    for survivor_id, places in found.items():
        own = session.get(Bulletin, survivor_id).place_label  # the feed's own row: no query
        others = tuple(dict.fromkeys(p for p in places if p and p != own))
        result[survivor_id] = Duplicates(reports=1 + len(places), other_places=others)
    return result
