"""A police liaison's personal API tokens (issue 20 part 4: "read bulletins, patterns and trends as a member or
liaison would see them — one code path"): made, shown once, listed with last use and revoked in their workspace
(two-step sign-in); reading their regions only, as their pages show; never writing; dead when the membership ends
or the person is deactivated."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from apitokens.tokens import association_tokens
from blueprints.api.cursors import encode
from models import ApiToken, AuditEntry, Incident, Membership, Region, Role, User
from models.bulletins import Bulletin
from tests.admin.conftest import enrol, sign_in_with_code
from tests.api.conftest import bearer
from tests.api.test_api import INCIDENT, _error
from tests.bulletins.conftest import page_text
from tests.fixtures.web import csrf_token, sign_in


def _south(engines, world) -> Region:
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        region = Region(association_id=world.association.id, slug="south", name="South")
        session.add(region)
    return region


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["title"] for item in response.get_json()["items"]]


def test_a_liaison_makes_a_token_sees_it_once_uses_it_and_revokes_it(app, engines, make_world, make_user):
    world = make_world()
    liaison = make_user(association=world.association, role=Role.POLICE_LIAISON)
    url = "/liaison/api-tokens"
    # Two-step sign-in first, as for every liaison page.
    unenrolled = app.test_client()
    sign_in(unenrolled, liaison.email)
    assert unenrolled.get(url).status_code == 302
    client = app.test_client()
    sign_in_with_code(client, engines, liaison, enrol(engines, liaison))
    page = client.get(url)
    assert page.status_code == 200 and "incidents:write" not in page.text and "members:read" not in page.text
    # A scope a liaison may not hold is refused, and nothing is made.
    refused = client.post(url, data={"name": "x", "scopes": ["incidents:write"], "csrf_token": csrf_token(page.text)})
    assert refused.status_code == 400
    made = client.post(
        url, data={"name": "Agency RMS", "scopes": ["bulletins:read"], "csrf_token": csrf_token(page.text)}
    )
    assert made.status_code == 200 and "shown only once" in made.text
    token = made.text.split('id="new-token">')[1].split("<")[0]
    with Session(engines.owner) as session:
        row = session.scalar(sa.select(ApiToken).where(ApiToken.created_by_user_id == liaison.id))
        assert row.liaison_membership_id is not None and row.store_id is None and row.scopes == ["bulletins:read"]
        assert row.secret_sha256 not in made.text and token.split("_", 2)[2] not in row.secret_sha256
        target = f"api_token:{row.id}"
        created = session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "api_token.created", AuditEntry.target == target)
        )
        assert created.association_id == world.association.id and created.details["kind"] == "liaison"
    listing = client.get(url).text
    assert token not in listing and row.prefix in listing and "Never" in listing
    api = app.test_client()
    assert api.get("/api/v1/bulletins", headers=bearer(token)).status_code == 200
    assert "Never" not in client.get(url).text  # last use shown
    # The association's admins do not see (nor revoke) a liaison's personal token among the association's own.
    with Session(engines.owner) as session:
        assert association_tokens(session, session.get(type(world.association), world.association.id)) == []
    revoke = client.post(f"{url}/{row.id}/revoke", data={"csrf_token": csrf_token(client.get(url).text)})
    assert revoke.status_code == 302
    _error(api.get("/api/v1/bulletins", headers=bearer(token)), 401, "unauthorized")
    with Session(engines.owner) as session:
        revoked = sa.select(AuditEntry.id).where(
            AuditEntry.action == "api_token.revoked", AuditEntry.target == f"api_token:{row.id}"
        )
        assert session.scalar(revoked)


def test_another_liaison_cannot_revoke_my_token(app, engines, make_world, make_user, make_liaison_token):
    world = make_world()
    _me, _membership, token = make_liaison_token(world.association, region_id=world.region.id)
    other = make_user(association=world.association, role=Role.POLICE_LIAISON)
    client = app.test_client()
    sign_in_with_code(client, engines, other, enrol(engines, other))
    with Session(engines.owner) as session:
        token_id = session.scalar(sa.select(ApiToken.id).where(ApiToken.prefix == token.split("_")[1]))
    page = client.get("/liaison/api-tokens")
    revoke = client.post(f"/liaison/api-tokens/{token_id}/revoke", data={"csrf_token": csrf_token(page.text)})
    assert revoke.status_code == 404
    assert app.test_client().get("/api/v1/bulletins", headers=bearer(token)).status_code == 200


def test_a_liaison_token_reads_their_regions_as_their_pages_show(
    app, engines, make_world, make_store, make_liaison_token, add_bulletin
):
    world = make_world()
    south = _south(engines, world)
    north_bulletin = add_bulletin(world, title="Grey van in the North")
    add_bulletin(world, title="Same van at three stores", kind="pattern")
    add_bulletin(world, title="Waiting for review", status="pending")
    south_bulletin = add_bulletin(world, title="Blue car in the South")
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(Bulletin).where(Bulletin.id == south_bulletin.id).values(region_id=south.id))
    elsewhere = make_world()
    add_bulletin(elsewhere, title="Another association's")
    user, _membership, token = make_liaison_token(world.association, region_id=world.region.id)
    api = app.test_client()

    feed = _titles(api.get("/api/v1/bulletins", headers=bearer(token)))
    assert sorted(feed) == ["Grey van in the North", "Same van at three stores"]
    # What their page shows, the same list in the same order.
    client = app.test_client()
    sign_in_with_code(client, engines, user, enrol(engines, user))
    page = page_text(client.get("/liaison/feed/"))
    assert all(title in page for title in feed) and "Blue car in the South" not in page
    assert page.index(feed[0]) < page.index(feed[1])
    assert _titles(api.get("/api/v1/patterns", headers=bearer(token))) == ["Same van at three stores"]
    one = api.get(f"/api/v1/bulletins/{north_bulletin.id}", headers=bearer(token))
    assert one.status_code == 200 and one.get_json()["tlp"] == "AMBER"
    # Another region's bulletin: 404, as on their page; nor can a cursor name it.
    _error(api.get(f"/api/v1/bulletins/{south_bulletin.id}", headers=bearer(token)), 404)
    assert client.get(f"/liaison/bulletins/{south_bulletin.id}").status_code == 404
    cursor = encode("bulletin", south_bulletin.id)
    _error(api.get("/api/v1/bulletins", query_string={"cursor": cursor}, headers=bearer(token)), 400)
    trends = api.get("/api/v1/trends", headers=bearer(token))
    assert trends.status_code == 200 and trends.get_json()["region"] == "North"
    _error(api.get("/api/v1/trends", query_string={"region_id": south.id}, headers=bearer(token)), 404)
    # A liaison for the whole association (no region set) reads every region of it, never another association's.
    _u, _m, whole = make_liaison_token(world.association, region_id=None)
    assert "Blue car in the South" in _titles(api.get("/api/v1/bulletins", headers=bearer(whole)))
    assert "Another association's" not in _titles(api.get("/api/v1/bulletins", headers=bearer(whole)))
    south_trends = api.get("/api/v1/trends", query_string={"region_id": south.id}, headers=bearer(whole))
    assert south_trends.status_code == 200 and south_trends.get_json()["region"] == "South"


def test_a_liaison_token_never_writes_nor_lists_members(
    app, engines, make_world, make_store, make_liaison_token, in_store
):
    world = make_world()
    store = make_store(world)
    _u, _m, token = make_liaison_token(world.association, region_id=world.region.id)
    api = app.test_client()
    _error(api.post("/api/v1/incidents", json=INCIDENT, headers=bearer(token)), 403, "forbidden")
    _error(api.post("/api/v1/incidents/1/share", json={"tlp": "AMBER"}, headers=bearer(token)), 403, "forbidden")
    _error(api.get("/api/v1/members", headers=bearer(token)), 403, "forbidden")
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Incident))) == 0


def test_a_liaison_token_stops_when_the_membership_ends_or_the_person_is_deactivated(
    app, engines, make_world, make_liaison_token
):
    world = make_world()
    api = app.test_client()
    user, membership_id, token = make_liaison_token(world.association, region_id=world.region.id)
    assert api.get("/api/v1/bulletins", headers=bearer(token)).status_code == 200
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(User).where(User.id == user.id).values(is_active=False))
    _error(api.get("/api/v1/bulletins", headers=bearer(token)), 401, "unauthorized")
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(User).where(User.id == user.id).values(is_active=True))
    assert api.get("/api/v1/bulletins", headers=bearer(token)).status_code == 200
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.delete(Membership).where(Membership.id == membership_id))
    _error(api.get("/api/v1/bulletins", headers=bearer(token)), 401, "unauthorized")
    with Session(engines.owner) as session:  # the token went with the membership
        assert session.scalar(sa.select(ApiToken).where(ApiToken.prefix == token.split("_")[1])) is None
