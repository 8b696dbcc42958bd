"""The migration runner: every store to head, one failure recorded and not stopping the others, resumable."""

from __future__ import annotations

import textwrap

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from models import Store
from tenants.migrations import migrate_all_stores, store_config, store_head
from tests.fixtures.factories import registry_row

REVISION = textwrap.dedent(
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
        op.drop_index("ix_police_contacts_badge_number", table_name="police_contacts")
        op.drop_column("police_contacts", "badge_number")
    '''
)


@pytest.fixture
def new_revision_folder(tmp_path):
    """A version folder holding one more store revision (t9001) on top of the code's head."""
    folder = tmp_path / "extra_versions"
    folder.mkdir()
    (folder / "t9001_badge.py").write_text(REVISION.format(down=store_head()))
    assert ScriptDirectory.from_config(store_config([folder])).get_current_head() == "t9001"
    return folder


def columns(engines, schema):
    with engines.owner.connect() as conn:
        return set(
            conn.scalars(
                sa.text("SELECT column_name FROM information_schema.columns WHERE table_schema = :s"), {"s": schema}
            )
        )


@pytest.fixture
def isolated_stores(make_world, make_store):
    """Three fresh stores; runs are limited to them so other tests' stores stay as they are."""
    world = make_world()
    return [make_store(world) for _ in range(3)]


def ids(stores):
    return [s.id for s in stores]


def test_nothing_to_apply_touches_nothing(engines, isolated_stores):
    # A store recorded at head is skipped without opening its schema: break its version table to prove it.
    with engines.owner.begin() as conn:
        conn.exec_driver_sql(f'DROP TABLE "{isolated_stores[0].schema_name}".alembic_version')
    report = migrate_all_stores(engines.owner, workers=2, store_ids=ids(isolated_stores))
    assert report.ok and report.upgraded == [] and report.already_current == 3


def test_one_failing_store_is_recorded_and_a_rerun_finishes(engines, app_role, isolated_stores, new_revision_folder):
    good1, bad, good2 = isolated_stores
    with engines.owner.begin() as conn:  # this store already has the column: its upgrade fails
        conn.exec_driver_sql(f'ALTER TABLE "{bad.schema_name}".police_contacts ADD COLUMN badge_number int')
    progress = []
    report = migrate_all_stores(
        engines.owner,
        workers=2,
        app_role=app_role,
        extra_version_locations=[new_revision_folder],
        store_ids=ids(isolated_stores),
        on_progress=lambda schema, ok: progress.append((schema, ok)),
    )
    assert report.target == "t9001"
    assert sorted(report.upgraded) == sorted([good1.schema_name, good2.schema_name])
    assert list(report.failed) == [bad.schema_name] and "badge_number" in report.failed[bad.schema_name]
    assert sorted(progress) == sorted([(good1.schema_name, True), (good2.schema_name, True), (bad.schema_name, False)])
    for store in (good1, good2):
        assert "badge_number" in columns(engines, store.schema_name)
        assert registry_row(engines, store.id).schema_revision == "t9001"
    failed_row = registry_row(engines, bad.id)
    assert failed_row.schema_revision != "t9001" and "badge_number" in failed_row.last_error

    # The failed store's transaction left it as it was; fix the cause and run again: only it is upgraded.
    with engines.owner.begin() as conn:
        conn.exec_driver_sql(f'ALTER TABLE "{bad.schema_name}".police_contacts DROP COLUMN badge_number')
    again = migrate_all_stores(
        engines.owner,
        workers=2,
        app_role=app_role,
        extra_version_locations=[new_revision_folder],
        store_ids=ids(isolated_stores),
    )
    assert again.ok and again.upgraded == [bad.schema_name] and again.already_current == 2
    assert registry_row(engines, bad.id).last_error is None
    with engines.owner.connect() as conn:
        version = conn.scalar(sa.text(f'SELECT version_num FROM "{bad.schema_name}".alembic_version'))
    assert version == "t9001"
    if app_role:  # the app role can read the upgraded tables
        with engines.app.connect() as conn:
            conn.execute(sa.text(f'SELECT badge_number FROM "{bad.schema_name}".police_contacts'))

    # Put the stores back at the code's head so later tests see a consistent registry.
    with engines.owner.begin() as conn:
        for store in isolated_stores:
            conn.exec_driver_sql(f'DROP INDEX "{store.schema_name}".ix_police_contacts_badge_number')
            conn.exec_driver_sql(f'ALTER TABLE "{store.schema_name}".police_contacts DROP COLUMN badge_number')
            conn.exec_driver_sql(f"UPDATE \"{store.schema_name}\".alembic_version SET version_num = '{store_head()}'")
        conn.execute(
            sa.update(Store).where(Store.id.in_([s.id for s in isolated_stores])).values(schema_revision=store_head())
        )


def test_cli_migrate_reports_and_exits_nonzero_on_failure(app, engines, isolated_stores):
    """A store whose version table was lost fails (its tables exist); one recorded behind is brought to head."""
    behind, broken, current = isolated_stores
    with engines.owner.begin() as conn:
        conn.execute(sa.update(Store).where(Store.id.in_([behind.id, broken.id])).values(schema_revision=None))
        conn.exec_driver_sql(f'DELETE FROM "{broken.schema_name}".alembic_version')
    args = ["tenants", "migrate", "--workers", "2"]
    for store in isolated_stores:
        args += ["--store", store.slug]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    assert "1 upgraded, 1 already at head, 1 failed" in result.output
    assert f"FAILED {broken.schema_name}" in result.output and "police_contacts" in result.output
    assert registry_row(engines, behind.id).schema_revision == store_head()
    assert registry_row(engines, broken.id).schema_revision is None
    assert "police_contacts" in registry_row(engines, broken.id).last_error

    unknown = app.test_cli_runner().invoke(args=["tenants", "migrate", "--store", "no-such-store"])
    assert unknown.exit_code != 0 and "no such store" in unknown.output
