"""The JSON API (issue 20 part 4): tokens, the reads as a member sees them, the write through the share path,
errors in one shape, cursors, per-token limits, CSRF and the session cookie."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import ApiToken, AuditEntry, Incident, Role
from models.bulletins import Bulletin
from models.store.sharing import SharedBulletin
from tests.api.conftest import bearer
from tests.fixtures.web import csrf_token, sign_in

INCIDENT = {
    "occurred_at": "2026-11-30T14:30:00Z",
    "incident_type": "distraction",
    "title": "Two people, one distracts",
    "narrative": "One asked to see watches while the other drifted to the ring case.",
    "people": [{"clothing": "Red scarf"}],
}


def _error(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "details"}
    assert body["error"]["status"] == status and isinstance(body["error"]["details"], dict)
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_the_feed_reads_what_the_page_shows(client, make_world, make_store, make_token, add_bulletin):
    world = make_world()
    store = make_store(world)
    mine = add_bulletin(world, title="Mine to see")
    add_bulletin(world, title="Still pending", status="pending")
    elsewhere = make_world()
    add_bulletin(elsewhere, title="Another association's")
    token = make_token(store=store, scopes=["bulletins:read"])

    response = client.get("/api/v1/bulletins", headers=bearer(token))
    assert response.status_code == 200
    titles = [item["title"] for item in response.get_json()["items"]]
    assert titles == ["Mine to see"]
    one = client.get(f"/api/v1/bulletins/{mine.id}", headers=bearer(token))
    assert one.status_code == 200 and one.get_json()["tlp"] == "AMBER"
    # Not in this store's feed: 404, the same answer as for an id that does not exist.
    _error(client.get(f"/api/v1/bulletins/{mine.id + 1}", headers=bearer(token)), 404)


def test_pages_of_the_feed_follow_an_opaque_cursor(client, make_world, make_store, make_token, add_bulletin):
    world = make_world()
    store = make_store(world)
    for i in range(5):
        add_bulletin(world, title=f"Bulletin {i}")
    token = make_token(store=store, scopes=["bulletins:read"])
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/bulletins", query_string=query, headers=bearer(token)).get_json()
        seen += [item["title"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == [f"Bulletin {i}" for i in range(5)] and len(seen) == 5
    _error(client.get("/api/v1/bulletins", query_string={"cursor": "not-ours"}, headers=bearer(token)), 400)
    _error(client.get("/api/v1/bulletins", query_string={"limit": 1000}, headers=bearer(token)), 422)


def test_patterns_are_the_feeds_pattern_bulletins(client, make_world, make_store, make_token, add_bulletin):
    world = make_world()
    store = make_store(world)
    add_bulletin(world, title="Same van at three stores", kind="pattern")
    add_bulletin(world, title="An ordinary incident")
    token = make_token(store=store, scopes=["patterns:read"])
    items = client.get("/api/v1/patterns", headers=bearer(token)).get_json()["items"]
    assert [i["title"] for i in items] == ["Same van at three stores"]
    # Another scope is not this one.
    _error(client.get("/api/v1/bulletins", headers=bearer(token)), 403, "forbidden")


def test_trends_keep_the_small_count_rule(client, make_world, make_store, make_token):
    world = make_world()
    store = make_store(world)
    token = make_token(store=store, scopes=["trends:read"])
    body = client.get("/api/v1/trends", headers=bearer(token)).get_json()
    assert body["region"] == world.region.name and len(body["weeks"]) == 12
    assert body["open_week"] not in body["weeks"]  # the current week is never counted
    assert all(v is None for v in body["total"]["values"])  # nothing published below k


def test_an_incident_is_logged_and_shared_through_the_anonymizer(
    client, make_world, make_store, make_token, in_store, engines
):
    world = make_world()
    store = make_store(world)
    for _ in range(4):  # the place label needs k (5) member stores, or the share is held (as on the page)
        make_store(world)
    token = make_token(store=store, scopes=["incidents:write"])
    created = client.post("/api/v1/incidents", json=INCIDENT, headers=bearer(token))
    assert created.status_code == 201, created.get_data(as_text=True)
    incident_id = created.get_json()["id"]
    assert in_store(store, lambda s: s.get(Incident, incident_id).title) == INCIDENT["title"]

    shared = client.post(f"/api/v1/incidents/{incident_id}/share", json={"tlp": "GREEN"}, headers=bearer(token))
    assert shared.status_code == 201, shared.get_data(as_text=True)
    body = shared.get_json()
    assert body["status"] == "pending" and body["tlp"] == "GREEN"
    with Session(engines.owner) as session:
        bulletin = session.get(Bulletin, body["bulletin_id"])
        assert bulletin.region_id == world.region.id and store.name not in bulletin.narrative
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(SharedBulletin))) == 1
    # Twice: refused in the same JSON shape, and nothing more stored.
    again = client.post(f"/api/v1/incidents/{incident_id}/share", json={}, headers=bearer(token))
    assert _error(again, 409)["code"] == "alreadyshared"
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(SharedBulletin))) == 1


def test_bad_input_is_422_and_stores_nothing(client, make_world, make_store, make_token, in_store):
    store = make_store(make_world())
    token = make_token(store=store, scopes=["incidents:write"])
    bad = {**INCIDENT, "occurred_at": "9999-01-01T00:00:00Z", "surprise": 1}
    error = _error(client.post("/api/v1/incidents", json=bad, headers=bearer(token)), 422)
    assert "occurred_at" in error["details"]["fields"]["json"] and "surprise" in error["details"]["fields"]["json"]
    broken = client.post("/api/v1/incidents", data="{not", content_type="application/json", headers=bearer(token))
    _error(broken, 400)
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Incident))) == 0
    _error(client.delete("/api/v1/incidents", headers=bearer(token)), 405)
    _error(client.get("/api/v1/nothing-here", headers=bearer(token)), 404)


def test_members_are_listed_for_an_association_token_only(client, make_world, make_store, make_token):
    world = make_world()
    stores = [make_store(world, f"Member {i}") for i in range(3)]
    token = make_token(association=world.association)
    page = client.get("/api/v1/members", query_string={"limit": 2}, headers=bearer(token)).get_json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = client.get("/api/v1/members", query_string={"cursor": page["next_cursor"]}, headers=bearer(token))
    names = [m["name"] for m in page["items"] + rest.get_json()["items"]]
    assert sorted(names) == sorted(s.name for s in stores)
    # A store token never lists members; an association token never reads a store's feed.
    _error(client.get("/api/v1/members", headers=bearer(make_token(store=stores[0]))), 403)
    _error(client.get("/api/v1/bulletins", headers=bearer(token)), 403)


def test_without_a_live_token_the_answer_is_401_json_never_a_login_redirect(
    client, make_world, make_store, make_user, make_token, engines
):
    store = make_store(make_world())
    owner = make_user(store=store, role=Role.STORE_OWNER)
    token = make_token(store=store)
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic " + token}):
        _error(client.get("/api/v1/bulletins", headers=headers), 401, "unauthorized")
    wrong_secret = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    _error(client.get("/api/v1/bulletins", headers=bearer(wrong_secret)), 401)
    # A signed-in browser's cookie is no token: 401 on reads and writes alike (and no CSRF answer).
    sign_in(client, owner.email)
    _error(client.get("/api/v1/bulletins"), 401)
    _error(client.post("/api/v1/incidents", json=INCIDENT), 401)
    # Revoked: 401 from then on.
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(ApiToken).values(revoked_at=sa.func.now()).where(ApiToken.store_id == store.id))
    _error(client.get("/api/v1/bulletins", headers=bearer(token)), 401)


def test_csrf_still_guards_the_forms(client, make_world, make_store, make_user):
    store = make_store(make_world())
    owner = make_user(store=store, role=Role.STORE_OWNER)
    sign_in(client, owner.email)
    response = client.post(f"/s/{store.slug}/settings/api-tokens", data={"name": "x", "scopes": ["bulletins:read"]})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_an_owner_makes_a_token_sees_it_once_uses_it_and_revokes_it(client, make_world, make_store, make_user, engines):
    world = make_world()
    store = make_store(world)
    owner = make_user(store=store, role=Role.STORE_OWNER)
    sign_in(client, owner.email)
    url = f"/s/{store.slug}/settings/api-tokens"
    page = client.get(url)
    made = client.post(
        url,
        data={"name": "Point of sale", "scopes": ["bulletins:read"], "csrf_token": csrf_token(page.text)},
    )
    html = made.get_data(as_text=True)
    assert made.status_code == 200 and "shown only once" in html
    token = html.split('id="new-token">')[1].split("<")[0]
    assert token.startswith("loupe_")
    with Session(engines.owner) as session:
        row = session.scalar(sa.select(ApiToken).where(ApiToken.store_id == store.id))
        secret = token.split("_", 2)[2]  # loupe_<prefix>_<secret>; the secret itself may hold underscores
        assert secret and secret not in row.secret_sha256 and row.last_used_at is None
        actions = session.scalars(sa.select(AuditEntry.action).where(AuditEntry.store_id == store.id)).all()
        assert "api_token.created" in actions
    # Shown once: the list afterwards has its prefix only.
    listing = client.get(url).get_data(as_text=True)
    assert token not in listing and row.prefix in listing and "Never" in listing
    api = client.application.test_client()
    assert api.get("/api/v1/bulletins", headers=bearer(token)).status_code == 200
    assert "Never" not in client.get(url).get_data(as_text=True)  # last use shown
    revoke = client.post(
        f"{url}/{row.id}/revoke", data={"csrf_token": csrf_token(client.get(url).get_data(as_text=True))}
    )
    assert revoke.status_code == 302
    assert api.get("/api/v1/bulletins", headers=bearer(token)).status_code == 401
    with Session(engines.owner) as session:
        actions = session.scalars(sa.select(AuditEntry.action).where(AuditEntry.store_id == store.id)).all()
        assert "api_token.revoked" in actions


def test_staff_cannot_make_tokens(client, make_world, make_store, make_user):
    store = make_store(make_world())
    staff = make_user(store=store, role=Role.STORE_STAFF)
    sign_in(client, staff.email)
    assert client.get(f"/s/{store.slug}/settings/api-tokens").status_code == 403


def test_requests_are_limited_per_token(app, client, make_world, make_store, make_token, monkeypatch):
    store = make_store(make_world())
    first, second = make_token(store=store), make_token(store=store)
    monkeypatch.setitem(app.config, "RATELIMIT_API", "3 per minute")
    for _ in range(3):
        assert client.get("/api/v1/trends", headers=bearer(first)).status_code == 200
    error = _error(client.get("/api/v1/trends", headers=bearer(first)), 429, "too_many_requests")
    assert error["details"]["retry_after"] >= 1
    # Another token has its own count.
    assert client.get("/api/v1/trends", headers=bearer(second)).status_code == 200


def test_the_openapi_document_is_generated_and_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.") and "/api/v1/incidents/{incident_id}/share" in doc["paths"]
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_a_nul_byte_in_a_json_body_is_a_400_not_a_500(client, make_world, make_store, make_token, in_store):
    store = make_store(make_world())
    token = make_token(store=store, scopes=["incidents:write"])
    response = client.post("/api/v1/incidents", json={**INCIDENT, "staff_involved": "\x00"}, headers=bearer(token))
    assert "cannot be stored" in _error(response, 400)["message"]
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Incident))) == 0


def test_a_body_over_the_size_limit_is_a_413_in_the_same_shape(app, client, make_world, make_store, make_token):
    store = make_store(make_world())
    token = make_token(store=store, scopes=["incidents:write"])
    too_big = b'{"title": "' + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1) + b'"}'
    response = client.post("/api/v1/incidents", data=too_big, content_type="application/json", headers=bearer(token))
    _error(response, 413, "request_entity_too_large")
