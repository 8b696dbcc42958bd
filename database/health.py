"""Is this web process able to serve? The database answers and the job queue is reachable (issue #16, item 11).

Read by `GET /healthz` (a load balancer, Docker's HEALTHCHECK). Over the app engine, as requests run: the app role
with its empty search_path, never a store schema. Each statement has a short timeout, so a stuck database makes
the check fail quickly instead of holding a web worker. Nothing of the failure (driver message, host, URL) leaves
this module: it is logged here and the caller only learns which part failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from config import JOBS_SCHEMA

log = logging.getLogger(__name__)

# procrastinate's workers write a heartbeat every 10 s and count a worker as stalled after 30 s.
WORKER_HEARTBEAT_WINDOW_SECONDS = 60
STATEMENT_TIMEOUT_MS = 2000

# Local to the check's transaction, which ends when the connection goes back to the pool.
_TIMEOUT_SQL = sa.text("SELECT set_config('statement_timeout', :ms, true)")
# Reading procrastinate_jobs (through its small partial index of waiting jobs) proves the queue's schema is there and
# the app role may use it, which every request that writes a job needs; the heartbeat is the worker's sign of life.
_QUEUE_SQL = sa.text(
    f"SELECT EXISTS (SELECT FROM {JOBS_SCHEMA}.procrastinate_jobs WHERE status = 'todo') AS jobs_waiting,"
    f" EXISTS (SELECT FROM {JOBS_SCHEMA}.procrastinate_workers"
    f"  WHERE last_heartbeat > now() - make_interval(secs => :window)) AS worker_seen"
)


@dataclass(frozen=True)
class Health:
    """What the check found. `worker_seen` is None when the queue could not be read."""

    database: bool
    queue: bool
    worker_seen: bool | None = None

    @property
    def ok(self) -> bool:
        """Serving needs the database and the queue (requests write jobs); a worker being down does not stop
        the web from serving, so it is reported but does not fail the check."""
        return self.database and self.queue


def check(engine: Engine) -> Health:
    """Run both checks on one pooled connection of `engine`, in one transaction that is rolled back when the
    connection goes back to the pool (the timeout is local to it). Never raises for a database failure."""
    try:
        with engine.connect() as conn:
            conn.execute(_TIMEOUT_SQL, {"ms": str(STATEMENT_TIMEOUT_MS)})
            conn.execute(sa.text("SELECT 1")).scalar_one()
            try:
                row = conn.execute(_QUEUE_SQL, {"window": WORKER_HEARTBEAT_WINDOW_SECONDS}).one()
            except SQLAlchemyError:
                log.warning("health check: the job queue cannot be read", exc_info=True)
                return Health(database=True, queue=False)
            return Health(database=True, queue=True, worker_seen=bool(row.worker_seen))
    except SQLAlchemyError:
        log.warning("health check: the database does not answer", exc_info=True)
        return Health(database=False, queue=False)
