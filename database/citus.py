"""What Loupe does differently when its database is a Citus coordinator (and nothing on plain PostgreSQL).

With `citus.enable_schema_based_sharding` on, every schema created becomes a distributed schema whose tables are
single-shard tables on one worker. That is right for `store_<id>` and `pool_<id>` schemas and wrong for the shared
ones (`loupe`, `loupe_empty`, `loupe_jobs`): a `CREATE SCHEMA IF NOT EXISTS loupe` on an existing `loupe` even
registers it as a distributed schema, and its 32 tables went to one worker (store ids came out as 562949953421313,
the runner's advisory lock failed on them). So whatever creates a shared schema turns the setting off for its own
transaction first.
"""

from __future__ import annotations

from sqlalchemy import Connection

SCHEMA_SHARDING = "citus.enable_schema_based_sharding"

# set_config(..., true) is SET LOCAL: it ends with the transaction. The WHERE keeps plain PostgreSQL untouched
# (current_setting(name, true) is NULL where Citus is not loaded), so no placeholder setting is ever created there.
_OFF = (
    f"SELECT set_config('{SCHEMA_SHARDING}', 'off', true) WHERE current_setting('{SCHEMA_SHARDING}', true) IS NOT NULL"
)


def plain_schemas_in_this_transaction(conn: Connection) -> None:
    """Schemas created in the rest of `conn`'s transaction stay regular (non-distributed) schemas on Citus."""
    conn.exec_driver_sql(_OFF)


def is_citus(conn: Connection) -> bool:
    """True when the citus extension is installed in this database."""
    return bool(conn.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'citus'").scalar())
