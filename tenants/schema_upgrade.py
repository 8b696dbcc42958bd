"""Upgrading one store (or warm-pool) schema: the store environment, Alembic online, and render once, replay per schema.

Shared by the migration runner (`tenants.migrations`), its worker processes (`tenants.migration_worker`) and the
warm pool (`tenants.pool`); it imports none of them, so the three depend on it and not on each other.

Render once, replay per schema. Store migrations never name a schema, so the SQL of a path (from the revision the
registry records for a store, to the target) is the same for every store on it: it is rendered once with Alembic's
offline mode (`rendered_upgrade`, cached per script and path, one item per statement) and sent to each store as one
batch in one round trip (`store_batch`: one statement per query, all in one pipeline, see `database.statements`):
the advisory lock, `SET LOCAL search_path`, a guard that the schema's own `alembic_version` is the revision the
registry records (a mismatch fails that store with a clear error and leaves it untouched), the DDL with
its `alembic_version` update, the app role's grants and the registry update. Running Alembic online for each store
instead costs a dozen round trips and its reflection queries per store.

Alembic's online path (`upgrade_schema`, `migrate_store_online`) is kept for what cannot be replayed:
- a store whose recorded revision is missing or unknown to the script (it reads the schema's real version);
- a path through a revision that needs the database while it runs (reads rows, decides from data): such a revision
  opts out with a module-level `REPLAY = False` (see migrations/store/script.py.mako); a path that cannot be
  rendered offline falls back to the online route as well, with a warning.
"""

from __future__ import annotations

import functools
import io
import logging
import re
import weakref
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.dialects import postgresql

from config import SHARED_SCHEMA
from models import Store
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
_rendered: weakref.WeakKeyDictionary[ScriptDirectory, dict[tuple[str, str], tuple[str, ...] | None]] = (
    weakref.WeakKeyDictionary()
)


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


def rendered_upgrade(script: ScriptDirectory, from_rev: str | None, target: str) -> tuple[str, ...] | None:
    """The SQL statements that upgrade a store schema from `from_rev` to `target`, with unqualified names, rendered
    once; one statement per item (Alembic writes each operation on its own), without the `;`.

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


class _StatementBuffer(io.StringIO):
    """Alembic's offline output, one write per statement (or comment): kept apart instead of joined."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []

    def write(self, text: str) -> int:
        self.chunks.append(text)
        return len(text)

    def statements(self) -> tuple[str, ...]:
        found = []
        for chunk in self.chunks:
            text = chunk.strip()
            if all(not line.strip() or line.lstrip().startswith("--") for line in text.splitlines()):
                continue  # "-- Running upgrade a -> b" and blank lines
            found.append(text.removesuffix(";").rstrip())
        return tuple(found)


def _render(script: ScriptDirectory, from_rev: str, target: str) -> tuple[str, ...] | None:
    try:
        opted_out = replay_opt_out(script, from_rev, target)
    except Exception as exc:  # not on the script's history (a registry ahead of this code, a typo): run online
        log.warning("no replay from %s to %s: %s", from_rev, target, exc)
        return None
    if opted_out is not None:
        log.info("revision %s runs online (REPLAY = False): stores at %s migrate through Alembic", opted_out, from_rev)
        return None
    buf = _StatementBuffer()

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
    return buf.statements()


def replay_statements(schema: str, from_rev: str, rendered: Sequence[str]) -> list[str]:
    """search_path, the version guard and the rendered upgrade for one schema, one statement per item.

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
    return [f"SET LOCAL search_path TO {quoted}", guard, *rendered]


def store_batch(
    store_id: int, schema: str, from_rev: str, target: str, rendered: Sequence[str], app_role: str | None
) -> list[str]:
    """Everything one store's replayed upgrade sends, one statement per item, for one pipeline (one round trip)
    inside the caller's transaction."""
    if not REVISION_RE.fullmatch(target):
        raise ValueError(f"unexpected revision id {target!r}")
    parts = [
        f"SELECT pg_advisory_xact_lock({LOCK_NAMESPACE}, {int(store_id)})",
        *replay_statements(schema, from_rev, rendered),
    ]
    if app_role:
        parts.extend(grant_statements(schema, app_role))
    stores = _offline_dialect().identifier_preparer.quote(SHARED_SCHEMA)
    parts.append(
        f"UPDATE {stores}.stores SET schema_revision = {_literal(target)}, last_error = NULL WHERE id = {int(store_id)}"
    )
    return parts


def migrate_store_online(
    engine: Engine, script: ScriptDirectory, target: str, store_id: int, schema: str, app_role: str | None
) -> None:
    """Upgrade one store through Alembic online and record it at `target`, in its own transaction under the store's
    advisory lock; raises on failure (the store is then untouched)."""
    with engine.connect() as conn, conn.begin():
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_NAMESPACE, store_id)))
        upgrade_schema(conn, schema, script=script, target=target, app_role=app_role)
        conn.execute(sa.update(Store).where(Store.id == store_id).values(schema_revision=target, last_error=None))
