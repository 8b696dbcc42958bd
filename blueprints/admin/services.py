"""Admin portal domain functions: registry and anonymized views only, never a store's own schema."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Association, Region, Store


@dataclass(frozen=True)
class RegionSummary:
    region: Region
    stores_by_status: dict[str, int]


def association_overview(session: Session, association: Association) -> list[RegionSummary]:
    """Each region of the association with its member stores counted by status."""
    regions = session.scalars(
        sa.select(Region).where(Region.association_id == association.id).order_by(Region.name)
    ).all()
    counts = session.execute(
        sa.select(Store.region_id, Store.status, sa.func.count())
        .where(Store.association_id == association.id)
        .group_by(Store.region_id, Store.status)
    ).all()
    by_region: dict[int, dict[str, int]] = {}
    for region_id, status, n in counts:
        by_region.setdefault(region_id, {})[status] = n
    return [RegionSummary(region=r, stores_by_status=by_region.get(r.id, {})) for r in regions]
