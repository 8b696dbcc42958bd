"""Fixtures of the trend tests: the bulletin tests' world (a source store, a neighbour, another region, another
association, an association admin) and a helper that writes anonymized facts directly."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from models import Store, StoreStatus
from models.base import utcnow
from models.trends import IncidentFact
from tenants.migrations import store_head
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


def add_member_stores(engines, *, association_id, region_id, count, area_id=None, status=StoreStatus.READY):
    """`count` member stores in the registry only (no schema: trends read the registry's counts, never a store's
    schema), so a test can give a region or area the size the group-disclosure rule checks against."""
    with Session(engines.owner) as session, session.begin():
        for _ in range(count):
            slug = f"member-{uuid.uuid4().hex[:12]}"
            session.add(
                Store(
                    association_id=association_id,
                    region_id=region_id,
                    area_id=area_id,
                    slug=slug,
                    name=slug,
                    status=status.value,
                    # Recorded at head: a test that migrates every store of the database skips these schema-less rows.
                    schema_revision=store_head(),
                )
            )
