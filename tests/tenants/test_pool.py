"""The warm pool of pre-built store schemas: claims equal cold builds, never shared, never stale, never visible."""

from __future__ import annotations

import textwrap
import threading

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from models import PoliceContact, StoreSetting
from models.schema_pool import PoolSchema
from tenants.migrations import migrate_all_stores, store_config, store_head
from tenants.pool import claim_pool_schema, drain_pool, fill_pool, migrate_pool, pool_size
from tenants.provisioning import StoreSpec, create_store
from tests.fixtures.factories import registry_row, unique
from tests.tenants.catalog import describe_schema

REVISION = textwrap.dedent(
    '''
    """test-only: a column and an index"""
    import sqlalchemy as sa
    from alembic import op

    revision = "t9002"
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


@pytest.fixture
def pool(engines, app_role):
    """An empty pool before and after the test (other tests keep building stores cold)."""
    drain_pool(engines.owner)

    def fill(size: int, *, revision: str | None = None, role: str | None | bool = False) -> int:
        return fill_pool(
            engines.owner, size, revision=revision or store_head(), app_role=app_role if role is False else role
        )

    yield fill
    drain_pool(engines.owner)


def pool_rows(engines) -> list[tuple[str, str]]:
    with engines.owner.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(sa.select(PoolSchema.schema_name, PoolSchema.revision).order_by(PoolSchema.id))
        ]


def schema_exists(engines, schema: str) -> bool:
    with engines.owner.connect() as conn:
        return bool(conn.scalar(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}))


def app_privileges(engines, schema: str, role: str | None) -> dict:
    """What `role` may do in `schema`: schema usage, table privileges, sequence usage (schema name left out)."""
    if role is None:
        return {}
    with engines.owner.connect() as conn:
        usage = conn.scalar(sa.select(sa.func.has_schema_privilege(role, schema, "USAGE")))
        tables = conn.execute(
            sa.text(
                """SELECT table_name, privilege_type FROM information_schema.role_table_grants
                   WHERE grantee = :r AND table_schema = :s ORDER BY 1, 2"""
            ),
            {"r": role, "s": schema},
        ).all()
        sequences = conn.execute(
            sa.text(
                """SELECT c.relname, has_sequence_privilege(:r, c.oid, 'USAGE'),
                          has_sequence_privilege(:r, c.oid, 'SELECT')
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = :s AND c.relkind = 'S' ORDER BY 1"""
            ),
            {"r": role, "s": schema},
        ).all()
    return {"usage": usage, "tables": [tuple(r) for r in tables], "sequences": [tuple(r) for r in sequences]}


def test_a_claimed_schema_equals_a_cold_built_one(engines, app_role, make_world, pool, in_store):
    world = make_world()
    assert pool(1) == 1
    [(pool_schema, revision)] = pool_rows(engines)
    assert pool_schema.startswith("pool_") and revision == store_head()

    claimed = create_store(
        engines.owner, StoreSpec(world.association.slug, "north", unique("Pooled")), app_role=app_role
    )
    cold = create_store(
        engines.owner, StoreSpec(world.association.slug, "north", unique("Cold")), app_role=app_role, use_pool=False
    )
    assert pool_rows(engines) == [] and not schema_exists(engines, pool_schema)
    for store in (claimed, cold):
        row = registry_row(engines, store.id)
        assert row.status == "ready" and row.schema_revision == store_head() and row.provisioned_at is not None
        assert row.schema_name == f"store_{store.id}" and schema_exists(engines, row.schema_name)
    assert claimed.status == "ready" and claimed.schema_name == f"store_{claimed.id}"

    with engines.owner.connect() as conn:
        assert describe_schema(conn, claimed.schema_name) == describe_schema(conn, cold.schema_name)
        versions = {
            s: conn.scalar(sa.text(f'SELECT version_num FROM "{s}".alembic_version'))
            for s in (claimed.schema_name, cold.schema_name)
        }
    assert versions == {claimed.schema_name: store_head(), cold.schema_name: store_head()}
    assert app_privileges(engines, claimed.schema_name, app_role) == app_privileges(engines, cold.schema_name, app_role)

    # Seeded at claim time, readable and writable by the app role like any store's.
    def settings(session):
        return dict(session.execute(sa.select(StoreSetting.key, StoreSetting.value)).all())

    assert in_store(claimed, settings) == in_store(cold, settings) == {"contact_quiet_days": "60"}

    def add_contact(session):
        session.add(PoliceContact(officer_name="Sgt. Pool", agency="North"))
        session.flush()
        return session.scalar(sa.select(sa.func.count()).select_from(PoliceContact))

    assert in_store(claimed, add_contact) == 1


def test_concurrent_claims_never_hand_out_the_same_schema(engines, app_role, pool):
    """Six transactions claim at once (each holds its claim until all have tried): four get distinct schemas."""
    assert pool(4) == 4
    available = {name for name, _ in pool_rows(engines)}
    claimers = 6
    barrier = threading.Barrier(claimers, timeout=30)
    results: dict[int, str | None] = {}
    errors: list[BaseException] = []

    def claim(i: int) -> None:
        try:
            with engines.owner.connect() as conn, conn.begin() as tx:
                barrier.wait()
                results[i] = claim_pool_schema(conn, f"store_{990000 + i}", revision=store_head(), app_role=app_role)
                barrier.wait()  # nobody commits before everyone has claimed: the rows are locked concurrently
                tx.rollback()  # the schema goes back to the pool unchanged
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(claimers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    got = [name for name in results.values() if name is not None]
    assert len(got) == 4 and set(got) == available  # four distinct schemas, two claimers found none
    assert {name for name, _ in pool_rows(engines)} == available  # rolled back: still in the pool, same names
    assert all(schema_exists(engines, name) for name in available)


def test_concurrent_store_creation_uses_distinct_pool_schemas(engines, app_role, make_world, pool, in_store):
    world = make_world()
    assert pool(3) == 3
    stores, errors = [], []

    def make(i: int) -> None:
        try:
            stores.append(
                create_store(
                    engines.owner, StoreSpec(world.association.slug, "north", unique(f"Par{i}")), app_role=app_role
                )
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=make, args=(i,)) for i in range(4)]  # one more than the pool holds
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(stores) == 4
    assert len({s.schema_name for s in stores}) == 4 and pool_rows(engines) == []
    for store in stores:
        assert registry_row(engines, store.id).status == "ready"
        assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(StoreSetting))) == 1


def test_an_empty_pool_falls_back_to_the_cold_build(engines, app_role, make_world, pool, in_store):
    world = make_world()
    store = create_store(engines.owner, StoreSpec(world.association.slug, "north", unique("Empty")), app_role=app_role)
    row = registry_row(engines, store.id)
    assert row.status == "ready" and row.schema_revision == store_head()
    assert in_store(store, lambda s: s.scalar(sa.select(StoreSetting.value))) == "60"
    assert pool_rows(engines) == []


def test_pool_schemas_built_for_another_role_are_not_handed_out(engines, app_role, pool):
    other = None if app_role else "loupe_app"
    assert pool(1, role=other) == 1
    with engines.owner.connect() as conn, conn.begin():
        assert claim_pool_schema(conn, "store_990100", revision=store_head(), app_role=app_role) is None
        assert pool_size(conn, revision=store_head(), app_role=app_role) == 0


def test_stale_pool_schemas_are_not_handed_out_and_the_runner_brings_them_forward(engines, app_role, pool, tmp_path):
    folder = tmp_path / "extra_versions"
    folder.mkdir()
    (folder / "t9002_badge.py").write_text(REVISION.format(down=store_head()))
    script = ScriptDirectory.from_config(store_config([folder]))
    assert script.get_current_head() == "t9002"
    assert pool(3) == 3  # built at the code's head, which is now one revision behind t9002
    names = [name for name, _ in pool_rows(engines)]
    # Break one so that its upgrade fails: the runner must drop it rather than keep or hand it out.
    broken = names[1]
    with engines.owner.begin() as conn:
        conn.exec_driver_sql(f'ALTER TABLE "{broken}".police_contacts ADD COLUMN badge_number int')

    # Code at the new head finds nothing usable: stale schemas are never handed out.
    with engines.owner.connect() as conn, conn.begin():
        assert claim_pool_schema(conn, "store_990200", revision="t9002", app_role=app_role) is None

    report = migrate_pool(engines.owner, script=script, target="t9002", app_role=app_role)
    assert sorted(report.upgraded) == sorted([names[0], names[2]])
    assert list(report.dropped) == [broken] and "badge_number" in report.dropped[broken]
    assert not schema_exists(engines, broken)
    assert pool_rows(engines) == [(names[0], "t9002"), (names[2], "t9002")]
    with engines.owner.connect() as conn:
        assert conn.scalar(sa.text(f'SELECT version_num FROM "{names[0]}".alembic_version')) == "t9002"
        assert "badge_number" in set(
            conn.scalars(
                sa.text("SELECT column_name FROM information_schema.columns WHERE table_schema = :s"), {"s": names[0]}
            )
        )
    # Nothing left to do on a second run.
    again = migrate_pool(engines.owner, script=script, target="t9002", app_role=app_role)
    assert again.upgraded == [] and again.dropped == {}

    # A claim by code at t9002 now gets an upgraded schema (rolled back: the fixture drains the pool).
    with engines.owner.connect() as conn, conn.begin() as tx:
        assert claim_pool_schema(conn, "store_990201", revision="t9002", app_role=app_role) in (names[0], names[2])
        tx.rollback()


def test_a_schema_whose_stamp_disagrees_with_its_row_is_dropped_not_handed_out(engines, app_role, pool):
    assert pool(1) == 1
    [(name, _)] = pool_rows(engines)
    with engines.owner.begin() as conn:
        conn.exec_driver_sql(f"UPDATE \"{name}\".alembic_version SET version_num = 's0001'")
    with engines.owner.begin() as conn:
        assert claim_pool_schema(conn, "store_990300", revision=store_head(), app_role=app_role) is None
    assert pool_rows(engines) == [] and not schema_exists(engines, name)
    assert not schema_exists(engines, "store_990300")


def test_a_pool_schema_holds_no_data_and_the_app_role_cannot_reach_it(engines, app_role, pool):
    assert pool(1) == 1
    [(name, _)] = pool_rows(engines)
    with engines.owner.connect() as conn:
        tables = conn.scalars(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :s AND tablename <> 'alembic_version'"),
            {"s": name},
        ).all()
        assert len(tables) > 5
        assert all(conn.scalar(sa.text(f'SELECT count(*) FROM "{name}"."{t}"')) == 0 for t in tables)
    if app_role is None:
        pytest.skip("requests use the owner role when DATABASE_URL is set without DATABASE_APP_URL")
    with engines.owner.connect() as conn:
        assert conn.scalar(sa.select(sa.func.has_schema_privilege(app_role, name, "USAGE"))) is False
        assert conn.scalar(sa.select(sa.func.has_table_privilege(app_role, "loupe.schema_pool", "SELECT"))) is False
    with engines.app.connect() as conn:
        for statement in (
            f'SELECT * FROM "{name}".store_settings',
            f"INSERT INTO \"{name}\".police_contacts (officer_name, agency) VALUES ('x', 'y')",
            "SELECT schema_name FROM loupe.schema_pool",
        ):
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql(statement)
            conn.rollback()


def test_cli_pool_fill_status_drain(app, engines, pool):
    runner = app.test_cli_runner()
    filled = runner.invoke(args=["tenants", "pool", "fill", "--size", "2"])
    assert filled.exit_code == 0, filled.output
    assert f"head {store_head()}: built 2 pool schema(s); 2 ready" in filled.output
    again = runner.invoke(args=["tenants", "pool", "fill", "--size", "2"])
    assert "built 0 pool schema(s)" in again.output
    status = runner.invoke(args=["tenants", "pool", "status"])
    assert status.exit_code == 0 and f"{store_head()}\t" in status.output and "\t2\tyes" in status.output
    kept = runner.invoke(args=["tenants", "pool", "drain", "--stale-only"])
    assert "dropped 0 pool schema(s)" in kept.output and len(pool_rows(engines)) == 2
    drained = runner.invoke(args=["tenants", "pool", "drain"])
    assert drained.exit_code == 0 and "dropped 2 pool schema(s)" in drained.output and pool_rows(engines) == []


def test_a_full_migration_run_also_puts_the_pool_right(engines, app_role, pool):
    """`migrate_all_stores` without a store list handles the pool first: a schema with another role's grants goes."""
    other = None if app_role else "loupe_app"
    assert pool(1, role=other) == 1 and pool(1) == 1
    foreign = pool_rows(engines)[0][0]  # built first, for the other role
    report = migrate_all_stores(engines.owner, workers=1, app_role=app_role)
    assert list(report.pool_dropped) == [foreign] and "role" in report.pool_dropped[foreign]
    assert report.pool_upgraded == []
    with engines.owner.connect() as conn, conn.begin():
        assert pool_size(conn, revision=store_head(), app_role=app_role) == 1
