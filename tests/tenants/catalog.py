"""Reading a schema's structure from the PostgreSQL catalog, with the schema name taken out, for comparisons."""

from __future__ import annotations

import sqlalchemy as sa


def describe_schema(conn: sa.Connection, schema: str) -> dict[str, list]:
    """Columns, constraints and indexes of `schema`, as comparable lists (schema name replaced by `S`)."""
    columns = conn.execute(
        sa.text(
            """SELECT table_name, column_name, data_type, character_maximum_length, is_nullable,
                      column_default, is_identity, identity_generation
               FROM information_schema.columns WHERE table_schema = :s ORDER BY table_name, column_name"""
        ),
        {"s": schema},
    ).all()
    constraints = conn.execute(
        sa.text(
            """SELECT cl.relname, co.conname, co.contype, pg_get_constraintdef(co.oid)
               FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
               JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE n.nspname = :s ORDER BY 1, 2"""
        ),
        {"s": schema},
    ).all()
    indexes = conn.execute(
        sa.text("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = :s ORDER BY 1, 2"),
        {"s": schema},
    ).all()

    def strip(value):
        return value.replace(f"{schema}.", "S.").replace(f'"{schema}".', "S.") if isinstance(value, str) else value

    return {
        "columns": [tuple(map(strip, row)) for row in columns],
        "constraints": [tuple(map(strip, row)) for row in constraints],
        "indexes": [tuple(map(strip, row)) for row in indexes],
    }
