"""The warm pool: store schemas built ahead of demand, so that creating a store is a rename, not 20 CREATE TABLEs.

Building a store schema costs tens of milliseconds per table on a real disk (each new relation's files are created
and its btree indexes fsync'ed as they are built, see docs/performance.md). The pool moves that work ahead of
demand: `fill_pool` (the `flask tenants pool fill` job) builds `pool_<id>` schemas at the store head, each with its
row in `loupe.schema_pool`. A provisioning transaction claims one (`claim_pool_schema`): it deletes the oldest
matching row with `FOR UPDATE SKIP LOCKED` (concurrent claims never get the same schema and never wait on each
other), checks the schema's own version stamp, renames it to `store_<id>`, writes the store's seed rows and grants
the app role USAGE — all in the caller's transaction, so a rollback puts the schema back in the pool unchanged.

Promises:
- a pool schema holds no store data (seed rows are written at claim time) and the app role cannot reach it (no
  USAGE on the schema until the claim; its table grants are useless without it);
- only schemas at the running code's store head, with grants for the same app role, are handed out; the
  migration runner brings pool schemas behind head forward (`migrate_pool`) and drops any it cannot upgrade;
- an empty pool is not an error: the caller falls back to the cold build.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from config import SHARED_SCHEMA
from database.statements import run_statements
from models.schema_pool import PoolSchema
from tenants.ddl import claim_statements, pool_statements, table_grant_statements
from tenants.naming import is_pool_schema, is_store_schema, pool_schema_name_for
from tenants.schema_upgrade import rendered_upgrade, replay_statements, upgrade_schema

log = logging.getLogger(__name__)

# Advisory-lock namespace of pool fills and pool migrations (store migrations use 7301, see tenants.schema_upgrade).
POOL_LOCK_NAMESPACE = 7302
FILL_LOCK_KEY = 0
# A claim that finds a damaged pool schema drops it and tries the next one, at most this many times.
MAX_CLAIM_ATTEMPTS = 3
REVISION_RE = re.compile(r"^[A-Za-z0-9_]{1,32}$")


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _drop_pool_schema(conn: Connection, name: str) -> None:
    if not is_pool_schema(name):  # never drop anything but a pool schema from here
        raise ValueError(f"not a pool schema: {name!r}")
    conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {_quote(conn, name)} CASCADE")


def claim_pool_schema(conn: Connection, schema: str, *, revision: str, app_role: str | None) -> str | None:
    """Turn one pool schema at `revision` into `schema`, seeded and granted, in the caller's transaction (one round
    trip). Returns the pool schema's former name, or None when the pool has none to give (the caller builds cold).
    """
    claimed, _at = _claim(conn, schema, revision=revision, app_role=app_role)
    return claimed


def claim_for_store(
    conn: Connection, store_id: int, schema: str, *, revision: str, app_role: str | None
) -> datetime | None:
    """Claim a pool schema for a registered store and mark its registry row `ready`, in the same round trip.

    Returns the store's `provisioned_at`, or None when the pool had nothing to give (the row is left as it was).
    """
    ready = (
        f"UPDATE {SHARED_SCHEMA}.stores SET status = 'ready', schema_revision = '{_checked_revision(revision)}', "
        f"provisioned_at = now(), last_error = NULL WHERE id = {int(store_id)}"
    )
    claimed, at = _claim(conn, schema, revision=revision, app_role=app_role, then=(ready,))
    return at if claimed else None


def _checked_revision(revision: str) -> str:
    if not REVISION_RE.fullmatch(revision):
        raise ValueError(f"unexpected revision id {revision!r}")
    return revision


def _claim(
    conn: Connection, schema: str, *, revision: str, app_role: str | None, then: tuple[str, ...] = ()
) -> tuple[str | None, datetime]:
    if not is_store_schema(schema):
        raise ValueError(f"not a store schema: {schema!r}")
    statements = claim_statements(schema, revision, app_role, attempts=MAX_CLAIM_ATTEMPTS, then=then)
    cursor = run_statements(conn.connection.driver_connection, statements)
    claimed, at = cursor.fetchone()  # the final SELECT's
    return claimed or None, at


def pool_size(conn: Connection, *, revision: str, app_role: str | None) -> int:
    """How many pool schemas a claim by this code (head `revision`, `app_role`) could use."""
    return conn.scalar(
        sa.select(sa.func.count())
        .select_from(PoolSchema)
        .where(PoolSchema.revision == revision, PoolSchema.app_role.is_not_distinct_from(app_role))
    )


def build_pool_schema(conn: Connection, *, revision: str, app_role: str | None) -> str:
    """Build one pool schema at `revision` in the caller's transaction and register it; returns its name."""
    pool_id = conn.scalar(
        sa.select(sa.func.nextval(sa.func.pg_get_serial_sequence(f"{SHARED_SCHEMA}.schema_pool", "id")))
    )
    name = pool_schema_name_for(pool_id)
    run_statements(conn.connection.driver_connection, pool_statements(name, revision, app_role))
    conn.execute(sa.insert(PoolSchema).values(id=pool_id, schema_name=name, revision=revision, app_role=app_role))
    return name


