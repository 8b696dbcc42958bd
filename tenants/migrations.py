"""Migrating every store schema with Alembic's store environment.

The runner reads the registry, skips stores whose recorded revision is already head (without touching their
schemas), and upgrades the rest with a few workers, one connection each. Each store is one transaction under an
advisory lock: a store is either fully at the new revision or untouched. Failures are recorded on the store and
the runner moves on; running it again resumes where it stopped.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from models import Store, StoreStatus
from tenants.ddl import grant_statements
from tenants.naming import is_pool_schema, is_store_schema

log = logging.getLogger(__name__)

STORE_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "store"
# Advisory-lock namespace for store migrations (first key of the two-int lock), so it cannot collide with others.
LOCK_NAMESPACE = 7301


def store_config(extra_version_locations: Sequence[str | Path] = ()) -> Config:
    """Alembic config of the store environment (optionally with extra version folders, for tests)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(STORE_MIGRATIONS))
    locations = [str(STORE_MIGRATIONS / "versions"), *map(str, extra_version_locations)]
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    return cfg


@functools.cache
def default_store_script() -> ScriptDirectory:
    return ScriptDirectory.from_config(store_config())


def store_head(script: ScriptDirectory | None = None) -> str:
    """The head revision of the store migrations."""
    head = (script or default_store_script()).get_current_head()
    if head is None:
        raise RuntimeError("the store migrations have no head revision")
    return head


def upgrade_schema(
    conn: Connection, schema: str, *, script: ScriptDirectory, target: str, app_role: str | None
) -> tuple[str | None, str]:
    """Upgrade one store (or warm-pool) schema to `target` inside the caller's transaction; returns (before, after)."""
    if not (is_store_schema(schema) or is_pool_schema(schema)):
        raise ValueError(f"not a store schema: {schema!r}")
    quoted = conn.dialect.identifier_preparer.quote(schema)
    # SET LOCAL ends with the transaction; the translate map covers metadata-based operations as well.
    conn.exec_driver_sql(f"SET LOCAL search_path TO {quoted}")
    conn.execution_options(schema_translate_map={None: schema})

    def upgrade(rev, _context):
        return script._upgrade_revs(target, rev)

    ctx = MigrationContext.configure(
        conn, opts={"script": script, "fn": upgrade, "transactional_ddl": True, "version_table": "alembic_version"}
    )
    before = ctx.get_current_revision()
    if before != target:
        with Operations.context(ctx):
            ctx.run_migrations()
        if app_role:
            for statement in grant_statements(schema, app_role):
                conn.exec_driver_sql(statement)
    return before, target


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
) -> tuple[list[tuple[int, str]], int]:
    """(store id, schema) of every provisioned store not recorded at `target`, and how many already are.

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
    todo = [(r.id, r.schema_name) for r in rows if r.schema_revision != target]
    return todo, len(rows) - len(todo)


def _migrate_one(
    engine: Engine, script: ScriptDirectory, target: str, store_id: int, schema: str, app_role: str | None
) -> str | None:
    """Upgrade one store in its own transaction under its advisory lock; returns an error message or None."""
    try:
        with engine.connect() as conn, conn.begin():
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_NAMESPACE, store_id)))
            upgrade_schema(conn, schema, script=script, target=target, app_role=app_role)
            conn.execute(sa.update(Store).where(Store.id == store_id).values(schema_revision=target, last_error=None))
        return None
    except Exception as exc:  # one store's failure must not stop the others
        return f"{type(exc).__name__}: {exc}"[:2000]


# Worker processes: Alembic's `op` proxy is a module global, so two migrations may never run in threads of
# one process (one would issue its DDL on the other's connection). Each worker process has its own engine.
_worker: dict[str, object] = {}


def _init_worker(url: str, extra_locations: tuple[str, ...]) -> None:
    _worker["engine"] = sa.create_engine(url, pool_size=1, max_overflow=0)
    _worker["script"] = ScriptDirectory.from_config(store_config(extra_locations))


def _run_in_worker(target: str, store_id: int, schema: str, app_role: str | None) -> str | None:
    return _migrate_one(_worker["engine"], _worker["script"], target, store_id, schema, app_role)  # type: ignore[arg-type]


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

    With more than one worker, stores are migrated by that many worker processes, one connection each. A full run
    (no `store_ids`) also brings the warm pool's schemas to the target first, or drops those it cannot, so no
    claim ever hands out a schema behind head (claims only take schemas recorded at the claiming code's head).
    """
    extra = tuple(str(p) for p in extra_version_locations)
    script = ScriptDirectory.from_config(store_config(extra)) if extra else default_store_script()
    target = store_head(script)
    report = MigrationReport(target=target)
    if store_ids is None:
        from tenants.pool import migrate_pool  # imports this module

        pool_report = migrate_pool(owner, script=script, target=target, app_role=app_role)
        report.pool_upgraded, report.pool_dropped = pool_report.upgraded, pool_report.dropped
    todo, report.already_current = stores_to_migrate(owner, target, store_ids)

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

    if workers <= 1 or len(todo) <= 1:
        for store_id, schema in todo:
            finish(store_id, schema, _migrate_one(owner, script, target, store_id, schema, app_role))
        return report

    url = owner.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")  # no inherited connections, handles or atexit hooks
    with ProcessPoolExecutor(
        max_workers=min(workers, len(todo)), mp_context=context, initializer=_init_worker, initargs=(url, extra)
    ) as pool:
        futures = {
            pool.submit(_run_in_worker, target, store_id, schema, app_role): (store_id, schema)
            for store_id, schema in todo
        }
        for future in as_completed(futures):
            store_id, schema = futures[future]
            try:
                error = future.result()
            except Exception as exc:  # a worker process died: record it like any other failure
                error = f"{type(exc).__name__}: {exc}"[:2000]
            finish(store_id, schema, error)
    return report
