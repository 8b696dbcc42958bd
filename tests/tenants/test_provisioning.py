"""Provisioning, failure and retry, dropping, and the `flask tenants` commands."""

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from audit import Actor
from models import AuditEntry, Membership, PoliceContact, Role, Store, StoreSetting
from tenants.errors import InvalidStoreName, TenancyError
from tenants.migrations import store_head
from tenants.provisioning import (
    StoreSpec,
    build_store_schema,
    create_store,
    drop_store,
    next_id_and_slugs_taken,
    register_store,
)
from tests.fixtures.factories import registry_row


def schema_exists(engines, schema):
    with engines.owner.connect() as conn:
        return bool(conn.scalar(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}))


def test_create_store_builds_a_ready_schema_at_head(engines, make_world, make_store, in_store):
    world = make_world()
    store = make_store(world, "Quayside Diamonds")
    row = registry_row(engines, store.id)
    assert row.status == "ready"
    assert row.schema_name == f"store_{store.id}"
    assert row.schema_revision == store_head()
    assert row.provisioned_at is not None
    settings = in_store(store, lambda s: dict(s.execute(sa.select(StoreSetting.key, StoreSetting.value)).all()))
    assert settings == {"contact_quiet_days": "60"}
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(PoliceContact))) == 0


def test_slugs_are_derived_unique_and_explicit_ones_checked(engines, make_world, make_store):
    world = make_world()
    first = make_store(world, "Anchor & Co")
    second = make_store(world, "Anchor & Co")
    assert first.slug == "anchor-co" or first.slug.startswith("anchor-co")
    assert second.slug != first.slug and second.slug.startswith("anchor-co-")
    with pytest.raises(InvalidStoreName, match="is not available"):
        create_store(engines.owner, StoreSpec(world.association.slug, "north", "Other", first.slug), app_role=None)


def test_the_free_address_check_reads_the_slug_index_not_the_whole_registry(engines, make_world, make_store):
    """Every store creation runs it: a scan of `stores` would grow with the association's size (bench/findings.md).
    With sequential scans priced out, the planner shows whether an index can serve the prefix at all."""
    world = make_world()
    taken = make_store(world, "Harbour Gems")
    make_store(world, "Harbour Gems")
    statement = next_id_and_slugs_taken(taken.slug, exact=False)
    with engines.owner.connect() as conn, conn.begin() as tx:
        # On Citus the registry is a coordinator-local table whose shard Citus plans on a connection of its own: the
        # setting must travel with the transaction (nothing happens on plain PostgreSQL).
        conn.execute(
            sa.text(
                "SELECT set_config('citus.propagate_set_commands', 'local', true) "
                "WHERE current_setting('citus.propagate_set_commands', true) IS NOT NULL"
            )
        )
        conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
        compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
        plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
        _next_id, slugs = conn.execute(statement).one()
        tx.rollback()
    assert "Seq Scan on stores" not in plan, plan
    assert "ix_stores_slug_pattern" in plan, plan
    assert sorted(slugs) == sorted([taken.slug, f"{taken.slug}-2"])


def test_unknown_association_or_region_is_a_clear_error(engines, make_world):
    world = make_world()
    with pytest.raises(InvalidStoreName, match="No association"):
        create_store(engines.owner, StoreSpec("nope-nope", "north", "X"), app_role=None)
    with pytest.raises(InvalidStoreName, match="No region"):
        create_store(engines.owner, StoreSpec(world.association.slug, "south", "X"), app_role=None)


def test_build_is_idempotent(engines, make_world, make_store, app_role):
    store = make_store(make_world())
    build_store_schema(engines.owner, store.id, app_role=app_role)
    assert registry_row(engines, store.id).status == "ready"


def test_a_failed_build_is_recorded_and_can_be_retried(engines, make_world, app_role):
    world = make_world()
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        store = register_store(session, association=world.association, region=world.region, name="Retry Gems")
    # Something else already holds the schema name: the build must fail cleanly.
    with engines.owner.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{store.schema_name}"')
    with pytest.raises(TenancyError, match="exists"):
        build_store_schema(engines.owner, store.id, app_role=app_role)
    row = registry_row(engines, store.id)
    assert row.status == "failed" and "exists" in row.last_error
    with engines.owner.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{store.schema_name}"')
    build_store_schema(engines.owner, store.id, app_role=app_role)
    row = registry_row(engines, store.id)
    assert row.status == "ready" and row.last_error is None


def test_drop_removes_schema_and_shared_rows_but_keeps_the_audit(engines, make_world, make_store, make_user):
    store = make_store(make_world())
    make_user(store=store)
    drop_store(engines.owner, store.id, actor=Actor.system("ops@example.test"))
    assert not schema_exists(engines, store.schema_name)
    with engines.owner.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(Store).where(Store.id == store.id)) == 0
        assert (
            conn.scalar(sa.select(sa.func.count()).select_from(Membership).where(Membership.store_id == store.id)) == 0
        )
        actions = conn.scalars(sa.select(AuditEntry.action).where(AuditEntry.store_id == store.id)).all()
    assert "store.create" in actions and "store.drop" in actions


def test_cli_create_list_drop(app, engines, make_world):
    world = make_world()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["tenants", "create", "--association", world.association.slug, "--region", "north", "--name", "Cli Jewels"]
    )
    assert result.exit_code == 0, result.output
    slug, schema = result.output.strip().split("\t")
    assert slug == "cli-jewels" and schema.startswith("store_")
    assert schema_exists(engines, schema)

    listing = runner.invoke(args=["tenants", "list"])
    assert listing.exit_code == 0
    assert any(line.startswith(f"{slug}\t{schema}\tready\t{store_head()}") for line in listing.output.splitlines())

    hostile = runner.invoke(
        args=[
            "tenants",
            "create",
            "--association",
            world.association.slug,
            "--region",
            "north",
            "--name",
            "X",
            "--slug",
            "pg_catalog",
        ]
    )
    assert hostile.exit_code != 0 and "store address" in hostile.output

    refused = runner.invoke(args=["tenants", "drop", slug])
    assert refused.exit_code != 0 and "--yes" in refused.output
    assert schema_exists(engines, schema)
    dropped = runner.invoke(args=["tenants", "drop", slug, "--yes"])
    assert dropped.exit_code == 0, dropped.output
    assert not schema_exists(engines, schema)


def test_the_app_role_cannot_change_a_store_schema(engines, make_world, make_store, app_role):
    if app_role is None:
        pytest.skip("requests use the owner role when DATABASE_URL is set without DATABASE_APP_URL")
    store = make_store(make_world())
    with engines.app.connect() as conn:
        with pytest.raises(sa.exc.ProgrammingError):
            conn.exec_driver_sql(f'CREATE TABLE "{store.schema_name}".evil (id int)')
        conn.rollback()
        with pytest.raises(sa.exc.ProgrammingError):
            conn.exec_driver_sql(f'DROP TABLE "{store.schema_name}".police_contacts')


def test_memberships_role_scope_is_enforced_by_the_database(engines, make_world, make_store, make_user):
    store = make_store(make_world())
    user = make_user()
    with pytest.raises(sa.exc.IntegrityError):
        with Session(engines.owner) as session, session.begin():
            session.add(Membership(user_id=user.id, association_id=store.association_id, role=Role.STORE_OWNER.value))
