"""Render once, replay per schema: the same result as Alembic online, a guard against registry/schema mismatches,
and Alembic online for revisions that ask for it (or cannot be rendered)."""

from __future__ import annotations

import textwrap

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from database.statements import run_statements
from models import PoliceContact, Store, StoreSetting
from tenants.migrations import migrate_all_stores
from tenants.schema_upgrade import (
    rendered_upgrade,
    replay_opt_out,
    replay_statements,
    store_config,
    store_head,
    upgrade_schema,
)
from tests.fixtures.factories import registry_row
from tests.tenants.catalog import describe_schema

BADGE = textwrap.dedent(
    '''
    """test-only: a column and an index"""
    import sqlalchemy as sa
    from alembic import op

    revision = "t9001"
    down_revision = "{down}"
    branch_labels = None
    depends_on = None


    def upgrade():
        op.add_column("police_contacts", sa.Column("badge_number", sa.String(40), nullable=True))
        op.create_index("ix_police_contacts_badge_number", "police_contacts", ["badge_number"])


    def downgrade():
        pass
    '''
)

# A revision that decides from the store's rows while it runs: only Alembic online can run it.
COUNTING = textwrap.dedent(
    '''
    """test-only: records how many police contacts the store had"""
    import sqlalchemy as sa
    from alembic import op

    revision = "t9001"
    down_revision = "{down}"
    branch_labels = None
    depends_on = None
    {flag}


    def upgrade():
        count = op.get_bind().execute(sa.text("SELECT count(*) FROM police_contacts")).scalar()
        op.execute(f"INSERT INTO store_settings (key, value) VALUES ('contacts_at_upgrade', '{{count}}')")


    def downgrade():
        pass
    '''
)


def version_folder(tmp_path, text: str):
    folder = tmp_path / "extra_versions"
    folder.mkdir()
    (folder / "t9001_test.py").write_text(text)
    script = ScriptDirectory.from_config(store_config([folder]))
    assert script.get_current_head() == "t9001"
    return folder, script


@pytest.fixture
def isolated_stores(make_world, make_store):
    """Three fresh stores; runs are limited to them so other tests' stores stay as they are."""
    world = make_world()
    return [make_store(world) for _ in range(3)]


def version(conn, schema: str) -> list[str]:
    return list(conn.scalars(sa.text(f'SELECT version_num FROM "{schema}".alembic_version')))


def settings(conn, schema: str) -> list[tuple]:
    query = sa.select(StoreSetting.key, StoreSetting.value).order_by(StoreSetting.key)
    return [tuple(r) for r in conn.execute(query.execution_options(schema_translate_map={None: schema}))]


def put_back(engines, stores, *, badge: bool = False) -> None:
    """Bring test stores back to the code's head (schema and registry) so later tests see a consistent registry."""
    with engines.owner.begin() as conn:
        for store in stores:
            s = store.schema_name
            if badge:
                conn.exec_driver_sql(f'DROP INDEX IF EXISTS "{s}".ix_police_contacts_badge_number')
                conn.exec_driver_sql(f'ALTER TABLE "{s}".police_contacts DROP COLUMN IF EXISTS badge_number')
            conn.exec_driver_sql(f"DELETE FROM \"{s}\".store_settings WHERE key = 'contacts_at_upgrade'")
            conn.exec_driver_sql(f"UPDATE \"{s}\".alembic_version SET version_num = '{store_head()}'")
        conn.execute(
            sa.update(Store)
            .where(Store.id.in_([s.id for s in stores]))
            .values(schema_revision=store_head(), last_error=None)
        )


@pytest.mark.parametrize("start", ["s0001", "s0005", None])
def test_replay_builds_the_same_schema_as_alembic_online(engines, tmp_path, start):
    """From an early revision (every table, constraint and index of s0002..head) or from head (the column and
    index): the replayed schema's catalog, version stamp and rows equal those of Alembic's online upgrade."""
    _folder, script = version_folder(tmp_path, BADGE.format(down=store_head()))
    start = start or store_head()
    rendered = rendered_upgrade(script, start, "t9001")
    assert rendered is not None and rendered and not any("store_" in s or "BEGIN" in s for s in rendered)
    assert rendered_upgrade(script, start, "t9001") is rendered  # rendered once per path
    online, replayed = "store_999999901", "store_999999902"
    try:
        for schema in (online, replayed):
            with engines.owner.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            with engines.owner.connect() as conn, conn.begin():
                upgrade_schema(conn, schema, script=script, target=start, app_role=None)
        with engines.owner.connect() as conn, conn.begin():
            assert upgrade_schema(conn, online, script=script, target="t9001", app_role=None) == (start, "t9001")
        with engines.owner.connect() as conn, conn.begin():
            run_statements(conn.connection.driver_connection, replay_statements(replayed, start, rendered))
        with engines.owner.connect() as conn:
            assert describe_schema(conn, replayed) == describe_schema(conn, online)
            assert len(describe_schema(conn, replayed)["indexes"]) > 2
            assert version(conn, replayed) == version(conn, online) == ["t9001"]
            assert settings(conn, replayed) == settings(conn, online)
            columns = conn.scalars(
                sa.text("SELECT column_name FROM information_schema.columns WHERE table_schema = :s"), {"s": replayed}
            )
            assert "badge_number" in set(columns)
    finally:
        with engines.owner.begin() as conn:
            for schema in (online, replayed):
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.mark.parametrize("workers", [1, 2])
def test_a_schema_not_at_the_recorded_revision_fails_untouched(engines, app_role, isolated_stores, tmp_path, workers):
    """The registry says s0007 but the schema is at head: replaying s0007's path would corrupt it. The store fails
    with a clear error and keeps its schema; the others are replayed."""
    folder, _script = version_folder(tmp_path, BADGE.format(down=store_head()))
    good1, bad, good2 = isolated_stores
    with engines.owner.begin() as conn:
        conn.execute(sa.update(Store).where(Store.id == bad.id).values(schema_revision="s0007"))
    with engines.owner.connect() as conn:
        bad_before = describe_schema(conn, bad.schema_name)
    try:
        report = migrate_all_stores(
            engines.owner,
            workers=workers,
            app_role=app_role,
            extra_version_locations=[folder],
            store_ids=[s.id for s in isolated_stores],
        )
        assert sorted(report.upgraded) == sorted([good1.schema_name, good2.schema_name])
        assert list(report.failed) == [bad.schema_name]
        error = registry_row(engines, bad.id).last_error
        assert error == report.failed[bad.schema_name]
        assert f"schema {bad.schema_name} is at revision {store_head()}" in error
        assert "the registry records s0007: not migrated" in error
        assert registry_row(engines, bad.id).schema_revision == "s0007"
        with engines.owner.connect() as conn:
            assert version(conn, bad.schema_name) == [store_head()]
            assert describe_schema(conn, bad.schema_name) == bad_before
            for store in (good1, good2):
                assert version(conn, store.schema_name) == ["t9001"]
                assert "badge_number" in str(describe_schema(conn, store.schema_name))
        for store in (good1, good2):
            row = registry_row(engines, store.id)
            assert row.schema_revision == "t9001" and row.last_error is None
        if app_role:  # the grants came with the batch
            with engines.app.connect() as conn:
                conn.execute(sa.text(f'SELECT badge_number FROM "{good1.schema_name}".police_contacts'))
    finally:
        put_back(engines, isolated_stores, badge=True)


