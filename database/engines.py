"""Engine construction and the database roles Loupe relies on.

Two roles: the owner (runs migrations and provisioning, owns every table) and the application role used by web
requests, which owns nothing and whose default search_path is an empty schema. A query that forgets its schema
then fails loudly instead of reading another store's rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from config import EMPTY_SCHEMA, JOBS_SCHEMA, SHARED_SCHEMA
from database import lazy_begin
from database.citus import plain_schemas_in_this_transaction
from tenants.binding import limit_stores_per_connection


@dataclass(frozen=True)
class Engines:
    """The owner engine (DDL) and the app engine (requests and jobs)."""

    owner: Engine
    app: Engine

    def dispose(self) -> None:
        self.app.dispose()
        self.owner.dispose()


# A connection used less than this long ago is handed out without a ping (issue #22: the ping was one round trip
# of every request). After a PostgreSQL restart, requests on connections returned within this window fail once
# (the pool then drops every connection of the old server); later ones are pinged and replaced.
PING_AFTER_SECONDS = 5.0


def _engine(
    url: str | URL,
    *,
    pool_size: int,
    max_overflow: int,
    transaction_pooler: bool = False,
    ping_after: float = PING_AFTER_SECONDS,
) -> Engine:
    engine = sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        # psycopg prepares a statement on its 5th run; the prepared statement lives on one server connection, and
        # a transaction-mode pooler sends the next transaction to whichever is free ("prepared statement _pg3_0
        # does not exist"). Behind one, every statement is sent whole.
        connect_args={"prepare_threshold": None} if transaction_pooler else {},
        pool_recycle=1800,
    )
    # Survive a PostgreSQL restart without restarting the app: connections idle for a while are pinged first.
    ping_stale_connections(engine, ping_after)
    return engine


def ping_stale_connections(engine: Engine, after_seconds: float) -> None:
    """Ping a pooled connection at checkout only when it has been idle `after_seconds` or more.

    SQLAlchemy's `pool_pre_ping` pings on every checkout; a busy worker's connection was in use a moment ago. A
    failed ping raises `DisconnectionError`, on which the pool replaces the connection and tries again.
    """

    @sa.event.listens_for(engine, "connect")
    def _connected(_dbapi_connection, record) -> None:
        record.info["loupe_idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        if record is not None:
            record.info["loupe_idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _ping_if_stale(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("loupe_idle_since")
        if idle_since is not None and time.monotonic() - idle_since < after_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # whatever the driver raises for a dead connection
            raise sa.exc.DisconnectionError(str(exc)) from exc


def app_url_for(owner_url: str | URL, role: str) -> URL:
    """The app role's URL on the same server: same host and database, another user, no password (local trust).

    Used for the embedded server; a real deployment sets DATABASE_APP_URL instead.
    """
    return make_url(owner_url).set(username=role, password=None)


def make_engines(
    owner_url: str,
    app_url: str | URL | None,
    *,
    pool_size: int = 5,
    max_overflow: int = 5,
    stores_per_connection: int = 0,
    transaction_pooler: bool = False,
) -> Engines:
    """Create both engines; when `app_url` is None the owner URL serves requests too.

    `stores_per_connection` retires an app connection whose backend has served that many store schemas
    (`tenants.binding.limit_stores_per_connection`; 0: never). `transaction_pooler`: the app URL goes through a
    transaction-mode pooler (PgBouncer), so the app engine sends no server-side prepared statements.
    """
    owner = _engine(owner_url, pool_size=2, max_overflow=8)
    app = _engine(
        app_url or owner_url, pool_size=pool_size, max_overflow=max_overflow, transaction_pooler=transaction_pooler
    )
    limit_stores_per_connection(app, stores_per_connection)
    lazy_begin.install(app)
    return Engines(owner=owner, app=app)


def ensure_roles(owner: Engine, app_role: str) -> None:
    """Create the shared and empty schemas and the app role with only the rights it needs. Idempotent."""
    ident = sa.sql.quoted_name(app_role, quote=True)
    with owner.begin() as conn:
        prep = conn.dialect.identifier_preparer
        role = prep.quote(str(ident))
        plain_schemas_in_this_transaction(conn)  # on Citus: the shared schemas are never distributed
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {prep.quote(SHARED_SCHEMA)}")
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {prep.quote(EMPTY_SCHEMA)}")
        exists = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": app_role}).first()
        if not exists:
            conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        conn.exec_driver_sql(f"ALTER ROLE {role} SET search_path = {prep.quote(EMPTY_SCHEMA)}")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {prep.quote(SHARED_SCHEMA)} TO {role}")
        conn.exec_driver_sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        grant_shared_tables(conn, app_role)


def grant_shared_tables(conn: sa.Connection, app_role: str) -> None:
    """Give the app role DML on every shared table; the audit log stays append-only."""
    prep = conn.dialect.identifier_preparer
    role = prep.quote(app_role)
    schema = prep.quote(SHARED_SCHEMA)
    conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}")
    conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
    has_audit = conn.execute(sa.text("SELECT to_regclass(:t)"), {"t": f"{SHARED_SCHEMA}.audit_log"}).scalar()
    if has_audit:
        conn.exec_driver_sql(f"REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.audit_log FROM {role}")
    # The warm pool of unassigned store schemas is the owner's business (provisioning); requests never see it.
    grant_job_queue(conn, app_role)
    has_pool = conn.execute(sa.text("SELECT to_regclass(:t)"), {"t": f"{SHARED_SCHEMA}.schema_pool"}).scalar()
    if has_pool:
        conn.exec_driver_sql(f"REVOKE ALL ON {schema}.schema_pool FROM {role}")
        conn.exec_driver_sql(f"REVOKE ALL ON SEQUENCE {schema}.schema_pool_id_seq FROM {role}")


def grant_job_queue(conn: sa.Connection, app_role: str) -> None:
    """Let requests write jobs and read the queue (and the health check read the workers' heartbeats); writes go
    through the two owner-run functions (revision 0016)."""
    if not conn.execute(sa.text("SELECT to_regclass(:t)"), {"t": f"{JOBS_SCHEMA}.procrastinate_jobs"}).scalar():
        return
    prep = conn.dialect.identifier_preparer
    role = prep.quote(app_role)
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {JOBS_SCHEMA} TO {role}")
    # procrastinate_workers (ids and heartbeats only): the health check reports whether a worker is alive.
    tables = ", ".join(
        f"{JOBS_SCHEMA}.{table}" for table in ("procrastinate_jobs", "procrastinate_events", "procrastinate_workers")
    )
    conn.exec_driver_sql(f"GRANT SELECT ON {tables} TO {role}")
    conn.exec_driver_sql(
        f"GRANT EXECUTE ON FUNCTION {JOBS_SCHEMA}.procrastinate_defer_jobs_v1"
        f"({JOBS_SCHEMA}.procrastinate_job_to_defer_v1[]) TO {role}"
    )
    conn.exec_driver_sql(
        f"GRANT EXECUTE ON FUNCTION {JOBS_SCHEMA}.procrastinate_retry_job_v2(bigint, timestamp with time zone, "
        f"integer, character varying, character varying) TO {role}"
    )
