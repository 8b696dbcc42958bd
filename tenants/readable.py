"""The stores whose schemas background work may read: one home for the filter every walk over store schemas uses.

Ready stores only (not provisioning, suspended or failed), and only registry rows that have a schema: a row without
one (a store being registered, or a row written by hand or by a test) would bind a session to no schema at all.
"""

from __future__ import annotations

import sqlalchemy as sa

from models import Store, StoreStatus


def readable_stores(*, association_id: int | None = None, region_id: int | None = None) -> sa.Select:
    """SELECT of the stores whose schemas can be read, by id (narrowed to an association and/or region)."""
    query = sa.select(Store).where(Store.status == StoreStatus.READY.value, Store.schema_name.is_not(None))
    if association_id is not None:
        query = query.where(Store.association_id == association_id)
    if region_id is not None:
        query = query.where(Store.region_id == region_id)
    return query.order_by(Store.id)