def test_a_schema_without_its_version_table_fails_with_a_clear_error(engines, app_role, isolated_stores, tmp_path):
    folder, _script = version_folder(tmp_path, BADGE.format(down=store_head()))
    store = isolated_stores[0]
    with engines.owner.begin() as conn:
        conn.exec_driver_sql(f'DROP TABLE "{store.schema_name}".alembic_version')
    try:
        report = migrate_all_stores(
            engines.owner, workers=1, app_role=app_role, extra_version_locations=[folder], store_ids=[store.id]
        )
        assert list(report.failed) == [store.schema_name]
        assert "has no alembic_version table" in report.failed[store.schema_name]
        assert registry_row(engines, store.id).schema_revision == store_head()
    finally:
        with engines.owner.begin() as conn:
            conn.exec_driver_sql(
                f'CREATE TABLE "{store.schema_name}".alembic_version (version_num varchar(32) PRIMARY KEY)'
            )
            conn.exec_driver_sql(f"INSERT INTO \"{store.schema_name}\".alembic_version VALUES ('{store_head()}')")
        put_back(engines, [store])


@pytest.mark.parametrize("flag", ["REPLAY = False", ""], ids=["flagged", "unrenderable"])
def test_a_revision_that_needs_the_database_runs_through_alembic_online(
    engines, app_role, isolated_stores, tmp_path, in_store, flag
):
    """Flagged `REPLAY = False`, or found out when rendering offline fails: each store counts its own rows."""
    folder, script = version_folder(tmp_path, COUNTING.format(down=store_head(), flag=flag))
    assert replay_opt_out(script, store_head(), "t9001") == ("t9001" if flag else None)
    assert rendered_upgrade(script, store_head(), "t9001") is None
    with_contact = isolated_stores[1]

    def add_contact(session):
        session.add(PoliceContact(officer_name="Sgt. Online", agency="North"))

    in_store(with_contact, add_contact)
    try:
        report = migrate_all_stores(
            engines.owner,
            workers=2,
            app_role=app_role,
            extra_version_locations=[folder],
            store_ids=[s.id for s in isolated_stores],
        )
        assert report.ok and len(report.upgraded) == 3
        with engines.owner.connect() as conn:
            for store in isolated_stores:
                counted = dict(settings(conn, store.schema_name))["contacts_at_upgrade"]
                assert counted == ("1" if store is with_contact else "0")
                assert version(conn, store.schema_name) == ["t9001"]
        assert {registry_row(engines, s.id).schema_revision for s in isolated_stores} == {"t9001"}
    finally:
        put_back(engines, isolated_stores)


def test_an_unknown_recorded_revision_runs_online(engines, app_role, isolated_stores, tmp_path):
    """A registry row with no revision (or one this code does not know) cannot pick a path: Alembic reads the
    schema's own version and upgrades from there."""
    folder, script = version_folder(tmp_path, BADGE.format(down=store_head()))
    assert rendered_upgrade(script, None, "t9001") is None
    assert rendered_upgrade(script, "zz999", "t9001") is None
    first, second, _third = isolated_stores
    with engines.owner.begin() as conn:
        conn.execute(sa.update(Store).where(Store.id == first.id).values(schema_revision=None))
        conn.execute(sa.update(Store).where(Store.id == second.id).values(schema_revision="zz999"))
    try:
        report = migrate_all_stores(
            engines.owner,
            workers=2,
            app_role=app_role,
            extra_version_locations=[folder],
            store_ids=[first.id, second.id],
        )
        assert report.ok and sorted(report.upgraded) == sorted([first.schema_name, second.schema_name])
        with engines.owner.connect() as conn:
            for store in (first, second):
                assert version(conn, store.schema_name) == ["t9001"]
                assert registry_row(engines, store.id).schema_revision == "t9001"
    finally:
        put_back(engines, [first, second], badge=True)
