"""Migrating every store schema with Alembic's store environment.

The runner reads the registry, skips stores whose recorded revision is already head (without touching their
schemas), and upgrades the rest with a few workers, one connection each. Each store is one transaction under an
advisory lock: a store is either fully at the new revision or untouched. Failures are recorded on the store and
the runner moves on; running it again resumes where it stopped.

How one store is upgraded (render once, replay per schema; Alembic online where that cannot be done) is in
`tenants.schema_upgrade`; the worker processes' side is `tenants.migration_worker`.
"""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from database.statements import run_statements
from models import Store, StoreStatus
from tenants import migration_worker
from tenants.pool import migrate_pool
from tenants.schema_upgrade import (
    default_store_script,
    migrate_store_online,
    rendered_upgrade,
    store_batch,
    store_config,
    store_head,
)

log = logging.getLogger(__name__)

# Stores per worker task: large enough that inter-process overhead vanishes, small enough for steady progress.
MAX_CHUNK = 50


def replay_store(
    engine: Engine,
    store_id: int,
    schema: str,
    from_rev: str,
    target: str,
    rendered: Sequence[str],
    app_role: str | None,
) -> str | None:
    """Upgrade one store by replaying `rendered`, one transaction, one pipeline; returns an error message or None."""
    try:
        batch = store_batch(store_id, schema, from_rev, target, rendered, app_role)
        with engine.connect() as conn, conn.begin():
            run_statements(conn.connection.driver_connection, batch)
        return None
    except Exception as exc:  # one store's failure must not stop the others
        return _error(exc)


_error = migration_worker.error_message


@dataclass
class MigrationReport:
    """What a run of the migration runner did."""

    target: str
    upgraded: list[str] = field(default_factory=list)
    already_current: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    # Warm-pool schemas (full runs only): brought to the target, or dropped when they could not be.
    pool_upgraded: list[str] = field(default_factory=list)
    pool_dropped: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


def stores_to_migrate(
    owner: Engine, target: str, store_ids: Sequence[int] | None = None
) -> tuple[list[tuple[int, str, str | None]], int]:
    """(store id, schema, recorded revision) of every provisioned store not recorded at `target`, and how many are.

    `store_ids` limits the run to those stores (an operator fixing a few, or a test).
    """
    query = (
        sa.select(Store.id, Store.schema_name, Store.schema_revision)
        .where(Store.status.in_([StoreStatus.READY.value, StoreStatus.SUSPENDED.value]))
        .order_by(Store.id)
    )
    if store_ids is not None:
        query = query.where(Store.id.in_(list(store_ids)))
    with owner.connect() as conn:
        rows = conn.execute(query).all()
    todo = [(r.id, r.schema_name, r.schema_revision) for r in rows if r.schema_revision != target]
    return todo, len(rows) - len(todo)


@dataclass(frozen=True)
class _Chunk:
    """Stores recorded at the same revision, migrated by one task: replayed when `rendered` is set, else online."""

    from_rev: str | None
    rendered: tuple[str, ...] | None
    stores: tuple[tuple[int, str], ...]


def _migrate_chunk(
    engine: Engine,
    script: Callable[[], ScriptDirectory],
    target: str,
    chunk: _Chunk,
    app_role: str | None,
) -> list[str | None]:
    """Migrate a chunk's stores one after another (each its own transaction); one error message or None per store."""
    results: list[str | None] = []
    for store_id, schema in chunk.stores:
        if chunk.rendered is not None and chunk.from_rev is not None:
            results.append(replay_store(engine, store_id, schema, chunk.from_rev, target, chunk.rendered, app_role))
            continue
        try:
            migrate_store_online(engine, script(), target, store_id, schema, app_role)
            results.append(None)
        except Exception as exc:  # one store's failure must not stop the others
            results.append(_error(exc))
    return results


def _chunks(
    script: ScriptDirectory, target: str, todo: Sequence[tuple[int, str, str | None]], workers: int
) -> list[_Chunk]:
    """Group stores by recorded revision (one rendering per group) and cut the groups into worker tasks."""
    groups: dict[str | None, list[tuple[int, str]]] = {}
    for store_id, schema, revision in todo:
        groups.setdefault(revision, []).append((store_id, schema))
    # A few tasks per worker keep both busy to the end and progress steady; one task per store would cost a
    # pickled round trip between processes for each.
    size = max(1, min(MAX_CHUNK, math.ceil(len(todo) / (max(workers, 1) * 4))))
    chunks = []
    for revision, stores in groups.items():
        rendered = rendered_upgrade(script, revision, target)
        for i in range(0, len(stores), size):
            chunks.append(_Chunk(revision, rendered, tuple(stores[i : i + size])))
    return chunks


