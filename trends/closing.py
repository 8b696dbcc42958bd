"""Closing a week: the trend counts of a closed ISO week, counted from the stores' own records and published once.

Issue #17 item 6 (source anonymity): someone holding a copy of the shared schema and the app's configuration
must not be able to link a bulletin to a store, nor two bulletins to one store. A per-share fact in the shared schema
cannot meet that: a key that lets trends count a store once per cell links that store's facts, a key derived from
SECRET_KEY is recomputed by whoever holds the configuration, and a fact written in the bulletin's transaction pairs
with the bulletin by id order (and by transaction id). So a share writes no trend fact at all. Which store shared
which bulletin is known only inside that store's schema (`SharedBulletin`); once a week has closed, this job reads
each store's record of its live shares of that week, counts distinct stores per cell **in memory**, and stores only
the published cells (`trends.freeze_weeks`). Nothing per store, per share or per contributor is ever written.

What counts is what is still shared when the week is published: a share withdrawn by its store, or rejected or
merged by a moderator, before then does not count (rule 4); after then, the week's numbers no longer change
(published once, rule 4), so two looks cannot isolate a late share, a withdrawal or a decision. Pending shares count:
the store reported the incident, whatever the moderation queue's pace.

The job runs every hour and before the digest (`jobs.tasks`); each run freezes only the weeks not frozen yet, so
running it twice, or two workers at once, publishes each week once (the first insert wins).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from models import Association, Store
from models.bulletins import Bulletin
from models.store.sharing import SharedBulletin
from tenants.binding import store_session
from tenants.readable import readable_stores
from trends import DEFAULT_WEEKS, RED_FLAG_PREFIX, freeze_weeks, region_weeks

# A share in one of these states still counts (rejected, withdrawn and merged ones do not).
COUNTED_STATUSES = ("pending", "published", "retired")


def store_contributions(store_db: Session, association_id: int, weeks: list[str]) -> set[tuple[str, str]]:
    """The (ISO week, incident type) pairs this store (the session's bound schema) shared and still counts."""
    rows = store_db.execute(
        sa.select(Bulletin.iso_week, Bulletin.incident_type)
        .distinct()
        .join(SharedBulletin, SharedBulletin.bulletin_id == Bulletin.id)
        .where(
            SharedBulletin.withdrawn_at.is_(None),
            Bulletin.association_id == association_id,
            Bulletin.kind == "incident",
            Bulletin.status.in_(COUNTED_STATUSES),
            Bulletin.iso_week.in_(weeks),
            Bulletin.incident_type != "",
        )
    ).all()
    return {(week, incident_type) for week, incident_type in rows}


def store_red_flags(store_db: Session, association_id: int, weeks: list[str]) -> set[tuple[str, str]]:
    """The (ISO week, red-flag code) pairs of the shares this store still counts (as `store_contributions`)."""
    rows = store_db.execute(
        sa.select(Bulletin.iso_week, sa.func.unnest(Bulletin.red_flags))
        .distinct()
        .join(SharedBulletin, SharedBulletin.bulletin_id == Bulletin.id)
        .where(
            SharedBulletin.withdrawn_at.is_(None),
            Bulletin.association_id == association_id,
            Bulletin.kind == "incident",
            Bulletin.status.in_(COUNTED_STATUSES),
            Bulletin.iso_week.in_(weeks),
        )
    ).all()
    return {(week, code) for week, code in rows}


def gather(
    session: Session, engine: Engine, association: Association, weeks_by_region: Mapping[int, list[str]]
) -> list[tuple[int, int | None, str, str, str]]:
    """Facts (region id, area id, week, type, contributor) of the association's ready stores for those weeks, read
    from each store's schema. The contributor is a number local to this call (the store's position in this walk),
    so nothing returned names a store, and nothing of it is stored. A store counts in its current region and area
    (as the group sizes are counted). A red flag is a fact of type `red_flag:<code>` (`trends.RED_FLAG_PREFIX`)."""
    weeks = sorted({w for ws in weeks_by_region.values() for w in ws})
    if not weeks:
        return []
    stores = session.execute(
        readable_stores(association_id=association.id)
        .with_only_columns(Store.schema_name, Store.region_id, Store.area_id)
        .where(Store.region_id.in_(list(weeks_by_region)))
    ).all()
    facts = []
    for position, (schema, region_id, area_id) in enumerate(stores):
        with store_session(engine, schema) as store_db:
            pairs = store_contributions(store_db, association.id, weeks)
            flags = store_red_flags(store_db, association.id, weeks)
        facts += [(region_id, area_id, week, incident_type, str(position)) for week, incident_type in pairs]
        facts += [(region_id, area_id, week, RED_FLAG_PREFIX + code, str(position)) for week, code in flags]
    return facts


def close_weeks(session: Session, engine: Engine, association: Association, *, now: datetime | None = None) -> int:
    """Publish the association's closed weeks that are not published yet (see the module docstring). Flushes,
    never commits. Returns how many region-weeks were published."""
    todo = region_weeks(session, association, weeks=DEFAULT_WEEKS, now=now)
    if not todo:
        return 0
    return freeze_weeks(session, association, gather(session, engine, association, todo), todo)


def engine_of(session: Session) -> Engine:
    """The Engine behind a Session (bound to an Engine or to one of its Connections): the job opens one
    store-bound session per store from it."""
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def close_all(engine: Engine, *, now: datetime | None = None) -> int:
    """`close_weeks` for every association, one transaction each (a failure leaves the others published)."""
    with Session(engine) as session:
        ids = list(session.scalars(sa.select(Association.id).order_by(Association.id)))
    total = 0
    for association_id in ids:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            association = session.get(Association, association_id)
            if association is not None:
                total += close_weeks(session, engine, association, now=now)
    return total
