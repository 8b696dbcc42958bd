"""The admin dashboard counts anonymized bulletins per region: published this week, incidents shared."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from members.dashboard import dashboard
from models import Association
from models.base import utcnow
from models.bulletins import Bulletin


def _bulletin(session, world, *, status="published", kind="incident", age_days=0):
    now = utcnow()
    session.add(
        Bulletin(
            association_id=world.association.id,
            region_id=world.region.id,
            region_label="North",
            kind=kind,
            tlp="AMBER",
            incident_type="casing",
            title="t",
            status=status,
            published_at=now - timedelta(days=age_days) if status == "published" else None,
            expires_at=now + timedelta(days=90),
        )
    )


def test_bulletin_counts_per_region(engines, make_world):
    world, other = make_world(), make_world()
    with Session(engines.owner) as session, session.begin():
        _bulletin(session, world)  # this week, incident
        _bulletin(session, world, age_days=10)  # older, incident
        _bulletin(session, world, kind="police_trend")  # this week, not an incident
        _bulletin(session, world, status="pending")  # shared, waiting for moderation
        _bulletin(session, world, status="withdrawn")  # not counted
        _bulletin(session, world, status="rejected")  # not counted
        _bulletin(session, other)  # another association: never counted here
    with Session(engines.owner) as session:
        result = dashboard(session, session.get(Association, world.association.id))
    [north] = [r for r in result.regions if r.region.id == world.region.id]
    assert north.bulletins_this_week == 2
    assert north.incidents_shared == 3
