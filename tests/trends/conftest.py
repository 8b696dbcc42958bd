"""Fixtures of the trend tests: the bulletin tests' world (a source store, a neighbour, another region, another
association, an association admin) and helpers that publish weeks from given facts, as `trends.closing` does from
the stores' own records (tests/trends/test_closing.py reads real stores' records)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from models import Store, StoreStatus
from models.base import utcnow
from tenants.migrations import store_head
from tests.bulletins.conftest import sharing_world  # noqa: F401  (the fixture)
from trends import freeze_weeks, region_weeks, week_label


def week(ago: int = 0) -> str:
    """The ISO week `ago` weeks before this one."""
    return week_label(utcnow().date() - timedelta(weeks=ago))


# Facts a test says its stores reported, per association, until `publish_weeks` publishes the closed weeks.
_REPORTED: dict[int, list[tuple]] = {}


def add_facts(engines, *, association_id, region_id, stores, week, incident_type="casing", area_id=None, tag="s"):
    """`stores` distinct stores (tag0, tag1, ...) each reporting one incident in that cell, as the closing job
    would gather them; published by the next `publish_weeks` (a week already published keeps its cells)."""
    _REPORTED.setdefault(association_id, []).extend(
        (region_id, area_id, week, incident_type, f"{tag}{i}") for i in range(stores)
    )


def publish_weeks(engines, association_id, now=None) -> int:
    """What the closing job does for the association, from the facts `add_facts` recorded: publish every closed
    week not published yet (`trends.freeze_weeks`)."""
    from models import Association

    with Session(engines.owner) as session, session.begin():
        association = session.get(Association, association_id)
        todo = region_weeks(session, association, now=now)
        return freeze_weeks(session, association, _REPORTED.get(association_id, []), todo)


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
