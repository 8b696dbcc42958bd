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
