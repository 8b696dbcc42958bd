"""A `limits` storage in PostgreSQL, so every web worker (and every machine) counts against the same limits.

`limits` (behind Flask-Limiter) ships Redis, Memcached and MongoDB storages but none for PostgreSQL; the
database every worker already shares is enough for the few unauthenticated routes that are limited. Only the
fixed-window strategy is supported: it needs `incr`, `get` and `get_expiry`.

Each hit is one atomic upsert in its own short transaction on the app engine, never the request's: a refused
request (429 or any other refusal) rolls its own transaction back, and its hit must still count.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.engine import Engine

from config import SHARED_SCHEMA

TABLE = f"{SHARED_SCHEMA}.rate_limit_counters"

# One hit in this many also deletes expired rows (a bounded batch), so the table holds about the live windows
# without a cron job; the expires_at index keeps that cheap.
PURGE_ONE_HIT_IN = 50
PURGE_BATCH = 1000

_INCR = sa.text(
    f"""
    INSERT INTO {TABLE} AS c (key, hits, expires_at)
    VALUES (:key, :amount, now() + make_interval(secs => :expiry))
    ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN c.expires_at <= now() THEN excluded.hits ELSE c.hits + excluded.hits END,
        expires_at = CASE WHEN c.expires_at <= now() THEN excluded.expires_at ELSE c.expires_at END
    RETURNING hits
    """
)
_GET = sa.text(f"SELECT hits FROM {TABLE} WHERE key = :key AND expires_at > now()")
_EXPIRY = sa.text(f"SELECT extract(epoch FROM expires_at) FROM {TABLE} WHERE key = :key AND expires_at > now()")
_PURGE = sa.text(
    f"DELETE FROM {TABLE} WHERE key IN (SELECT key FROM {TABLE} WHERE expires_at <= now() LIMIT {PURGE_BATCH})"
)


class PostgresStorage(Storage):
    """Counters in `loupe.rate_limit_counters`. Built by `limits.storage.storage_from_string("loupe+postgresql://",
    engine=...)`, where `engine` is a callable returning the engine to use (called on each use, so the app's
    database can still be reached lazily, on first request)."""

    STORAGE_SCHEME = ["loupe+postgresql"]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        engine: Callable[[], Engine] | None = None,
        **options,
    ) -> None:
        if engine is None:
            raise ValueError("PostgresStorage needs engine=<callable returning an Engine>")
        self._engine = engine
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the counter of `key` (a new window of `expiry` seconds when none is open); the new count."""
        with self._engine().begin() as conn:
            hits = conn.execute(_INCR, {"key": key, "amount": amount, "expiry": float(expiry)}).scalar_one()
            if random.randrange(PURGE_ONE_HIT_IN) == 0:
                conn.execute(_PURGE)
        return hits

    def get(self, key: str) -> int:
        """The count in the open window of `key` (0 when none is open)."""
        with self._engine().connect() as conn:
            return conn.execute(_GET, {"key": key}).scalar() or 0

    def get_expiry(self, key: str) -> float:
        """When the open window of `key` closes (epoch seconds); now when none is open."""
        with self._engine().connect() as conn:
            expiry = conn.execute(_EXPIRY, {"key": key}).scalar()
        return float(expiry) if expiry is not None else time.time()

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with self._engine().connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Delete every counter; how many there were."""
        with self._engine().begin() as conn:
            return conn.execute(sa.text(f"DELETE FROM {TABLE}")).rowcount

    def clear(self, key: str) -> None:
        """Delete the counter of `key`."""
        with self._engine().begin() as conn:
            conn.execute(sa.text(f"DELETE FROM {TABLE} WHERE key = :key"), {"key": key})
