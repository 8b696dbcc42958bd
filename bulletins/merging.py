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
