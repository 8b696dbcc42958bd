"""Twin stores with identical primary keys and different contents: nobody reads or changes the other's rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import PoliceContact, Role
from tests.fixtures.web import csrf_token, sign_in


@pytest.fixture
def twins(make_world, make_store, make_user, in_store):
    """Two stores whose first police contact both have id 1, with different, recognisable contents."""
    world = make_world()
    a, b = make_store(world, "Twin Alpha Jewels"), make_store(world, "Twin Beta Jewels")
    for store, officer in ((a, "Officer Alpha-Secret"), (b, "Officer Beta-Secret")):
        in_store(store, lambda s, officer=officer: s.add(PoliceContact(agency="City", officer_name=officer)))
    ids = {s.slug: in_store(s, lambda session: session.scalar(sa.select(PoliceContact.id))) for s in (a, b)}
    assert ids[a.slug] == ids[b.slug] == 1
    return a, b, make_user(store=a, role=Role.STORE_OWNER), make_user(store=b, role=Role.STORE_OWNER)


def test_members_see_their_own_store(client, twins):
    a, _b, owner_a, _ = twins
    sign_in(client, owner_a.email)
    page = client.get(f"/s/{a.slug}/contacts/1")
    assert page.status_code == 200
    assert "Officer Alpha-Secret" in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/contacts/", "/contacts/1", "/contacts/1/edit", "/contacts/new"])
def test_a_member_of_a_gets_404_for_every_url_of_b(client, twins, path):
    a, b, owner_a, _ = twins
    sign_in(client, owner_a.email)
    response = client.get(f"/s/{b.slug}{path}")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Beta-Secret" not in body and b.name not in body


def test_a_member_of_a_cannot_change_bs_contact(client, twins, in_store):
    a, b, owner_a, _ = twins
    sign_in(client, owner_a.email)
    token = csrf_token(client.get(f"/s/{a.slug}/contacts/new").get_data(as_text=True))
    response = client.post(
        f"/s/{b.slug}/contacts/1/edit",
        data={"csrf_token": token, "agency": "Hacked", "officer_name": "Hacked", "preferred_contact": "phone"},
    )
    assert response.status_code == 404
    assert in_store(b, lambda s: s.get(PoliceContact, 1).officer_name) == "Officer Beta-Secret"
    # The same id in A's own URL edits A's row, never B's.
    response = client.post(
        f"/s/{a.slug}/contacts/1/edit",
        data={"csrf_token": token, "agency": "City", "officer_name": "Alpha Renamed", "preferred_contact": "phone"},
    )
    assert response.status_code == 302
    assert in_store(a, lambda s: s.get(PoliceContact, 1).officer_name) == "Alpha Renamed"
    assert in_store(b, lambda s: s.get(PoliceContact, 1).officer_name) == "Officer Beta-Secret"


def test_staff_cannot_use_owner_only_pages(client, twins, make_user):
    a, _b, _owner, _ = twins
    staff = make_user(store=a, role=Role.STORE_STAFF)
    sign_in(client, staff.email)
    assert client.get(f"/s/{a.slug}/contacts/1").status_code == 200
    assert client.get(f"/s/{a.slug}/contacts/1/edit").status_code == 403


def test_association_admin_cannot_open_a_store_workspace(client, twins, make_user):
    a, _b, _owner, _ = twins
    admin = make_user(association=_association_of(a), role=Role.ASSOCIATION_ADMIN)
    sign_in(client, admin.email)
    for path in ("/", "/contacts/", "/contacts/1"):
        response = client.get(f"/s/{a.slug}{path}")
        assert response.status_code == 404
        assert "Alpha-Secret" not in response.get_data(as_text=True)


def _association_of(store):
    from models import Association

    return Association(id=store.association_id, slug="", name="")


def test_anonymous_visitors_are_sent_to_sign_in(client, twins):
    a, *_ = twins
    response = client.get(f"/s/{a.slug}/contacts/1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_person_in_both_stores_sees_each_in_its_own_url(client, twins, add_membership, make_user):
    a, b, *_ = twins
    both = make_user(store=a, role=Role.STORE_MANAGER)
    add_membership(both, b, Role.STORE_MANAGER)
    sign_in(client, both.email)
    switcher = client.get("/stores").get_data(as_text=True)
    assert a.name in switcher and b.name in switcher
    assert "Alpha-Secret" in client.get(f"/s/{a.slug}/contacts/1").get_data(as_text=True)
    body_b = client.get(f"/s/{b.slug}/contacts/1").get_data(as_text=True)
    assert "Beta-Secret" in body_b and "Alpha-Secret" not in body_b


@pytest.fixture
def pool_of_one_app(database_settings, app):
    """A second app whose request pool holds a single connection, with a route that fails after writing."""
    from flask import abort

    from app import create_app
    from blueprints.guards import store_view
    from database.request_scope import db

    small = create_app(
        "testing",
        {**database_settings, "DATABASE_POOL_SIZE": 1, "DATABASE_MAX_OVERFLOW": 0, "PROPAGATE_EXCEPTIONS": False},
    )

    @small.route("/s/<store_slug>/_test/write-then-fail/<kind>", methods=["GET"])
    @store_view()
    def write_then_fail(store, membership, kind):
        db().add(PoliceContact(agency="Leaked", officer_name=f"Leaked into {store.slug}"))
        db().flush()
        if kind == "abort":
            abort(409)
        raise RuntimeError("boom after a write")

    yield small
    small.extensions["loupe_db"].dispose()


def test_interleaved_requests_on_a_pool_of_one_never_leak(pool_of_one_app, twins, in_store):
    a, b, owner_a, owner_b = twins
    client_a, client_b = pool_of_one_app.test_client(), pool_of_one_app.test_client()
    sign_in(client_a, owner_a.email)
    sign_in(client_b, owner_b.email)
    for round_ in range(3):
        for client, store, own, other in ((client_a, a, "Alpha", "Beta"), (client_b, b, "Beta", "Alpha")):
            body = client.get(f"/s/{store.slug}/contacts/1").get_data(as_text=True)
            assert own in body and f"Officer {other}" not in body, round_
            failing = client.get(f"/s/{store.slug}/_test/write-then-fail/{'abort' if round_ % 2 else 'error'}")
            assert failing.status_code in (409, 500)
            listing = client.get(f"/s/{store.slug}/contacts/").get_data(as_text=True)
            assert "Leaked" not in listing and f"Officer {other}" not in listing
    for store in (a, b):
        assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(PoliceContact))) == 1
