"""`store_view` decides from the memberships read with the person's session: one query per request, never stale."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Membership, Role, StoreSubscription
from tests.fixtures.web import sign_in


def _shared_queries(engine, client, path: str) -> tuple[int, list[str]]:
    """The response status and the shared-schema statements the request ran on the app engine."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        status = client.get(path).status_code
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return status, [s for s in seen if re.search(r"\bFROM loupe\.", s)]


def test_the_store_check_reads_no_more_than_the_navigation_does(client, engines, make_world, make_store, make_user):
    world = make_world()
    store = make_store(world)
    owner = make_user(store=store, role=Role.STORE_OWNER)
    sign_in(client, owner.email)
    status, shared = _shared_queries(engines.app, client, f"/s/{store.slug}/contacts/")
    assert status == 200
    membership_reads = [s for s in shared if "loupe.memberships" in s.split(" WHERE ")[0]]
    assert len(membership_reads) == 1, shared  # navigation and the store check share one read
    assert "loupe.store_subscriptions" in membership_reads[0]  # dues state comes with it
    # ... and it is the sign-in check's read: the session, the person and the memberships in one round trip.
    assert membership_reads[0].startswith("SELECT loupe.auth_sessions."), membership_reads[0]
    assert not any(s.startswith("SELECT loupe.memberships.") for s in shared), shared
    # No lookup of the store, its subscription or its association on their own.
    alone = [s for s in shared if re.match(r"SELECT loupe\.(stores|store_subscriptions|associations)\.", s)]
    assert alone == [], alone


def test_a_removed_membership_applies_to_the_very_next_request(client, engines, make_world, make_store, make_user):
    world = make_world()
    store = make_store(world)
    owner = make_user(store=store, role=Role.STORE_OWNER)
    sign_in(client, owner.email)
    assert client.get(f"/s/{store.slug}/").status_code == 200
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.delete(Membership).where(Membership.user_id == owner.id, Membership.store_id == store.id))
    assert client.get(f"/s/{store.slug}/").status_code == 404


def test_a_changed_dues_status_applies_to_the_very_next_request(client, engines, make_world, make_store, make_user):
    world = make_world()
    store = make_store(world)
    owner = make_user(store=store, role=Role.STORE_OWNER)
    sign_in(client, owner.email)
    assert client.get(f"/s/{store.slug}/contacts/").status_code == 200
    with Session(engines.owner) as session, session.begin():
        session.add(StoreSubscription(store_id=store.id, association_id=store.association_id, status="canceled"))
    response = client.get(f"/s/{store.slug}/contacts/")
    assert response.status_code == 403
    assert "membership has ended" in response.get_data(as_text=True)
