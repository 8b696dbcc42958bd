"""Admin portal isolation: another association's admin, store people and liaisons get 404, whatever ids are sent."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Area, Membership, Region, Role, Store
from tests.admin.conftest import enrol, sign_in_with_code
from tests.fixtures.web import csrf_token, sign_in

SECRET_NAME = "Zircon Secret Jewels"


def _admin_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def _fill(rule, values):
    return rule.build({name: values.get(name, 1) for name in rule.arguments}, append_unknown=False)[1]


def test_an_admin_of_another_association_gets_404_for_every_id(
    app, admin_world, make_world, make_store, make_user, engines
):
    target_store = make_store(admin_world.world, SECRET_NAME)
    owner = make_user(store=target_store)
    with Session(engines.owner) as session, session.begin():
        area = Area(region_id=admin_world.world.region.id, slug="hidden", name="Hidden Area")
        session.add(area)
        session.flush()
        area_id = area.id
        membership_id = session.scalar(sa.select(Membership.id).where(Membership.user_id == owner.id))
    ids = {
        "store_id": target_store.id,
        "region_id": admin_world.world.region.id,
        "area_id": area_id,
        "user_id": owner.id,
        "membership_id": membership_id,
    }
    b = make_world()
    b_store = make_store(b)
    b_admin = make_user(association=b.association, role=Role.ASSOCIATION_ADMIN)
    secret = enrol(engines, b_admin)
    client = app.test_client()
    sign_in_with_code(client, engines, b_admin, secret)
    token = csrf_token(client.get(f"/a/{b.association.slug}/members/").get_data(as_text=True))
    tried = 0
    for rule, method in _admin_rules(app):
        if not ({"store_id", "region_id", "area_id", "user_id", "membership_id"} & set(rule.arguments)):
            continue
        # A's ids inside B's own portal: not found.
        url = _fill(rule, {"association_slug": b.association.slug, **ids})
        data = {
            "csrf_token": token,
            "region": str(admin_world.other_region.id),
            "name": "Hijacked",
            "role": "manager",
            "confirm_slug": target_store.slug,
            "understood": "y",
            "agency": "X",
        }
        response = client.get(url) if method == "GET" else client.open(url, method=method, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code == 404, (method, url, response.status_code)
        assert SECRET_NAME not in body and owner.email not in body
        # A's portal itself: not found either.
        url = _fill(rule, {"association_slug": admin_world.association.slug, **ids})
        response = client.get(url) if method == "GET" else client.open(url, method=method, data=data)
        assert response.status_code == 404, (method, url, response.status_code)
        tried += 2
    assert tried > 30
    with Session(engines.owner) as session:
        store = session.get(Store, target_store.id)
        assert (store.status, store.region_id, store.name) == ("ready", admin_world.world.region.id, SECRET_NAME)
        assert session.get(Region, admin_world.world.region.id).name == "North"
        assert session.scalar(sa.select(Membership.role).where(Membership.id == membership_id)) == "owner"
    # B's own lists hold nothing of A.
    for path in ("/", "/members/", "/people/", "/regions/", "/audit/"):
        body = client.get(f"/a/{b.association.slug}{path}").get_data(as_text=True)
        assert SECRET_NAME not in body and owner.email not in body and "Hidden Area" not in body
    assert b_store.name in client.get(f"/a/{b.association.slug}/members/").get_data(as_text=True)


def test_store_people_and_liaisons_get_404_on_admin_pages(app, admin_world, make_store, make_user, engines):
    store = make_store(admin_world.world, SECRET_NAME)
    people = [
        make_user(store=store, role=Role.STORE_OWNER),
        make_user(store=store, role=Role.STORE_STAFF),
        make_user(association=admin_world.association, role=Role.POLICE_LIAISON),
    ]
    liaison_secret = enrol(engines, people[2])
    for person in people:
        client = app.test_client()
        if person is people[2]:
            sign_in_with_code(client, engines, person, liaison_secret)
        else:
            sign_in(client, person.email)
        token = csrf_token(client.get("/account/password").get_data(as_text=True))
        for rule, method in _admin_rules(app):
            url = _fill(rule, {"association_slug": admin_world.association.slug, "store_id": store.id})
            response = (
                client.get(url) if method == "GET" else client.open(url, method=method, data={"csrf_token": token})
            )
            assert response.status_code == 404, (person.email, method, url)
            assert SECRET_NAME not in response.get_data(as_text=True)