def migrate_all_stores(
    owner: Engine,
    *,
    workers: int = 2,
    app_role: str | None = None,
    extra_version_locations: Sequence[str | Path] = (),
    store_ids: Sequence[int] | None = None,
    on_progress: Callable[[str, bool], None] | None = None,
) -> MigrationReport:
    """Upgrade every store schema not at head; failures are recorded and reported, the rest carry on.

    Stores are grouped by the revision the registry records; each group's upgrade is rendered once and replayed on
    each of its stores in one round trip (or run through Alembic online when it cannot be, see the module doc).
    With more than one worker, stores are migrated by that many worker processes, one connection each, in chunks.
    A full run (no `store_ids`) also brings the warm pool's schemas to the target first, or drops those it cannot,
    so no claim ever hands out a schema behind head (claims only take schemas recorded at the claiming code's head).
    """
    extra = tuple(str(p) for p in extra_version_locations)
    script = ScriptDirectory.from_config(store_config(extra)) if extra else default_store_script()
    target = store_head(script)
    report = MigrationReport(target=target)
    # Read before the pool is migrated, so worker processes can be spawned while it is (the pool touches no store).
    todo, report.already_current = stores_to_migrate(owner, target, store_ids)
    parallel = workers > 1 and len(todo) > 1
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(_worker_pool(owner, min(workers, len(todo)), extra)) if parallel else None
        if store_ids is None:
            pool_report = migrate_pool(owner, script=script, target=target, app_role=app_role)
            report.pool_upgraded, report.pool_dropped = pool_report.upgraded, pool_report.dropped
        chunks = _chunks(script, target, todo, workers)

        def finish(store_id: int, schema: str, error: str | None) -> None:
            if error is None:
                report.upgraded.append(schema)
            else:
                log.error("migrating %s failed: %s", schema, error)
                report.failed[schema] = error
                with owner.begin() as conn:
                    conn.execute(sa.update(Store).where(Store.id == store_id).values(last_error=error))
            if on_progress:
                on_progress(schema, error is None)

        if pool is None:
            for chunk in chunks:
                errors = _migrate_chunk(owner, lambda: script, target, chunk, app_role)
                for (store_id, schema), error in zip(chunk.stores, errors, strict=True):
                    finish(store_id, schema, error)
            return report

        futures = {}
        for chunk in chunks:
            if chunk.rendered is None or chunk.from_rev is None:
                futures[pool.submit(migration_worker.online, target, list(chunk.stores), app_role)] = chunk
                continue
            # The parent writes every store's whole batch: a replaying worker needs nothing but a connection.
            replayed, batches = [], []
            for store_id, schema in chunk.stores:
                try:
                    batch = store_batch(store_id, schema, chunk.from_rev, target, chunk.rendered, app_role)
                except ValueError as exc:  # a registry row the runner must not write SQL for
                    finish(store_id, schema, _error(exc))
                    continue
                replayed.append((store_id, schema))
                batches.append((store_id, batch))
            if batches:
                futures[pool.submit(migration_worker.replay, batches)] = replace(chunk, stores=tuple(replayed))
        for future in as_completed(futures):
            chunk = futures[future]
            try:
                errors = future.result()
            except Exception as exc:  # a worker process died mid-chunk: some of its stores may have committed
                errors = _after_lost_chunk(owner, chunk, target, _error(exc))
            for (store_id, schema), error in zip(chunk.stores, errors, strict=True):
                finish(store_id, schema, error)
    return report


@contextlib.contextmanager
def _worker_pool(owner: Engine, workers: int, extra: tuple[str, ...]) -> Iterator[ProcessPoolExecutor]:
    """`workers` spawned processes (no inherited connections, handles or atexit hooks), started at once; all of them
    are ended and reaped when the block is left, however it is left (and end by themselves should this process die
    without leaving it, see `tenants.migration_worker`)."""
    url = owner.url.render_as_string(hide_password=False)
    # The driver's own keyword arguments for this URL (what the dialect would pass to psycopg.connect), minus the
    # in-process adapter map.
    _args, kwargs = owner.dialect.create_connect_args(owner.url)
    kwargs = {k: v for k, v in kwargs.items() if isinstance(v, str | int)}
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=migration_worker.init,
        initargs=(kwargs, url, extra, os.getpid()),
    )
    try:
        for _ in range(workers):  # each submit while none is idle spawns one more process
            pool.submit(migration_worker.warm_up)
        yield pool
    finally:
        # Left with every result in, the workers sit idle, their stores committed: terminating them costs nothing,
        # where letting each interpreter wind down costs a part of a second. Left on an error or Ctrl-C, the chunks
        # in flight are abandoned, not waited for: their stores' transactions roll back.
        _stop_workers(pool)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate the pool's processes at once and reap them; a store a worker was migrating is rolled back."""
    # No public way to reach an executor's processes before Python 3.14 (`terminate_workers`). All of ours exist
    # by now: with spawn, the executor starts them in `submit`, in this thread.
    processes = list((pool._processes or {}).values())
    # Not waiting here for the executor's own thread: it winds down once its processes are gone.
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()


def _after_lost_chunk(owner: Engine, chunk: _Chunk, target: str, error: str) -> list[str | None]:
    """What became of a chunk whose worker died: the registry says which stores committed before it did."""
    with owner.connect() as conn:
        done = set(
            conn.scalars(
                sa.select(Store.id).where(Store.id.in_([s for s, _ in chunk.stores]), Store.schema_revision == target)
            )
        )
    return [None if store_id in done else error for store_id, _ in chunk.stores]
