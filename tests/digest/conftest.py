"""The digest tests reuse the bulletin tests' world (a source store with a police contact, a neighbour in the
same region, a store in another region and one in another association) and add published bulletins and facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from digest.periods import Period, week_period
from models import Bulletin, Region, TrendBulletinDetails
from models.base import utcnow
from tests.bulletins.conftest import SharingWorld, sharing_world  # noqa: F401
from tests.trends.conftest import add_facts, add_member_stores, publish_weeks

XSS = "<script>alert('x')</script> Two men <b>casing</b>"
SOUTH_TITLE = "Grab-and-run in the south"
POLICE_TITLE = "Police: distraction teams working weekends"
WATCH_FOR = "Pairs asking to see several trays at once"
RECOMMENDATION = "Show one tray at a time & keep cases locked"


@dataclass
class DigestWorld:
    w: SharingWorld
    period: Period
    amber_id: int
    police_id: int


def _bulletin(session, world: SharingWorld, region, **values) -> Bulletin:
    bulletin = Bulletin(
        association_id=world.home.association.id,
        region_id=region.id,
        region_label=region.name,
        status="published",
        published_at=utcnow(),
        **values,
    )
    session.add(bulletin)
    session.flush()
    return bulletin


@pytest.fixture
def digest_world(engines, sharing_world) -> DigestWorld:  # noqa: F811
    w = sharing_world
    period = week_period(date.today())
    with Session(engines.owner) as session, session.begin():
        home = w.home.region
        south = session.get(Region, w.other_region_store.region_id)
        amber = _bulletin(
            session, w, home, tlp="AMBER", title=XSS, incident_type="casing",
            vehicles=[{"colour": "silver", "make": "Ford", "model": "Focus", "plate": "AB12 CDE"}],
        )  # fmt: skip
        police = _bulletin(
            session, w, home, tlp="GREEN", title=POLICE_TITLE, kind="police_trend", incident_type="distraction"
        )
        session.add(TrendBulletinDetails(bulletin_id=police.id, watch_for=WATCH_FOR, recommendation=RECOMMENDATION))
        # No RED bulletin can exist in the shared schema at all (a check constraint); the digest reads FEED_TLPS only.
        _bulletin(session, w, south, tlp="AMBER", title=SOUTH_TITLE, incident_type="grab_and_run_attempt")
        amber_id, police_id = amber.id, police.id
    # The region's size for the group-disclosure rule: 2 stores + 12 in the registry, so 6 reporting leaves 8 out.
    a, home_id = w.home.association.id, w.home.region.id
    add_member_stores(engines, association_id=a, region_id=home_id, count=12)
    # Trend facts: casing by 6 distinct stores last week, 2 (under k=5, withheld) the week before. Not this week:
    # a digest shows closed weeks only (issue #17 item 3), so this week's facts would not be shown yet. The
    # closing job publishes them when the digest is queued (`digest.runs.queue_run`), or here.
    week = week_period(period.starts_on - timedelta(days=7)).key
    last = week_period(period.starts_on - timedelta(days=14)).key
    add_facts(engines, association_id=a, region_id=home_id, stores=6, week=week, tag="c")
    add_facts(engines, association_id=a, region_id=home_id, stores=2, week=last, tag="d")
    publish_weeks(engines, a)
    return DigestWorld(w, period, amber_id, police_id)


def run_ids(engines, dw: DigestWorld) -> list[int]:
    from models import DigestRun

    with Session(engines.owner) as session:
        return list(
            session.scalars(sa.select(DigestRun.id).where(DigestRun.association_id == dw.w.home.association.id))
        )


def deliveries(engines, dw: DigestWorld, **where):
    """This test's deliveries (the database is shared by the whole session)."""
    from models import DigestDelivery

    with Session(engines.owner) as session:
        query = sa.select(DigestDelivery).where(DigestDelivery.run_id.in_(run_ids(engines, dw)))
        for name, value in where.items():
            query = query.where(getattr(DigestDelivery, name) == value)
        return list(session.scalars(query.order_by(DigestDelivery.id)))
