"""Worker processes of the store migration runner (`tenants.migrations.migrate_all_stores`).

Kept to psycopg and the standard library at import: workers are spawned (no inherited connections, handles or
atexit hooks), so each one imports what it runs, and importing the models, SQLAlchemy's ORM and Alembic costs a
spawned process a couple of seconds of CPU, longer than replaying a revision on hundreds of stores. A replayed store
arrives as its finished SQL batch (rendered in the parent, `tenants.schema_upgrade.store_batch`); only a chunk that
must go through Alembic online imports `tenants.schema_upgrade` (never the runner, which imports this module).

One connection per worker: the online path's engine and the replay path's connection are never open together.
Alembic's `op` proxy is a module global, which is why workers are processes and each runs one store at a time.

A worker never outlives the runner's process. The runner stops and reaps its workers on every way out of a run
(`tenants.migrations._worker_pool`); when it cannot (killed by SIGTERM or SIGKILL, crashed), each worker notices
that its parent is gone and exits: left alone it would wait for work forever, holding a database connection. It
watches `os.getppid()`, which changes the moment the runner dies (the worker is re-parented to init or a
subreaper), on any POSIX system, rather than:
- Linux's PR_SET_PDEATHSIG: Linux only, tied to the *thread* that started the worker rather than the process, and
  blind to a parent that died before it was set (so a getppid check is needed anyway);
- multiprocessing's parent sentinel (a pipe): no EOF while another process forked from the runner holds a copy of
  the pipe's write end.
Exiting drops the connection: the server rolls back the store's transaction, which leaves that store untouched.
"""

from __future__ import annotations

import os
from typing import Any

import psycopg

from database.processes import end_with_parent
from database.statements import run_statements

_state: dict[str, Any] = {}


def init(connect_kwargs: dict[str, Any], url: str, extra_locations: tuple[str, ...], runner_pid: int) -> None:
    """Process initializer: remember how to connect (nothing is opened until there is work); end with the runner."""
    _state.update(connect_kwargs=connect_kwargs, url=url, extra=extra_locations)
    # Ctrl-C at a terminal reaches the whole process group: the runner alone handles it, by stopping its workers.
    end_with_parent(runner_pid, ignore_sigint=True)


def warm_up() -> int:
    """A no-op task, submitted while the parent still has work of its own, so workers are spawned meanwhile."""
    return os.getpid()


def error_message(exc: BaseException) -> str:
    """How a store's failure is recorded (`stores.last_error`) and reported."""
    return f"{type(exc).__name__}: {exc}"[:2000]


def _connection() -> psycopg.Connection:
    engine = _state.pop("engine", None)
    if engine is not None:  # back from an online chunk: its connection goes before this one opens
        engine.dispose()
    conn = _state.get("conn")
    if conn is None or conn.closed or conn.broken:
        # No automatic prepared statements: every batch is different text, run once.
        conn = psycopg.connect(**_state["connect_kwargs"], prepare_threshold=None)
        _state["conn"] = conn
    return conn


def replay(batches: list[tuple[int, list[str]]]) -> list[str | None]:
    """Run each store's batch in its own transaction; an error message or None per store, in order."""
    results: list[str | None] = []
    for _store_id, batch in batches:
        try:
            conn = _connection()
            run_statements(conn, batch)  # one statement per query, one pipeline: one round trip
            conn.commit()
            results.append(None)
        except Exception as exc:  # one store's failure must not stop the others
            results.append(error_message(exc))
            _discard_transaction()
    return results


def _discard_transaction() -> None:
    conn = _state.get("conn")
    if conn is None or conn.closed:
        return
    try:
        conn.rollback()
    except Exception:  # a broken connection: the next store opens a new one
        conn.close()


def online(target: str, stores: list[tuple[int, str]], app_role: str | None) -> list[str | None]:
    """Migrate stores through Alembic online, one transaction each; an error message or None per store, in order."""
    import sqlalchemy as sa
    from alembic.script import ScriptDirectory

    from tenants.schema_upgrade import migrate_store_online, store_config

    conn = _state.pop("conn", None)
    if conn is not None:
        conn.close()
    if "engine" not in _state:
        _state["engine"] = sa.create_engine(_state["url"], pool_size=1, max_overflow=0)
    if "script" not in _state:
        _state["script"] = ScriptDirectory.from_config(store_config(_state["extra"]))
    results: list[str | None] = []
    for store_id, schema in stores:
        try:
            migrate_store_online(_state["engine"], _state["script"], target, store_id, schema, app_role)
            results.append(None)
        except Exception as exc:  # one store's failure must not stop the others
            results.append(error_message(exc))
    return results
