"""Trends read only the shared facts table (and the registry's store counts per region and area): the number of
SQL statements of the trend query and of the feed's trend page is the same for 10 and for 200 contributing stores
(facts written directly; no store schemas needed)."""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import Session

import trends
from models import Association, Role
from models.base import utcnow
from models.store.logbook import INCIDENT_TYPES
from tests.bulletins.conftest import signed_in
from tests.trends.conftest import add_facts, add_member_stores, publish_weeks, week


@contextmanager
def counting(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _world_with(engines, make_world, make_store, make_user, stores: int):
    world = make_world()
    store = make_store(world)
    user = make_user(store=store, role=Role.STORE_STAFF)
    # A region large enough that `stores` reporting leaves at least k out (the group-disclosure rule).
    add_member_stores(engines, association_id=world.association.id, region_id=world.region.id, count=stores + 10)
    for ago in range(12):
        for incident_type in list(INCIDENT_TYPES)[:3]:
            add_facts(
                engines,
                association_id=world.association.id,
                region_id=world.region.id,
                stores=stores,
                week=week(ago),
                incident_type=incident_type,
                tag=f"{ago}-{incident_type}-",
            )
    publish_weeks(engines, world.association.id)
    return world, store, user


def test_statements_do_not_grow_with_the_number_of_stores(app, engines, make_world, make_store, make_user):
    counts = {}
    for stores in (10, 200):
        world, store, user = _world_with(engines, make_world, make_store, make_user, stores)
        with Session(engines.app) as session:
            association = session.get(Association, world.association.id)
            # Closed weeks are published once, by the closing job (`trends.closing`): a look only reads them.
            with counting(engines.app) as query:
                found = trends.weekly_trends(session, association, today=utcnow().date())
        assert found[0].total.last == 3 * stores
        client = signed_in(app, user)
        client.get(f"/s/{store.slug}/feed/trends")  # warm-up (first-request caches)
        with counting(engines.app) as page:
            response = client.get(f"/s/{store.slug}/feed/trends")
        assert response.status_code == 200 and f"<td>{3 * stores}</td>" in response.get_data(as_text=True)
        counts[stores] = (len(query), len(page))
    assert counts[10] == counts[200]
    assert counts[10][0] <= 3  # regions, frozen cells, area names