def fill_pool(
    owner: Engine,
    size: int,
    *,
    revision: str,
    app_role: str | None,
    on_progress: Callable[[str], None] | None = None,
) -> int:
    """Build pool schemas until `size` are ready for claims; returns how many were built.

    One transaction per schema, under a transaction-scoped advisory lock so two fill jobs never overshoot (claims
    do not take it). Safe to run from cron at any time; stops at once when the pool is full.
    """
    built = 0
    while True:
        with owner.begin() as conn:
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(POOL_LOCK_NAMESPACE, FILL_LOCK_KEY)))
            if pool_size(conn, revision=revision, app_role=app_role) >= size:
                return built
            name = build_pool_schema(conn, revision=revision, app_role=app_role)
        built += 1
        if on_progress:
            on_progress(name)


def pool_status(owner: Engine) -> list[tuple[str, str | None, int]]:
    """(revision, app role, count) of the pool's schemas."""
    with owner.connect() as conn:
        return [
            (r.revision, r.app_role, r.n)
            for r in conn.execute(
                sa.select(PoolSchema.revision, PoolSchema.app_role, sa.func.count().label("n"))
                .group_by(PoolSchema.revision, PoolSchema.app_role)
                .order_by(PoolSchema.revision, PoolSchema.app_role)
            )
        ]


def drain_pool(owner: Engine, *, keep_revision: str | None = None, keep_role: str | None = None) -> int:
    """Drop pool schemas (all of them, or all but those at `keep_revision` for `keep_role`); returns how many.

    Rows being claimed right now are locked and skipped.
    """
    dropped = 0
    while True:
        with owner.begin() as conn:
            query = sa.select(PoolSchema.id, PoolSchema.schema_name).order_by(PoolSchema.id).limit(1)
            if keep_revision is not None:
                query = query.where(
                    sa.not_(
                        sa.and_(
                            PoolSchema.revision == keep_revision, PoolSchema.app_role.is_not_distinct_from(keep_role)
                        )
                    )
                )
            row = conn.execute(query.with_for_update(skip_locked=True)).first()
            if row is None:
                return dropped
            _drop_pool_schema(conn, row.schema_name)
            conn.execute(sa.delete(PoolSchema).where(PoolSchema.id == row.id))
        dropped += 1


@dataclass
class PoolMigrationReport:
    """What the migration runner did to the pool."""

    upgraded: list[str] = field(default_factory=list)
    dropped: dict[str, str] = field(default_factory=dict)


def migrate_pool(owner: Engine, *, script: ScriptDirectory, target: str, app_role: str | None) -> PoolMigrationReport:
    """Bring every pool schema not at `target` to it; one that cannot be upgraded (or has the wrong grants) is dropped.

    Each schema is one transaction holding its pool row `FOR UPDATE` (a concurrent claim skips it; a claim by
    code at the old head simply finds nothing and builds cold). Like stores, a schema whose path can be replayed
    gets the once-rendered upgrade in one round trip, guarded by its own version stamp
    (`tenants.schema_upgrade.replay_statements`); the others go through Alembic online.
    """
    report = PoolMigrationReport()
    seen: set[int] = set()
    while True:
        with owner.connect() as conn:
            outer = conn.begin()
            row = conn.execute(
                sa.select(PoolSchema.id, PoolSchema.schema_name, PoolSchema.revision, PoolSchema.app_role)
                .where(
                    sa.or_(PoolSchema.revision != target, PoolSchema.app_role.is_distinct_from(app_role)),
                    PoolSchema.id.not_in(seen) if seen else sa.true(),
                )
                .order_by(PoolSchema.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                outer.rollback()
                return report
            seen.add(row.id)
            name = row.schema_name
            reason = None
            if row.app_role != app_role:
                reason = f"grants for role {row.app_role!r}, not {app_role!r}"
            else:
                savepoint = conn.begin_nested()
                try:
                    rendered = rendered_upgrade(script, row.revision, target)
                    if rendered is not None:
                        grants = table_grant_statements(name, app_role) if app_role else []
                        update = (
                            f"UPDATE {_quote(conn, SHARED_SCHEMA)}.schema_pool "
                            f"SET revision = '{_checked_revision(target)}' WHERE id = {int(row.id)}"
                        )
                        batch = [*replay_statements(name, row.revision, rendered), *grants, update]
                        run_statements(conn.connection.driver_connection, batch)
                    else:
                        upgrade_schema(conn, name, script=script, target=target, app_role=None)
                        if app_role:
                            for statement in table_grant_statements(name, app_role):
                                conn.exec_driver_sql(statement)
                        conn.execute(sa.update(PoolSchema).where(PoolSchema.id == row.id).values(revision=target))
                    savepoint.commit()
                except Exception as exc:  # a stale schema we cannot bring forward is thrown away, never handed out
                    savepoint.rollback()
                    reason = f"{type(exc).__name__}: {exc}"[:500]
            if reason is None:
                outer.commit()
                report.upgraded.append(name)
                continue
            log.warning("dropping pool schema %s: %s", name, reason)
            _drop_pool_schema(conn, name)
            conn.execute(sa.delete(PoolSchema).where(PoolSchema.id == row.id))
            outer.commit()
            report.dropped[name] = reason
