"""A provisioned store schema (pre-rendered DDL) equals one built by replaying every store migration."""

import sqlalchemy as sa

from models import StoreSetting
from tenants.schema_upgrade import default_store_script, store_head, upgrade_schema
from tests.tenants.catalog import describe_schema


def test_provisioned_schema_equals_replayed_migrations(engines, make_world, make_store):
    provisioned = make_store(make_world())
    replayed = "store_999999999"
    with engines.owner.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{replayed}" CASCADE')
        conn.exec_driver_sql(f'CREATE SCHEMA "{replayed}"')
    try:
        with engines.owner.connect() as conn, conn.begin():
            before, after = upgrade_schema(
                conn, replayed, script=default_store_script(), target=store_head(), app_role=None
            )
        assert before is None and after == store_head()
        with engines.owner.connect() as conn:
            got = describe_schema(conn, replayed)
            expected = describe_schema(conn, provisioned.schema_name)
            seeded = {
                s: conn.execute(
                    sa.select(StoreSetting.key, StoreSetting.value).execution_options(schema_translate_map={None: s})
                ).all()
                for s in (replayed, provisioned.schema_name)
            }
        assert got["columns"] == expected["columns"]
        assert got["constraints"] == expected["constraints"]
        assert got["indexes"] == expected["indexes"]
        assert len(got["columns"]) > 5
        assert seeded[replayed] == seeded[provisioned.schema_name]
    finally:
        with engines.owner.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{replayed}" CASCADE')


def test_the_store_metadata_matches_the_head_schema(engines, make_world, make_store):
    """Alembic's autogenerate finds nothing to change between the models and a provisioned schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from models import StoreBase

    store = make_store(make_world())
    with engines.owner.connect() as conn, conn.begin():
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{store.schema_name}"')
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        diff = [d for d in compare_metadata(ctx, StoreBase.metadata) if not _is_version_table(d)]
    assert diff == []

    # The comparison can fail: a column the models do not know about is reported.
    with engines.owner.connect() as conn, conn.begin():
        conn.exec_driver_sql(f'ALTER TABLE "{store.schema_name}".police_contacts ADD COLUMN stray int')
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{store.schema_name}"')
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, StoreBase.metadata)
        conn.rollback()
    assert any(d[0] == "remove_column" and d[3].name == "stray" for d in diff)


def _is_version_table(diff) -> bool:
    return diff[0] == "remove_table" and diff[1].name == "alembic_version"
