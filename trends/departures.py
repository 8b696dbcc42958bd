"""A bulletin a moderator takes out of publication (rejected, or merged into another) leaves the trend counts.

ANONYMIZATION.md rule 4: "Rejected, withdrawn and merged shares leave the counts." A fact carries no store id and
no bulletin id (either would link facts, and so bulletins, to a store), so the moderator's request cannot tell which
fact is the bulletin's. The same mechanism as a withdrawal is used instead: the store that shared the bulletin
recomputes its contributor key (`trends.remove_share`). Which store that is, is known only inside the stores' own
schemas ("I shared this as bulletin N"), so a job reads them in memory, after the decision commits, and writes
nothing that names the store. The moderator's request reads no store schema.

`Bulletin.trend_fact` says whether the bulletin's fact is still counted; the share sets it, and a withdrawal
(`sharing.shares.withdraw`) or this job clears it as it removes the fact, under the bulletin's row lock. So each fact
leaves once: a withdrawal after a rejection or a merge removes nothing more, and the merged-away bulletin never
takes a second fact of the same store, week and type with it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from jobs import names
from jobs.queue import enqueue
from models import Store, StoreStatus
from models.bulletins import Bulletin
from models.store.sharing import SharedBulletin
from tenants.binding import store_session
from trends import remove_share

# Statuses whose bulletin no longer counts because a moderator decided so (the job removes its fact).
LEFT_BY_DECISION = ("rejected", "merged")


def enqueue_departure(session: Session, bulletin: Bulletin) -> None:
    """Write the job that removes a rejected or merged incident bulletin's fact, in the decision's transaction."""
    if bulletin.trend_fact:
        enqueue(session, names.DROP_TREND_FACT, {"bulletin_id": bulletin.id})


def drop_fact(session: Session, engine: Engine, bulletin_id: int) -> bool:
    """Remove the fact of a rejected or merged bulletin: find the store whose schema says it shared it and delete
    one of that store's facts for the bulletin's week and type. True when a fact was removed. Flushes, never commits.
    Idempotent: `Bulletin.trend_fact` (read under a row lock) says whether the fact is still there."""
    bulletin = session.scalar(sa.select(Bulletin).where(Bulletin.id == bulletin_id).with_for_update())
    if bulletin is None or not bulletin.trend_fact:
        return False  # no fact, or already removed (a withdrawal, or this job's earlier run)
    bulletin.trend_fact = False
    stores = session.scalars(
        sa.select(Store)
        .where(Store.association_id == bulletin.association_id, Store.status == StoreStatus.READY.value)
        .order_by(Store.id)
    ).all()
    for store in stores:
        with store_session(engine, store.schema_name) as store_db:
            shared = store_db.scalar(sa.select(SharedBulletin.id).where(SharedBulletin.bulletin_id == bulletin.id))
        if shared is not None:
            return remove_share(session, store, iso_week=bulletin.iso_week, incident_type=bulletin.incident_type)
    return False


def enqueue_left_over(session: Session) -> int:
    """Write the job for every rejected or merged bulletin whose fact still counts (decided before revision 0019,
    which could not read store schemas); returns how many. Safe to run again: each job removes at most once."""
    ids = session.scalars(
        sa.select(Bulletin.id)
        .where(Bulletin.status.in_(LEFT_BY_DECISION), Bulletin.trend_fact.is_(True))
        .order_by(Bulletin.id)
    ).all()
    for bulletin_id in ids:
        enqueue(session, names.DROP_TREND_FACT, {"bulletin_id": bulletin_id})
    return len(ids)
