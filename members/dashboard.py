"""The admin home page's figures: member stores by status and per region, bulletins and shared incidents."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from members.stores import MemberStatus, list_members
from models import Association, Bulletin, Region
from models.base import utcnow


@dataclass(frozen=True)
class RegionSummary:
    region: Region
    stores_by_status: dict[str, int]
    # Counts of anonymized bulletins (never of store rows): published in the last 7 days, and incidents shared.
    bulletins_this_week: int = 0
    incidents_shared: int = 0


@dataclass(frozen=True)
class Dashboard:
    by_status: dict[str, int]
    regions: list[RegionSummary]
    total: int


def association_overview(session: Session, association: Association) -> list[RegionSummary]:
    """Each region of the association with its member stores counted by (derived) status."""
    return dashboard(session, association).regions


def dashboard(session: Session, association: Association) -> Dashboard:
    regions = session.scalars(
        sa.select(Region).where(Region.association_id == association.id).order_by(Region.name)
    ).all()
    members = list_members(session, association)
    by_region: dict[int, Counter] = {}
    for m in members:
        by_region.setdefault(m.region.id, Counter())[m.status.value] += 1
    totals = Counter(m.status.value for m in members)
    week, shared = bulletin_counts(session, association)
    return Dashboard(
        by_status={s.value: totals.get(s.value, 0) for s in MemberStatus},
        regions=[
            RegionSummary(
                region=r,
                stores_by_status=dict(by_region.get(r.id, {})),
                bulletins_this_week=week.get(r.id, 0),
                incidents_shared=shared.get(r.id, 0),
            )
            for r in regions
        ],
        total=len(members),
    )


def bulletin_counts(session: Session, association: Association) -> tuple[dict[int, int], dict[int, int]]:
    """Per region: bulletins published in the last 7 days, and incidents shared (not withdrawn or rejected)."""
    since = utcnow() - timedelta(days=7)
    rows = session.execute(
        sa.select(
            Bulletin.region_id,
            sa.func.count().filter(Bulletin.status == "published", Bulletin.published_at >= since),
            sa.func.count().filter(Bulletin.kind == "incident", Bulletin.status.not_in(["withdrawn", "rejected"])),
        )
        .where(Bulletin.association_id == association.id)
        .group_by(Bulletin.region_id)
    ).all()
    return {r: w for r, w, _ in rows}, {r: s for r, _, s in rows}
