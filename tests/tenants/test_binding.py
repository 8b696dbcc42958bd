"""Binding sessions to store schemas: one store per session, generated names only, unbound queries fail."""

import pytest
import sqlalchemy as sa

from models import PoliceContact
from tenants.binding import bind_schema, bound_schema, open_session, store_session
from tenants.errors import TenantBindingError


def test_a_session_is_bound_to_one_store_for_its_whole_life(engines, make_world, make_store, in_store):
    world = make_world()
    a, b = make_store(world), make_store(world)
    in_store(a, lambda s: s.add(PoliceContact(agency="A", officer_name="Only in A")))
    session = open_session(engines.app, a.schema_name)
    try:
        assert bound_schema(session) == a.schema_name
        assert session.scalar(sa.select(PoliceContact.officer_name)) == "Only in A"
        session.commit()  # the binding survives the commit: same connection
        assert session.scalar(sa.select(PoliceContact.officer_name)) == "Only in A"
        bind_schema(session, a.schema_name)  # rebinding to the same store is harmless
        with pytest.raises(TenantBindingError, match="already bound"):
            bind_schema(session, b.schema_name)
    finally:
        session.close()
    with store_session(engines.app, b.schema_name) as other:
        assert other.scalar(sa.select(sa.func.count()).select_from(PoliceContact)) == 0


@pytest.mark.parametrize("name", ["public", "loupe", "store_1; DROP SCHEMA loupe", "pg_catalog", "store_"])
def test_only_generated_schema_names_can_be_bound(engines, name):
    with pytest.raises(TenantBindingError):
        open_session(engines.app, name)


def test_an_unbound_session_cannot_read_store_tables(engines, app_role):
    if app_role is None:
        pytest.skip("the empty default search_path belongs to the app role")
    session = open_session(engines.app)
    try:
        with pytest.raises(sa.exc.ProgrammingError, match="police_contacts"):
            session.scalar(sa.select(sa.func.count()).select_from(PoliceContact))
    finally:
        session.close()


def test_the_connection_returns_to_the_pool_without_the_binding(engines, make_world, make_store):
    """On a pool of one, the next session gets the same connection and it is not bound to the last store."""
    from database.engines import make_engines

    store = make_store(make_world())
    url = engines.app.url.render_as_string(hide_password=False)
    small = make_engines(url, url, pool_size=1, max_overflow=0)
    try:
        with store_session(small.app, store.schema_name) as first:
            first.scalar(sa.select(sa.func.count()).select_from(PoliceContact))
            pid = first.scalar(sa.select(sa.func.pg_backend_pid()))
        second = open_session(small.app)
        try:
            assert second.scalar(sa.select(sa.func.pg_backend_pid())) == pid
            assert bound_schema(second) is None
        finally:
            second.close()
    finally:
        small.dispose()


def test_a_connection_is_retired_after_serving_its_budget_of_stores(engines, make_world, make_store):
    """With a budget of 2 stores, the backend that served 3 is closed at the next checkout, never mid-session."""
    from database.engines import make_engines

    world = make_world()
    stores = [make_store(world) for _ in range(3)]
    url = engines.app.url.render_as_string(hide_password=False)
    small = make_engines(url, url, pool_size=1, max_overflow=0, stores_per_connection=2)

    def visit(store) -> int:
        with store_session(small.app, store.schema_name) as session:
            session.scalar(sa.select(sa.func.count()).select_from(PoliceContact))
            return session.scalar(sa.select(sa.func.pg_backend_pid()))

    try:
        first = visit(stores[0])
        assert visit(stores[1]) == first
        assert visit(stores[0]) == first  # the same store again does not count twice
        assert visit(stores[2]) == first  # the third store is served; the budget is checked at checkout
        fourth = visit(stores[0])
        assert fourth != first  # retired: a new backend with empty caches
        assert _backend_gone(engines.owner, first)  # closed, not left idle in the pool
        assert visit(stores[1]) == fourth
    finally:
        small.dispose()


def test_no_budget_keeps_the_connection(engines, make_world, make_store):
    from database.engines import make_engines

    world = make_world()
    stores = [make_store(world) for _ in range(3)]
    url = engines.app.url.render_as_string(hide_password=False)
    small = make_engines(url, url, pool_size=1, max_overflow=0, stores_per_connection=0)
    try:
        pids = set()
        for store in stores * 2:
            with store_session(small.app, store.schema_name) as session:
                pids.add(session.scalar(sa.select(sa.func.pg_backend_pid())))
        assert len(pids) == 1
    finally:
        small.dispose()


def _backend_gone(owner, pid: int, wait: float = 5.0) -> bool:
    """Whether backend `pid` has exited (it does so just after its connection is closed)."""
    import time

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        with owner.connect() as conn:
            if not conn.scalar(sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}):
                return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("pooler", [False, True])
def test_behind_a_transaction_pooler_no_statement_is_prepared_on_the_server(engines, pooler):
    """A prepared statement lives on one server connection; PgBouncer in transaction mode sends the next
    transaction to any other ("prepared statement _pg3_0 does not exist"). DATABASE_TRANSACTION_POOLER turns
    psycopg's server-side preparing off on the app engine (issue #22, bench measure 12)."""
    from database.engines import make_engines

    url = engines.app.url.render_as_string(hide_password=False)
    small = make_engines(url, url, pool_size=1, max_overflow=0, transaction_pooler=pooler)
    try:
        with small.app.connect() as conn:
            for _ in range(8):  # psycopg prepares on the 5th run of the same statement
                conn.execute(sa.text("SELECT count(*) FROM pg_class WHERE relkind = :k"), {"k": "r"})
            prepared = conn.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements"))
        assert (prepared == 0) if pooler else (prepared > 0)
    finally:
        small.dispose()
