"""A member store's "last activity": the last time someone of the store signed in or saved something.

Recorded to the hour: a store whose recorded activity is less than an hour old is not written again, so a busy
store costs one small UPDATE an hour, not one per request. Callers pass what they already loaded (the store row of
the request, the stores of the person signing in); the staleness is checked in the statement too, so two workers
racing write once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.base import utcnow
from models.registry import Store

GRANULARITY = timedelta(hours=1)


def is_stale(last: datetime | None, now: datetime) -> bool:
    """Whether a store's recorded activity is old enough to be written again."""
    return last is None or now - last >= GRANULARITY


def touch_stores(session: Session, store_ids: Iterable[int], *, now: datetime | None = None) -> None:
    """Record activity now for these stores, those whose last activity is an hour old or more (one statement)."""
    ids = sorted(set(store_ids))
    if not ids:
        return
    now = now or utcnow()
    session.execute(
        sa.update(Store)
        .where(
            Store.id.in_(ids),
            sa.or_(Store.last_activity_at.is_(None), Store.last_activity_at <= now - GRANULARITY),
        )
        .values(last_activity_at=now)
        .execution_options(synchronize_session=False)
    )


def touch_store(session: Session, store: Store, *, now: datetime | None = None) -> None:
    """Record activity for the request's store, without a statement when the loaded row is recent enough."""
    now = now or utcnow()
    if is_stale(store.last_activity_at, now):
        touch_stores(session, [store.id], now=now)
