"""`flask db citus-prepare`: the shared tables' place on Citus (database/citus.py says which and why)."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from database import citus
from models import SharedBase

ON_CITUS = bool(os.environ.get("CITUS_URL"))


def shared_tables() -> list[sa.Table]:
    return list(SharedBase.metadata.sorted_tables)


def test_a_reference_table_may_refer_only_to_reference_tables(monkeypatch):
    citus._check_layout(shared_tables())  # the shipped layout
    monkeypatch.setattr(citus, "REFERENCE_TABLES", frozenset({"bulletins"}))
    with pytest.raises(ValueError, match="bulletins is a reference table but refers to"):
        citus._check_layout(shared_tables())
    parents = {fk.column.table.name for fk in SharedBase.metadata.tables["loupe.bulletins"].foreign_keys}
    monkeypatch.setattr(citus, "REFERENCE_TABLES", frozenset({"bulletins", *parents, "associations"}))
    citus._check_layout(shared_tables())
    monkeypatch.setattr(citus, "PLAIN_TABLES", frozenset({"users"}))
    with pytest.raises(ValueError, match="users is linked by foreign keys"):
        citus._check_layout(shared_tables())


@pytest.mark.skipif(ON_CITUS, reason="plain PostgreSQL only")
def test_citus_prepare_refuses_a_database_without_citus(app):
    result = app.test_cli_runner().invoke(args=["db", "citus-prepare"])
    assert result.exit_code != 0
    assert "the citus extension is not installed in this database" in result.output


@pytest.mark.skipif(not ON_CITUS, reason="needs a Citus cluster (CITUS_URL)")
def test_citus_prepare_keeps_every_shared_table_on_the_coordinator_with_sequences_past_max(
    app, engines, app_role, make_user, make_world, make_store
):
    make_user()  # a row in users and in the audit log at least
    make_store(make_world())
    # The session ran it once already, but tests that take the shared schema down and up again (revision 0013's)
    # re-create tables without foreign keys, which stay plain until the next run — as after any `db upgrade`.
    first = app.test_cli_runner().invoke(args=["db", "citus-prepare"])
    assert first.exit_code == 0, first.output
    result = app.test_cli_runner().invoke(args=["db", "citus-prepare"])  # idempotent: nothing left to add
    assert result.exit_code == 0, result.output
    in_metadata = [t for t in shared_tables() if t.name not in citus.PLAIN_TABLES]
    assert f"0 shared tables added to Citus's metadata, {len(in_metadata)} already there" in result.output
    with engines.owner.connect() as conn:
        kinds = dict(
            conn.execute(
                sa.text(
                    "SELECT c.relname, t.citus_table_type FROM citus_tables t JOIN pg_class c ON c.oid = t.table_name "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'loupe'"
                )
            ).all()
        )
        assert kinds == {table.name: "local" for table in in_metadata}
        for table in shared_tables():
            for column in table.columns:
                if column.identity is None:
                    continue
                sequence = conn.scalar(sa.select(sa.func.pg_get_serial_sequence(f"loupe.{table.name}", column.name)))
                highest = conn.scalar(sa.text(f'SELECT max("{column.name}") FROM loupe."{table.name}"')) or 0
                last, called = conn.execute(sa.text(f"SELECT last_value, is_called FROM {sequence}")).one()
                assert (last if called else last - 1) >= highest, sequence
                if app_role and table.name != "schema_pool":  # the conversion drops them; the command gives them back
                    usable = sa.func.has_sequence_privilege(app_role, sequence, "USAGE")
                    assert conn.scalar(sa.select(usable)), sequence
        # Every store schema is a distributed schema, placed on a worker; the shared schemas are not.
        distributed = set(conn.scalars(sa.text("SELECT schema_name::text FROM citus_schemas")))
        assert not distributed & {"loupe", "loupe_empty", "loupe_jobs"}
        stores = set(
            conn.scalars(  # ready stores whose schema exists (other tests leave registry rows of their own)
                sa.text(
                    "SELECT s.schema_name FROM loupe.stores s JOIN pg_namespace n ON n.nspname = s.schema_name "
                    "WHERE s.status = 'ready'"
                )
            )
        )
        assert stores and stores <= distributed
