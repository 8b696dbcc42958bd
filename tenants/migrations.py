"""Migrating every store schema with Alembic's store environment.

The runner reads the registry, skips stores whose recorded revision is already head (without touching their
schemas), and upgrades the rest with a few workers, one connection each. Each store is one transaction under an
advisory lock: a store is either fully at the new revision or untouched. Failures are recorded on the store and
the runner moves on; running it again resumes where it stopped.

Render once, replay per schema. Store migrations never name a schema, so the SQL of a path (from the revision the
registry records for a store, to the target) is the same for every store on it: it is rendered once with Alembic's
offline mode (`rendered_upgrade`, cached per script and path) and sent to each store as one batch in one round trip
(`store_batch`): the advisory lock, `SET LOCAL search_path`, a guard that the schema's own `alembic_version` is the
revision the registry records (a mismatch fails that store with a clear error and leaves it untouched), the DDL with
its `alembic_version` update, the app role's grants and the registry update. Running Alembic online for each store
instead costs a dozen round trips and its reflection queries per store.

Alembic's online path (`upgrade_schema`) is kept for what cannot be replayed:
- a store whose recorded revision is missing or unknown to the script (it reads the schema's real version);
- a path through a revision that needs the database while it runs (reads rows, decides from data): such a revision
  opts out with a module-level `REPLAY = False` (see migrations/store/script.py.mako); a path that cannot be
  rendered offline falls back to the online route as well, with a warning.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import math
import multiprocessing
import re
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.dialects import postgresql

from config import SHARED_SCHEMA
from models import Store, StoreStatus
from tenants import migration_worker
from tenants.ddl import grant_statements
from tenants.naming import is_pool_schema, is_store_schema

log = logging.getLogger(__name__)

STORE_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "store"
# Advisory-lock namespace for store migrations (first key of the two-int lock), so it cannot collide with others.
LOCK_NAMESPACE = 7301
# A store revision opts out of render-once replay with `REPLAY = False` at module level (it then runs online).
REPLAY_FLAG = "REPLAY"
# Revision ids written into replayed SQL as literals: Alembic's generated ids and our hand-written ones.
REVISION_RE = re.compile(r"^[A-Za-z0-9_]{1,32}$")
# Stores per worker task: large enough that inter-process overhead vanishes, small enough for steady progress.
MAX_CHUNK = 50


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


# The rendered SQL of each (from, target) path, per script (a script with extra version folders is another one).
_rendered: weakref.WeakKeyDictionary[ScriptDirectory, dict[tuple[str, str], str | None]] = weakref.WeakKeyDictionary()


def _offline_dialect():
    # Named paramstyle, as Alembic's offline template uses: the psycopg dialect's own pyformat would double the `%`
    # of every literal in the rendered text, and the text is sent without parameters.
    return postgresql.psycopg.dialect(paramstyle="named")


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def replay_opt_out(script: ScriptDirectory, from_rev: str, target: str) -> str | None:
    """The first revision on the path from `from_rev` to `target` that asks to run online (`REPLAY = False`), if any."""
    for step in script._upgrade_revs(target, from_rev):
        module = step.revision.module
        if not getattr(module, REPLAY_FLAG, True):
            return step.revision.revision
    return None


def rendered_upgrade(script: ScriptDirectory, from_rev: str | None, target: str) -> str | None:
    """The SQL that upgrades a store schema from `from_rev` to `target`, with unqualified names, rendered once.

    Includes the `alembic_version` update; no transaction control, no search_path. None when that path must run
    through Alembic online: unknown or missing `from_rev`, a revision flagged `REPLAY = False`, or a revision that
    cannot be rendered offline (it reads the database). Cached per script and path.
    """
    if from_rev is None or from_rev == target or not REVISION_RE.fullmatch(from_rev):
        return None
    cache = _rendered.setdefault(script, {})
    key = (from_rev, target)
    if key not in cache:
        cache[key] = _render(script, from_rev, target)
    return cache[key]


def _render(script: ScriptDirectory, from_rev: str, target: str) -> str | None:
    try:
        opted_out = replay_opt_out(script, from_rev, target)
    except Exception as exc:  # not on the script's history (a registry ahead of this code, a typo): run online
        log.warning("no replay from %s to %s: %s", from_rev, target, exc)
        return None
    if opted_out is not None:
        log.info("revision %s runs online (REPLAY = False): stores at %s migrate through Alembic", opted_out, from_rev)
        return None
    buf = io.StringIO()

    def upgrade(rev, _context):
        return script._upgrade_revs(target, rev)

    ctx = MigrationContext.configure(
        dialect=_offline_dialect(),
        opts={
            "as_sql": True,
            "output_buffer": buf,
            "script": script,
            "fn": upgrade,
            "starting_rev": from_rev,
            # The caller owns the transaction: no BEGIN/COMMIT in the text.
            "transactional_ddl": False,
            "literal_binds": True,
            "version_table": "alembic_version",
        },
    )
    try:
        with Operations.context(ctx):
            ctx.run_migrations()
    except Exception as exc:  # e.g. a revision reading rows through op.get_bind(): only the online path can run it
        log.warning(
            "cannot render %s -> %s offline (%s: %s); those stores migrate online",
            from_rev,
            target,
            type(exc).__name__,
            exc,
        )
        return None
    return buf.getvalue().strip()


def replay_statements(schema: str, from_rev: str, rendered: str) -> str:
    """search_path, the version guard and the rendered upgrade for one schema, as one `;`-separated text.

    The guard raises (and so aborts the caller's transaction before any DDL) unless the schema exists and its own
    `alembic_version` holds exactly `from_rev`: the registry and the schema can disagree (a restore, a hand fix), and
    replaying a path from the wrong revision would corrupt the schema.
    """
    if not (is_store_schema(schema) or is_pool_schema(schema)):
        raise ValueError(f"not a store schema: {schema!r}")
    if not REVISION_RE.fullmatch(from_rev):
        raise ValueError(f"unexpected revision id {from_rev!r}")
    quoted = _offline_dialect().identifier_preparer.quote(schema)
    name, rev = _literal(schema), _literal(from_rev)
    guard = f"""DO $loupe_guard$
DECLARE v text;
BEGIN
  IF current_schema() IS DISTINCT FROM {name} THEN
    RAISE EXCEPTION 'schema % does not exist', {name};
  END IF;
  IF to_regclass('alembic_version') IS NULL THEN
    RAISE EXCEPTION 'schema % has no alembic_version table (registry records %): not migrated', {name}, {rev};
  END IF;
  SELECT string_agg(version_num, ', ' ORDER BY version_num) INTO v FROM alembic_version;
  IF v IS DISTINCT FROM {rev} THEN
    RAISE EXCEPTION 'schema % is at revision % by its alembic_version, but the registry records %: not migrated',
      {name}, coalesce(v, 'none'), {rev};
  END IF;
END
$loupe_guard$"""
    # SET LOCAL ends with the transaction, so the unqualified names of the rendered SQL land in this schema only.
    return f"SET LOCAL search_path TO {quoted};\n{guard};\n{rendered}"


def store_batch(store_id: int, schema: str, from_rev: str, target: str, rendered: str, app_role: str | None) -> str:
    """Everything one store's replayed upgrade sends, in one round trip, inside the caller's transaction."""
    if not REVISION_RE.fullmatch(target):
        raise ValueError(f"unexpected revision id {target!r}")
    parts = [
        f"SELECT pg_advisory_xact_lock({LOCK_NAMESPACE}, {int(store_id)})",
        replay_statements(schema, from_rev, rendered),
    ]
    if app_role:
        parts.extend(grant_statements(schema, app_role))
    stores = _offline_dialect().identifier_preparer.quote(SHARED_SCHEMA)
    parts.append(
        f"UPDATE {stores}.stores SET schema_revision = {_literal(target)}, last_error = NULL WHERE id = {int(store_id)}"
    )
    return ";\n".join(part.rstrip().rstrip(";") for part in parts) + ";"


def replay_store(
    engine: Engine, store_id: int, schema: str, from_rev: str, target: str, rendered: str, app_role: str | None
) -> str | None:
    """Upgrade one store by replaying `rendered`, one transaction, one batch; returns an error message or None."""
    try:
        batch = store_batch(store_id, schema, from_rev, target, rendered, app_role)
        with engine.connect() as conn, conn.begin():
            # The driver's own execute: without parameters psycopg runs every `;`-separated statement of the text.
            conn.connection.driver_connection.execute(batch)
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


def _migrate_one(
    engine: Engine, script: ScriptDirectory, target: str, store_id: int, schema: str, app_role: str | None
) -> str | None:
    """Upgrade one store through Alembic online, in its own transaction under its advisory lock; returns an error
    message or None."""
    try:
        with engine.connect() as conn, conn.begin():
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_NAMESPACE, store_id)))
            upgrade_schema(conn, schema, script=script, target=target, app_role=app_role)
            conn.execute(sa.update(Store).where(Store.id == store_id).values(schema_revision=target, last_error=None))
        return None
    except Exception as exc:  # one store's failure must not stop the others
        return _error(exc)


@dataclass(frozen=True)
class _Chunk:
    """Stores recorded at the same revision, migrated by one task: replayed when `rendered` is set, else online."""

    from_rev: str | None
    rendered: str | None
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
        else:
            results.append(_migrate_one(engine, script(), target, store_id, schema, app_role))
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
            from tenants.pool import migrate_pool  # imports this module

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
    """`workers` spawned processes (no inherited connections, handles or atexit hooks), started at once."""
    url = owner.url.render_as_string(hide_password=False)
    # The driver's own keyword arguments for this URL (what the dialect would pass to psycopg.connect), minus the
    # in-process adapter map.
    _args, kwargs = owner.dialect.create_connect_args(owner.url)
    kwargs = {k: v for k, v in kwargs.items() if isinstance(v, str | int)}
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=migration_worker.init, initargs=(kwargs, url, extra)
    )
    try:
        for _ in range(workers):  # each submit while none is idle spawns one more process
            pool.submit(migration_worker.warm_up)
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    # Every store's result is in and committed: the workers close their connections and exit on their own (an
    # interpreter's teardown takes a good part of a second), the executor reaps them in the background.
    pool.shutdown(wait=False)


def _after_lost_chunk(owner: Engine, chunk: _Chunk, target: str, error: str) -> list[str | None]:
    """What became of a chunk whose worker died: the registry says which stores committed before it did."""
    with owner.connect() as conn:
        done = set(
            conn.scalars(
                sa.select(Store.id).where(Store.id.in_([s for s, _ in chunk.stores]), Store.schema_revision == target)
            )
        )
    return [None if store_id in done else error for store_id, _ in chunk.stores]
