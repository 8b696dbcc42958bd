"""Building the schemas of stores registered in a request, by the job queue once that request has committed.

The request writes a `tenants.build_stores` job in its transaction and answers at once; the members page shows
the progress (stores still `provisioning`). A build that is interrupted (the worker restarts) leaves the store
`provisioning`: the job is retried, the periodic `tenants.build_pending` job finishes whatever is left (also
`flask tenants build-pending`), and a failed build can be retried from the store's page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from jobs import names
from jobs.queue import enqueue
from models import Store, StoreStatus
from tenants.provisioning import build_store_schema

log = logging.getLogger(__name__)


def build_schemas(
    owner: Engine,
    store_ids: Sequence[int],
    *,
    app_role: str | None,
    on_progress: Callable[[int, bool], None] | None = None,
) -> tuple[int, int]:
    """Build each store's schema in turn; returns (built, failed). A failure marks that store and goes on."""
    built = failed = 0
    for store_id in store_ids:
        try:
            build_store_schema(owner, store_id, app_role=app_role)
        except Exception:  # the store is marked failed with the reason; the others still get built
            log.exception("building the schema of store %s failed", store_id)
            failed += 1
            ok = False
        else:
            built += 1
            ok = True
        if on_progress:
            on_progress(store_id, ok)
    return built, failed


def pending_store_ids(owner: Engine) -> list[int]:
    with owner.connect() as conn:
        return list(
            conn.scalars(sa.select(Store.id).where(Store.status == StoreStatus.PROVISIONING.value).order_by(Store.id))
        )


def enqueue_builds(session: Session, store_ids: Sequence[int]) -> None:
    """Write the job that builds these stores' schemas, in the caller's transaction (never if it rolls back)."""
    ids = list(store_ids)
    if ids:
        enqueue(session, names.BUILD_STORES, {"store_ids": ids}, lock=names.BUILD_LOCK)
