"""Building the schemas of stores registered in a request, once that request has committed.

A few stores are built right after the commit, before the response leaves; a large import is built by a
background thread so the page answers at once, and the members page shows the progress (stores still
`provisioning`). A build that is interrupted (the worker restarts) leaves the store `provisioning`:
`flask tenants build-pending` finishes the work, and a failed build can be retried from the store's page.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import Engine

from database.request_scope import after_commit
from models import Store, StoreStatus
from tenants.provisioning import build_store_schema

log = logging.getLogger(__name__)
INLINE_BUILD_LIMIT = 20


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


def build_after_commit(store_ids: Sequence[int]) -> None:
    """Register the builds to run once the request's transaction has committed (never if it rolls back)."""
    ids = list(store_ids)
    if not ids:
        return
    database = current_app.extensions["loupe_db"]
    owner, app_role = database.engines.owner, database.app_role

    def build() -> None:
        if len(ids) <= INLINE_BUILD_LIMIT:
            build_schemas(owner, ids, app_role=app_role)
        else:
            threading.Thread(
                target=build_schemas,
                args=(owner, ids),
                kwargs={"app_role": app_role},
                name="loupe-store-builds",
                daemon=True,
            ).start()

    after_commit(build)
