"""Pooled connections are pinged only after standing idle (database.engines.ping_stale_connections, issue #22)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from database.engines import _engine


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(owner, pid: int) -> None:
    with owner.connect() as conn:
        # The cast: Citus adds a pg_terminate_backend(bigint) beside PostgreSQL's (integer).
        stop = sa.text("SELECT pg_terminate_backend(CAST(:pid AS integer))")
        assert conn.execute(stop, {"pid": pid}).scalar_one()


def _url(engines) -> str:
    return engines.owner.url.render_as_string(hide_password=False)


def test_an_idle_connection_whose_server_went_away_is_replaced_before_use(engines):
    engine = _engine(_url(engines), pool_size=1, max_overflow=0, ping_after=0)
    try:
        first = _backend_pid(engine)
        _terminate(engines.owner, first)
        second = _backend_pid(engine)  # pinged, found dead, replaced: the request never sees the error
        assert second != first
    finally:
        engine.dispose()


def test_a_connection_used_a_moment_ago_is_handed_out_without_a_round_trip(engines):
    engine = _engine(_url(engines), pool_size=1, max_overflow=0, ping_after=3600)
    try:
        first = _backend_pid(engine)
        _terminate(engines.owner, first)
        # Not pinged (it was in use within the window): the dead connection shows on first use, once...
        with pytest.raises(sa.exc.OperationalError):
            _backend_pid(engine)
        # ... and the pool replaced it.
        assert _backend_pid(engine) != first
    finally:
        engine.dispose()
