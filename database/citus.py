"""What Loupe does differently when its database is a Citus coordinator (and nothing on plain PostgreSQL).

With `citus.enable_schema_based_sharding` on, every schema created becomes a distributed schema whose tables are
single-shard tables on one worker. That is right for `store_<id>` and `pool_<id>` schemas and wrong for the shared
ones (`loupe`, `loupe_empty`, `loupe_jobs`): a `CREATE SCHEMA IF NOT EXISTS loupe` on an existing `loupe` even
registers it as a distributed schema, and its 32 tables went to one worker (store ids came out as 562949953421313,
the runner's advisory lock failed on them). So whatever creates a shared schema turns the setting off for its own
transaction first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from config import SHARED_SCHEMA

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


# Where each shared table goes on Citus (`flask db citus-prepare`). Every one is a coordinator-local table (a "Citus
# local table": kept on the coordinator, known to Citus's metadata), none a reference table. Why:
# - No query joins a shared table with a store table (a request reads its session and memberships first, then binds
#   the store), so a reference table's one advantage, joins pushed down to the store's worker, buys nothing here.
# - A write to a reference table goes to every node with two-phase commit and fails while any worker is down
#   (measured, issue #21: every share failed with one worker stopped). As reference tables, `users`, `associations`
#   and everything keyed to them would make sign-ins, sessions and the audit log of stores on healthy workers depend
#   on every worker; on the coordinator they depend on the coordinator only, which every request needs anyway.
# - Citus forbids a foreign key from a reference table to a coordinator-local one, and the shared tables are one
#   connected graph of foreign keys (nearly all reach `associations` or `users`): a mixed layout would have to make
#   every parent of a reference table a reference table too. The command checks that rule if this ever changes.
# The price: a share writes the store's schema on a worker and `bulletins`/`incident_facts` on the coordinator in one
# distributed transaction (docs/scaling.md says what was measured about its commit). Tables added later default to
# LOCAL unless listed here; the job queue's schema (`loupe_jobs`, procrastinate's triggers and functions) stays a
# plain coordinator schema outside Citus's metadata.
#
# One table stays out of Citus's metadata altogether (a plain coordinator table, as on one server):
# `rate_limit_counters`. Its upsert computes `now()` in `ON CONFLICT … DO UPDATE SET`, which Citus refuses on any
# table in its metadata ("functions used in the DO UPDATE SET clause of INSERTs on distributed tables must be marked
# IMMUTABLE": every rate-limited request answered 500); it has no foreign keys, and its counters are written in
# their own transaction, never with a store's rows, so nothing is lost by leaving it plain.
LOCAL, REFERENCE, PLAIN = "local", "reference", "plain"
REFERENCE_TABLES: frozenset[str] = frozenset()
PLAIN_TABLES: frozenset[str] = frozenset({"rate_limit_counters"})


@dataclass
class PrepareReport:
    """What `prepare_shared_tables` did."""

    converted: dict[str, str] = field(default_factory=dict)  # table -> LOCAL / REFERENCE / PLAIN
    already: list[str] = field(default_factory=list)
    sequences: dict[str, int] = field(default_factory=dict)  # sequence -> value it was set to


def _kind(table: str) -> str:
    if table in PLAIN_TABLES:
        return PLAIN
    return REFERENCE if table in REFERENCE_TABLES else LOCAL


def _check_layout(tables: list[sa.Table]) -> None:
    for table in tables:
        if _kind(table.name) == PLAIN and (
            table.foreign_keys or any(fk.column.table is table for other in tables for fk in other.foreign_keys)
        ):
            raise ValueError(f"{table.name} is linked by foreign keys: Citus would take it into its metadata anyway")
        if _kind(table.name) != REFERENCE:
            continue
        for fk in table.foreign_keys:
            parent = fk.column.table.name
            if _kind(parent) != REFERENCE:
                raise ValueError(
                    f"{table.name} is a reference table but refers to {parent}, which is not: Citus allows a foreign "
                    "key from a reference table only to another reference table"
                )


_ADD_LOCAL = sa.text("SELECT citus_add_local_table_to_metadata(CAST(:t AS regclass), cascade_via_foreign_keys => true)")


_UNDISTRIBUTE = sa.text("SELECT undistribute_table(CAST(:t AS regclass))")


def _in_metadata(conn: Connection) -> set[str]:
    """Shared tables Citus already knows (reference, local or distributed)."""
    return set(
        conn.scalars(
            sa.text(
                "SELECT c.relname FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :s"
            ),
            {"s": SHARED_SCHEMA},
        )
    )


def prepare_shared_tables(owner: Engine) -> PrepareReport:
    """Put every shared table but PLAIN_TABLES into Citus's metadata (coordinator-local or reference, per
    REFERENCE_TABLES), parents before children, then set each identity sequence past the table's max(id).
    Idempotent; one transaction. The conversion drops the grants on the tables' sequences: the caller gives the app
    role its grants again (`database.engines.ensure_roles`, as `flask db citus-prepare` does)."""
    from models import SharedBase  # the models, only for this command: importing them costs the engines nothing

    tables = [t for t in SharedBase.metadata.sorted_tables if t.schema in (None, SHARED_SCHEMA)]
    _check_layout(tables)
    report = PrepareReport()
    with owner.begin() as conn:
        if not is_citus(conn):
            raise RuntimeError("the citus extension is not installed in this database")
        known = _in_metadata(conn)
        # Parents first (sorted_tables): a reference table's parents are reference tables already when it is created;
        # a local table pulls in every local table it is linked with by foreign keys (cascade_via_foreign_keys).
        for table in tables:
            if _kind(table.name) == PLAIN:
                if table.name in known:  # put in by an earlier version of this command: back to a plain table
                    conn.execute(_UNDISTRIBUTE, {"t": f"{SHARED_SCHEMA}.{table.name}"})
                    report.converted[table.name] = PLAIN
                continue
            if table.name in known:
                report.already.append(table.name)
                continue
            name = f"{SHARED_SCHEMA}.{table.name}"
            if _kind(table.name) == REFERENCE:
                conn.execute(sa.text("SELECT create_reference_table(CAST(:t AS regclass))"), {"t": name})
            else:
                conn.execute(_ADD_LOCAL, {"t": name})
            report.converted[table.name] = _kind(table.name)
            known = _in_metadata(conn)
        report.sequences = _sequences_past_max(conn, tables)
    return report


_SETVAL = sa.text("SELECT setval(CAST(:s AS regclass), :v, :called)")


def _sequences_past_max(conn: Connection, tables: list[sa.Table]) -> dict[str, int]:
    """Converting a table restarts its identity sequence at 1 (every sign-in then failed on a duplicate audit id):
    each sequence is set past the table's max(id). The max is read first and setval runs alone: a setval inside a
    query reading a distributed table would run on a worker, whose sequence has another range."""
    done: dict[str, int] = {}
    prep = conn.dialect.identifier_preparer
    for table in tables:
        for column in table.columns:
            if column.identity is None:
                continue
            qualified = f"{prep.quote(SHARED_SCHEMA)}.{prep.quote(table.name)}"
            sequence = conn.execute(
                sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": qualified, "c": column.name}
            ).scalar()
            if sequence is None:
                continue
            highest = conn.execute(sa.text(f"SELECT max({prep.quote(column.name)}) FROM {qualified}")).scalar()
            last, called = conn.execute(sa.text(f"SELECT last_value, is_called FROM {sequence}")).one()
            used = max(int(highest or 0), int(last) if called else int(last) - 1)
            value = max(used, 1)
            conn.execute(_SETVAL, {"s": sequence, "v": value, "called": used > 0})
            done[sequence] = value
    return done
