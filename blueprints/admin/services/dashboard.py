"""The admin home page's figures: member stores by status and per region, and what later issues will fill."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from blueprints.admin.services.members import MemberStatus, list_members
from models import Association, Region


@dataclass(frozen=True)
class RegionSummary:
    region: Region
    stores_by_status: dict[str, int]
    # Anonymized counts from the bulletins issue; nothing publishes them yet, so they are 0 for now.
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
    return Dashboard(
        by_status={s.value: totals.get(s.value, 0) for s in MemberStatus},
        regions=[RegionSummary(region=r, stores_by_status=dict(by_region.get(r.id, {}))) for r in regions],
        total=len(members),
    )
