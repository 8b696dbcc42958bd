"""Guards that keep Loupe runnable on Citus, run on plain PostgreSQL in ordinary CI (docs/scaling.md, issue #21).

- Every store DDL path (cold build, pool fill and claim, migration replay in the runner and in its worker process,
  pool migration) sends one statement per query: Citus forwards a `CREATE INDEX` / `ADD FOREIGN KEY` to the worker
  with the query's raw text, and the worker refuses a text holding several commands.
- No setval/nextval in a statement that reads a store table (restore included): on Citus such a statement runs on
  the store's worker, whose sequence has another range ("value 3 is out of bounds").
- No store table has a foreign key outside its own schema, either way: a store schema moves between nodes alone.

What the server receives is recorded by the driver's cursor (`tests.support.sql_trace`), not guessed from the code.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import PoliceContact, StoreBase
from tenants import migration_worker
from tenants.backup import export_document, restore_document
from tenants.binding import store_session
from tenants.migrations import migrate_all_stores
from tenants.pool import drain_pool, fill_pool, migrate_pool
from tenants.provisioning import StoreSpec, create_store
from tenants.schema_upgrade import rendered_upgrade, store_batch, store_head
from tests.fixtures.factories import unique
from tests.support.sql_trace import (
    count_statements,
    multi_statement,
    recording_cursor,
    sequence_calls_on_store_tables,
    traced_engine,
)
from tests.tenants.test_migrate_replay import BADGE, put_back, version_folder


@pytest.fixture
def traced(engines):
    """(engine, sent): an owner engine on the session's database whose every query text lands in `sent`."""
    sent: list[str] = []
    engine = traced_engine(engines.owner.url, sent)
    yield engine, sent
    engine.dispose()


@pytest.fixture
def empty_pool(engines):
    drain_pool(engines.owner)
    yield
    drain_pool(engines.owner)


def assert_citus_safe(sent: list[str], *, expect: str) -> None:
    assert any(expect in text for text in sent), f"the path under test did not run: no query with {expect!r}"
    assert multi_statement(sent) == [], "a query holding several statements (Citus's workers refuse them)"
    assert sequence_calls_on_store_tables(sent) == [], "setval/nextval in a statement that reads a store table"


def test_the_statement_counter_sees_through_quotes_and_bodies():
    assert count_statements("DO $g$ BEGIN PERFORM 1; PERFORM 2; END $g$") == 1
    assert count_statements("SELECT ';', \"a;b\" -- ;\n") == 1
    assert count_statements("SET LOCAL search_path TO s;\nCREATE TABLE t (id int);") == 2


def test_a_cold_build_sends_one_statement_per_query(traced, make_world, app_role, empty_pool):
    engine, sent = traced
    world = make_world()
    create_store(engine, StoreSpec(world.association.slug, world.region.slug, unique("Cold")), app_role=app_role)
    assert_citus_safe(sent, expect="CREATE TABLE")


def test_a_pool_fill_and_a_claim_send_one_statement_per_query(traced, make_world, app_role, empty_pool):
    engine, sent = traced
    assert fill_pool(engine, 1, revision=store_head(), app_role=app_role) == 1
    assert_citus_safe(sent, expect="CREATE TABLE")
    sent.clear()
    world = make_world()
    create_store(engine, StoreSpec(world.association.slug, world.region.slug, unique("Warm")), app_role=app_role)
    assert_citus_safe(sent, expect="$claim$")


def test_migration_replay_and_pool_migration_send_one_statement_per_query(
    traced, engines, make_world, make_store, app_role, tmp_path, empty_pool
):
    engine, sent = traced
    folder, script = version_folder(tmp_path, BADGE.format(down=store_head()))
    stores = [make_store(make_world()) for _ in range(2)]
    assert fill_pool(engines.owner, 1, revision=store_head(), app_role=app_role) == 1
    try:
        # The runner in this process (one worker) ...
        report = migrate_all_stores(
            engine, workers=1, app_role=app_role, extra_version_locations=[folder], store_ids=[stores[0].id]
        )
        assert report.upgraded == [stores[0].schema_name]
        assert_citus_safe(sent, expect="ADD COLUMN badge_number")
        # ... its worker process's replay (run here, on a recording connection) ...
        sent.clear()
        _args, kwargs = engines.owner.dialect.create_connect_args(engines.owner.url)
        kwargs = {k: v for k, v in kwargs.items() if isinstance(v, str | int)}
        migration_worker._state.update(connect_kwargs={**kwargs, "cursor_factory": recording_cursor(sent)})
        try:
            batch = store_batch(
                stores[1].id,
                stores[1].schema_name,
                store_head(),
                "t9001",
                rendered_upgrade(script, store_head(), "t9001"),
                app_role,
            )
            assert migration_worker.replay([(stores[1].id, batch)]) == [None]
        finally:
            conn = migration_worker._state.pop("conn", None)
            if conn is not None:
                conn.close()
            migration_worker._state.clear()
        assert_citus_safe(sent, expect="ADD COLUMN badge_number")
        # ... and the pool's schemas brought to the new head.
        sent.clear()
        pool_report = migrate_pool(engine, script=script, target="t9001", app_role=app_role)
        assert len(pool_report.upgraded) == 1 and pool_report.dropped == {}
        assert_citus_safe(sent, expect="ADD COLUMN badge_number")
    finally:
        put_back(engines, stores, badge=True)


def test_a_restore_reads_each_max_apart_from_its_setval(traced, engines, make_world, make_store, app_role):
    engine, sent = traced
    world = make_world()
    store = make_store(world)
    with store_session(engines.owner, store.schema_name) as session:
        session.add(PoliceContact(agency="City Police", officer_name="PC Lee", preferred_contact="phone"))
    document = export_document(engines.owner, store.slug)
    report = restore_document(
        engine, document, association_slug=world.association.slug, region_slug=world.region.slug, app_role=app_role
    )
    assert report.store.schema_name != store.schema_name
    assert_citus_safe(sent, expect="setval")


def test_store_tables_have_foreign_keys_only_inside_their_own_schema(engines, make_world, make_store):
    for table in StoreBase.metadata.sorted_tables:
        for fk in table.foreign_keys:
            target = fk.column.table
            assert target.schema is None and StoreBase.metadata.tables.get(target.name) is target, (
                f"{table.name}.{fk.parent.name} refers to {target.fullname}, outside the store schema"
            )
    make_store(make_world())  # at least one store schema in the database
    with engines.owner.connect() as conn:
        crossing = conn.execute(
            sa.text(
                """SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text
                   FROM pg_constraint c
                   JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace
                   JOIN pg_class f ON f.oid = c.confrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace
                   WHERE c.contype = 'f' AND rn.oid <> fn.oid
                     AND (rn.nspname ~ '^(store|pool)_[0-9]+$' OR fn.nspname ~ '^(store|pool)_[0-9]+$')"""
            )
        ).all()
    assert crossing == []
