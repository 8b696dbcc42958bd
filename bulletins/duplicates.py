"""Likely duplicates in the moderation queue: what a waiting bulletin shares with another live one.

Two stores often share the same visit (the same car went round the block). The moderator sees "looks like #123"
with what is shared — the same plate, or the same kind of incident on the same day in the same region — and can
merge them (`bulletins.merging`). Only bulletins of the association are read; nothing names a store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Association
from models.base import utcnow
from models.bulletins import Bulletin

# Pattern bulletins are left out on both sides: a pattern is built from bulletins that look alike, and saying which
# ones would say which bulletins it rests on (ANONYMIZATION.md rule 4, "No linkage").
PATTERN = "pattern"
# How many live bulletins of the page's regions are compared (the queue shows a page of ~20 waiting ones).
COMPARE_LIMIT = 2000
_NOT_PLATE = re.compile(r"[^0-9A-Z]")


def plate_keys(bulletin: Bulletin) -> set[str]:
    """The bulletin's plates, upper-cased without spaces or punctuation ("ab-12 cd" and "AB12CD" are one)."""
    keys = {_NOT_PLATE.sub("", str(v.get("plate") or "").upper()) for v in bulletin.vehicles or []}
    return {k for k in keys if len(k) >= 3}


@dataclass
class LikelyDuplicate:
    other: Bulletin
    same_plates: list[str] = field(default_factory=list)  # plate keys both bulletins name
    same_kind_and_day: bool = False  # same kind and incident type, same day, same region


def likely_duplicates(
    session: Session, association: Association, bulletins: list[Bulletin], *, now: datetime | None = None
) -> dict[int, list[LikelyDuplicate]]:
    """For each bulletin given, the other live bulletins (waiting, or published and not expired) of its region
    that share a plate, or its kind, incident type and day; newest first."""
    if not bulletins:
        return {}
    now = now or utcnow()
    others = session.scalars(
        sa.select(Bulletin)
        .where(
            Bulletin.association_id == association.id,
            Bulletin.region_id.in_({b.region_id for b in bulletins}),
            sa.or_(Bulletin.status == "pending", sa.and_(Bulletin.status == "published", Bulletin.expires_at > now)),
        )
        .order_by(Bulletin.id.desc())
        .limit(COMPARE_LIMIT)
    ).all()
    found: dict[int, list[LikelyDuplicate]] = {}
    for bulletin in bulletins:
        if bulletin.kind == PATTERN:
            continue
        plates = plate_keys(bulletin)
        for other in others:
            if other.id == bulletin.id or other.region_id != bulletin.region_id or other.kind == PATTERN:
                continue
            match = LikelyDuplicate(
                other=other,
                same_plates=sorted(plates & plate_keys(other)),
                same_kind_and_day=bool(
                    bulletin.day
                    and other.day == bulletin.day
                    and other.kind == bulletin.kind
                    and other.incident_type == bulletin.incident_type
                ),
            )
            if match.same_plates or match.same_kind_and_day:
                found.setdefault(bulletin.id, []).append(match)
    return found
