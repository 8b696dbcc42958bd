"""Fixtures of the trend tests: the bulletin tests' world (a source store, a neighbour, another region, another
association, an association admin) and a helper that writes anonymized facts directly."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from models.base import utcnow
from models.trends import IncidentFact
from tests.bulletins.conftest import sharing_world  # noqa: F401  (the fixture)
from trends import week_label


def week(ago: int = 0) -> str:
    """The ISO week `ago` weeks before this one."""
    return week_label(utcnow().date() - timedelta(weeks=ago))


def add_facts(engines, *, association_id, region_id, stores, week, incident_type="casing", area_id=None, tag="s"):
    """`stores` distinct contributors (keys tag0, tag1, ...) each reporting one incident in that cell."""
    with Session(engines.owner) as session, session.begin():
        session.add_all(
            IncidentFact(
                association_id=association_id,
                region_id=region_id,
                area_id=area_id,
                iso_week=week,
                incident_type=incident_type,
                contributor=f"{tag}{i}",
            )
            for i in range(stores)
        )
