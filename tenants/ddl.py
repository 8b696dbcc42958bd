"""The store schema's DDL at head, rendered once per process and replayed for every new store.

Replaying pre-rendered SQL in one round trip is what makes provisioning take milliseconds instead of running
every migration for every new store. A test proves the result equals a schema built by the migrations. Each
function returns a list with one statement per item: they are sent one per query in one pipeline
(`database.statements.run_statements`), never joined with `;` (Citus refuses such a text on its workers).
"""

from __future__ import annotations

import functools

from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

from config import SHARED_SCHEMA
from models import StoreBase
from models.store.settings import DEFAULT_SETTINGS
from tenants.naming import POOL_SCHEMA_RE

POOL_NAME_PATTERN = POOL_SCHEMA_RE.pattern

VERSION_TABLE_DDL = (
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
)


@functools.cache
def head_table_ddl() -> tuple[str, ...]:
    """CREATE TABLE / CREATE INDEX statements for every store table, with unqualified names."""
    dialect = postgresql.psycopg.dialect()
    statements: list[str] = []
    for table in StoreBase.metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            statements.append(str(CreateIndex(index).compile(dialect=dialect)).strip())
    return tuple(statements)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def structure_statements(schema: str, revision: str) -> list[str]:
    """Schema, tables, indexes and version stamp at `revision`: everything that is the same for every store."""
    q = postgresql.psycopg.dialect().identifier_preparer.quote
    return [
        f"CREATE SCHEMA {q(schema)}",
        # Transaction-scoped: unqualified DDL below lands in the new schema and nothing outlives the transaction.
        f"SET LOCAL search_path TO {q(schema)}",
        *head_table_ddl(),
        VERSION_TABLE_DDL,
        f"INSERT INTO alembic_version (version_num) VALUES ({_literal(revision)})",
    ]


def seed_statements(schema: str) -> list[str]:
    """A new store's own rows (default settings), schema-qualified: written when a store gets its schema."""
    q = postgresql.psycopg.dialect().identifier_preparer.quote
    return [
        f"INSERT INTO {q(schema)}.store_settings (key, value) VALUES ({_literal(key)}, {_literal(value)})"
        for key, value in sorted(DEFAULT_SETTINGS.items())
    ]


def provisioning_statements(schema: str, revision: str, app_role: str | None) -> list[str]:
    """The whole cold-build SQL for one store: schema, tables, version stamp, seed, grants.

    `schema` must already be validated as a generated name; it is quoted anyway.
    """
    parts = [*structure_statements(schema, revision), *seed_statements(schema)]
    if app_role:
        parts.extend(grant_statements(schema, app_role))
    return parts


def pool_statements(pool_schema: str, revision: str, app_role: str | None) -> list[str]:
    """A warm-pool schema: the structure and the app role's table grants, but no USAGE on the schema and no rows.

    Without USAGE the app role cannot reach any of its tables; the claim grants it with the store's seed.
    """
    parts = structure_statements(pool_schema, revision)
    if app_role:
        parts.extend(table_grant_statements(pool_schema, app_role))
    return parts


CLAIM_SETTING = "loupe.pool_claim"


def claim_statements(
    schema: str, revision: str, app_role: str | None, *, attempts: int = 3, then: tuple[str, ...] = ()
) -> list[str]:
    """Two statements for one round trip that turn the oldest usable pool schema into `schema`: a `DO` block, then
    a SELECT of the pool schema's former name ('' when the pool had none to give) and the transaction's `now()`.

    In the caller's transaction: delete the oldest pool row at `revision` for `app_role` (`FOR UPDATE SKIP LOCKED`:
    concurrent claims never get the same row and never wait), check the schema's own version stamp (a schema
    stamped otherwise is dropped, never handed out, and the next one tried), rename it, seed the store's rows and
    grant the app role USAGE, then run the `then` statements (e.g. mark the registry row ready). Constant work
    whatever the number of stores: nothing here scans the catalog by schema.
    """
    q = postgresql.psycopg.dialect().identifier_preparer.quote
    rev, setting = _literal(revision), _literal(CLAIM_SETTING)
    role = _literal(app_role) if app_role else "NULL"
    usable = f"revision = {rev} AND app_role IS NOT DISTINCT FROM {role}"
    pool_table = f"{q(SHARED_SCHEMA)}.schema_pool"
    seed = "\n      ".join(f"{statement};" for statement in seed_statements(schema))
    grant = f"GRANT USAGE ON SCHEMA {q(schema)} TO {q(app_role)};" if app_role else ""
    after = "\n      ".join(f"{statement};" for statement in then)
    block = f"""DO $claim$
DECLARE p text; v text;
BEGIN
  PERFORM set_config({setting}, '', true);
  FOR attempt IN 1..{int(attempts)} LOOP
    DELETE FROM {pool_table} WHERE id = (
      SELECT id FROM {pool_table} WHERE {usable} ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
    ) RETURNING schema_name INTO p;
    EXIT WHEN p IS NULL;
    v := NULL;
    IF p ~ '{POOL_NAME_PATTERN}' AND to_regclass(quote_ident(p) || '.alembic_version') IS NOT NULL THEN
      EXECUTE format('SELECT max(version_num) FROM %I.alembic_version', p) INTO v;
    END IF;
    IF v IS NOT DISTINCT FROM {rev} THEN
      EXECUTE format('ALTER SCHEMA %I RENAME TO %I', p, {_literal(schema)});
      {seed}
      {grant}
      {after}
      PERFORM set_config({setting}, p, true);
      RETURN;
    END IF;
    RAISE WARNING 'pool schema % is stamped %, not %: dropped, not handed out', p, v, {rev};
    IF p ~ '{POOL_NAME_PATTERN}' THEN
      EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', p);
    END IF;
  END LOOP;
END
$claim$"""
    return [block, f"SELECT current_setting({setting}, true), now()"]


def grant_statements(schema: str, app_role: str) -> list[str]:
    """What the app role may do in a store schema: use it and read/write rows, never change its structure."""
    q = postgresql.psycopg.dialect().identifier_preparer.quote
    return [f"GRANT USAGE ON SCHEMA {q(schema)} TO {q(app_role)}", *table_grant_statements(schema, app_role)]


def table_grant_statements(schema: str, app_role: str) -> list[str]:
    """The app role's rights on the tables and sequences of a schema (useless to it without USAGE on the schema).

    The tables and identity sequences are named, not `ON ALL TABLES IN SCHEMA`: that form scans the whole
    `pg_class` for the schema's relations, 100-200 ms once a database holds 1,000 stores (bench/findings.md),
    while named objects are found by index. The names are those of the store models at the running code's head,
    which is what a freshly built or just-migrated schema holds.
    """
    q = postgresql.psycopg.dialect().identifier_preparer.quote
    s, r = q(schema), q(app_role)
    tables = list(StoreBase.metadata.sorted_tables)
    sequences = [f"{s}.{q(f'{t.name}_{c.name}_seq')}" for t in tables for c in t.columns if c.identity is not None]
    statements = [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {', '.join(f'{s}.{q(t.name)}' for t in tables)} TO {r}",
        f"GRANT SELECT ON {s}.alembic_version TO {r}",
    ]
    if sequences:
        statements.append(f"GRANT USAGE, SELECT ON SEQUENCE {', '.join(sequences)} TO {r}")
    return statements
