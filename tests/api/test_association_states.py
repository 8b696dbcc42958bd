"""When an association is suspended by the operator or stops paying for Loupe (issue 20 parts 1–2), its API tokens
and its police liaisons' pages follow the same rule as its store and admin pages: suspended → 423 (the JSON error
shape for the API, the clear page for people), nothing stored; not paid → reading only, then export only."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Incident, Membership, Role
from tests.admin.conftest import enrol, sign_in_with_code
from tests.api.conftest import bearer
from tests.api.test_api import INCIDENT, _error
from tests.billing.test_platform import _set_unpaid
from tests.bulletins.conftest import page_text
from tests.fixtures.web import csrf_token

READ_ONLY = "read-only"
LAPSED = "only exports stay open"


def _suspend(engines, association_id: int) -> None:
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.text("UPDATE loupe.associations SET suspended_at = now() WHERE id = :id"), {"id": association_id}
        )


def _incidents(in_store, store) -> int:
    return in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Incident)))


def test_every_token_of_a_suspended_association_gets_423_json_and_stores_nothing(
    app, engines, make_world, make_store, make_token, make_liaison_token, add_bulletin, in_store
):
    world = make_world("Closed Guild")
    store = make_store(world)
    add_bulletin(world, title="Grey van")
    store_token = make_token(store=store)
    association_token = make_token(association=world.association)
    _u, _m, liaison_token = make_liaison_token(world.association, region_id=world.region.id)
    api = app.test_client()
    assert api.get("/api/v1/bulletins", headers=bearer(liaison_token)).status_code == 200
    _suspend(engines, world.association.id)
    for token, path in (
        (store_token, "/api/v1/bulletins"),
        (store_token, "/api/v1/trends"),
        (association_token, "/api/v1/members"),
        (liaison_token, "/api/v1/bulletins"),
        (liaison_token, "/api/v1/patterns"),
        (liaison_token, "/api/v1/trends"),
    ):
        error = _error(api.get(path, headers=bearer(token)), 423, "locked")
        assert "Closed Guild is suspended" in error["message"] and "Grey van" not in error["message"]
    _error(api.post("/api/v1/incidents", json=INCIDENT, headers=bearer(store_token)), 423, "locked")
    assert _incidents(in_store, store) == 0
    # Another association's tokens are not touched.
    other = make_world()
    assert api.get("/api/v1/bulletins", headers=bearer(make_token(store=make_store(other)))).status_code == 200


def test_tokens_of_an_unpaid_association_read_only_then_only_the_member_list(
    app, engines, make_world, make_store, make_token, make_liaison_token, in_store
):
    world = make_world()
    store = make_store(world)
    store_token = make_token(store=store)
    association_token = make_token(association=world.association)
    _u, _m, liaison_token = make_liaison_token(world.association, region_id=world.region.id)
    api = app.test_client()
    _set_unpaid(engines, world.association.id, days_ago=2)  # within the grace period: read-only
    assert api.get("/api/v1/bulletins", headers=bearer(store_token)).status_code == 200
    assert api.get("/api/v1/bulletins", headers=bearer(liaison_token)).status_code == 200
    assert api.get("/api/v1/members", headers=bearer(association_token)).status_code == 200
    refused = _error(api.post("/api/v1/incidents", json=INCIDENT, headers=bearer(store_token)), 403, "forbidden")
    assert READ_ONLY in refused["message"] and _incidents(in_store, store) == 0
    _set_unpaid(engines, world.association.id, days_ago=30)  # past the grace period: export only
    for token, path in ((store_token, "/api/v1/bulletins"), (liaison_token, "/api/v1/trends")):
        assert LAPSED in _error(api.get(path, headers=bearer(token)), 403, "forbidden")["message"]
    # The member list is the association's own data: it can always take it away.
    assert api.get("/api/v1/members", headers=bearer(association_token)).status_code == 200


def _liaison_client(app, engines, make_user, association, region_id):
    liaison = make_user(association=association, role=Role.POLICE_LIAISON)
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(Membership).where(Membership.user_id == liaison.id).values(region_id=region_id))
    client = app.test_client()
    sign_in_with_code(client, engines, liaison, enrol(engines, liaison))
    return liaison, client


def test_a_liaison_of_a_suspended_association_gets_the_page_on_every_liaison_page(
    app, engines, make_world, make_user, make_liaison_token
):
    world = make_world("Closed Guild")
    _liaison, client = _liaison_client(app, engines, make_user, world.association, world.region.id)
    _suspend(engines, world.association.id)
    for path in ("/liaison/", "/liaison/feed/", "/liaison/trends", "/liaison/api-tokens", "/liaison/webhooks/",
                 "/liaison/export/bulletins.csv"):  # fmt: skip
        shown = client.get(path)
        assert shown.status_code == 423 and "Closed Guild is suspended" in shown.get_data(as_text=True), path


def test_a_liaison_of_two_associations_keeps_the_one_that_is_not_suspended(
    app, engines, make_world, make_user, add_bulletin
):
    open_world, closed_world = make_world("Open Guild"), make_world("Closed Guild")
    add_bulletin(open_world, title="Open guild bulletin")
    add_bulletin(closed_world, title="Closed guild bulletin")
    liaison, client = _liaison_client(app, engines, make_user, closed_world.association, closed_world.region.id)
    with Session(engines.owner) as session, session.begin():
        session.add(
            Membership(
                user_id=liaison.id,
                association_id=open_world.association.id,
                region_id=open_world.region.id,
                role=Role.POLICE_LIAISON.value,
            )
        )
    feed = page_text(client.get("/liaison/feed/"))
    assert "Open guild bulletin" in feed and "Closed guild bulletin" in feed
    _suspend(engines, closed_world.association.id)
    feed = client.get("/liaison/feed/")
    assert feed.status_code == 200
    assert "Open guild bulletin" in page_text(feed) and "Closed guild bulletin" not in page_text(feed)
    export = client.get("/liaison/export/bulletins.json").get_data(as_text=True)
    assert "Open guild bulletin" in export and "Closed guild bulletin" not in export


def test_a_liaison_of_an_unpaid_association_reads_then_only_exports(app, engines, make_world, make_user, add_bulletin):
    world = make_world()
    add_bulletin(world, title="Grey van")
    _liaison, client = _liaison_client(app, engines, make_user, world.association, world.region.id)
    _set_unpaid(engines, world.association.id, days_ago=2)
    feed = client.get("/liaison/feed/")
    assert feed.status_code == 200 and "Grey van" in page_text(feed) and "not paid" in page_text(feed)
    page = client.get("/liaison/api-tokens")
    made = client.post(
        "/liaison/api-tokens", data={"name": "RMS", "scopes": ["bulletins:read"], "csrf_token": csrf_token(page.text)}
    )
    assert made.status_code == 403 and READ_ONLY in made.get_data(as_text=True)
    form = client.get("/liaison/bulletins/new")
    posted = client.post(
        "/liaison/bulletins/new",
        data={"region": str(world.region.id), "title": "T", "modus_operandi": "M", "tlp": "AMBER",
              "action": "post", "csrf_token": csrf_token(form.text)},
    )  # fmt: skip
    assert posted.status_code == 403
    _set_unpaid(engines, world.association.id, days_ago=30)
    for path in ("/liaison/feed/", "/liaison/patterns/", "/liaison/trends", "/liaison/api-tokens"):
        refused = client.get(path)
        assert refused.status_code == 403 and LAPSED in refused.get_data(as_text=True), path
    export = client.get("/liaison/export/bulletins.csv")
    assert export.status_code == 200 and "Grey van" in export.get_data(as_text=True)
