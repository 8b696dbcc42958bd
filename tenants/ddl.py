"""The store schema's DDL at head, rendered once per process and replayed for every new store.

Replaying pre-rendered SQL in one round trip is what makes provisioning take milliseconds instead of running
every migration for every new store. A test proves the result equals a schema built by the migrations.
"""

from __future__ import annotations

import functools

from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

from models import StoreBase
from models.store.settings import DEFAULT_SETTINGS

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


def provisioning_script(schema: str, revision: str, app_role: str | None) -> str:
    """The whole provisioning SQL for one store as one string: schema, tables, version stamp, grants, seed.

    `schema` must already be validated as a generated name; it is quoted anyway.
    """
    q = postgresql.psycopg.dialect().identifier_preparer.quote
    parts = [
        f"CREATE SCHEMA {q(schema)}",
        # Transaction-scoped: unqualified DDL below lands in the new schema and nothing outlives the transaction.
        f"SET LOCAL search_path TO {q(schema)}",
        *head_table_ddl(),
        VERSION_TABLE_DDL,
        f"INSERT INTO alembic_version (version_num) VALUES ({_literal(revision)})",
    ]
    for key, value in sorted(DEFAULT_SETTINGS.items()):
        parts.append(f"INSERT INTO store_settings (key, value) VALUES ({_literal(key)}, {_literal(value)})")
    if app_role:
        parts.extend(grant_statements(schema, app_role))
    return ";\n".join(parts) + ";"


def grant_statements(schema: str, app_role: str) -> list[str]:
    """What the app role may do in a store schema: use it and read/write rows, never change its structure."""
    q = postgresql.psycopg.dialect().identifier_preparer.quote
    s, r = q(schema), q(app_role)
    return [
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
        f"REVOKE INSERT, UPDATE, DELETE ON {s}.alembic_version FROM {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
    ]
