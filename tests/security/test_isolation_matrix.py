"""The isolation matrix, generated from the app's URL map so new routes are covered without anyone remembering.

Every route must declare who it is for (`loupe_access`, set by `store_view`, `association_admin_view`,
`operator_view` or `blueprints.web.access`); a route the matrix cannot classify fails. Each store, association and
operator route is then tried with every method by people who must not get in, with the target's real slug and the
ids of its real rows (ids are identical across the twin stores: both sequences start at 1).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from blueprints.web import ACCESS_KINDS
from models import Membership, PoliceContact, Region, Role
from tests.fixtures.web import csrf_token, sign_in

SECRET = "Officer Zebra-Target-Secret"


def rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule, app.view_functions[rule.endpoint]


def test_every_route_declares_who_it_is_for(app):
    unclassified = [
        rule.rule for rule, view in rules(app) if getattr(view, "loupe_access", {}).get("kind") not in ACCESS_KINDS
    ]
    assert unclassified == [], "annotate these routes (blueprints.web.access or an access decorator)"


def fill(rule, values):
    args = {}
    for name in rule.arguments:
        if name in values:
            args[name] = values[name]
        elif rule._converters[name].__class__.__name__ == "IntegerConverter":
            args[name] = 1
        else:
            args[name] = "x"
    return rule.build(args, append_unknown=False)[1]


@pytest.fixture
def matrix_world(make_world, make_store, make_user, in_store, engines):
    """Target store B (with data) in association 1, attacker store A next to it, and a second association."""
    home = make_world()
    target = make_store(home, "Zebra Target Jewels")
    attacker_store = make_store(home)
    in_store(target, lambda s: s.add(PoliceContact(agency="Zebra Agency", officer_name=SECRET)))
    in_store(attacker_store, lambda s: s.add(PoliceContact(agency="Mine", officer_name="Mine")))
    elsewhere = make_world()
    people = {
        "member of another store": make_user(store=attacker_store, role=Role.STORE_OWNER),
        "admin of the same association": make_user(association=home.association, role=Role.ASSOCIATION_ADMIN),
        "admin of another association": make_user(association=elsewhere.association, role=Role.ASSOCIATION_ADMIN),
        "liaison without a grant": make_user(association=home.association, role=Role.POLICE_LIAISON),
        "staff of the store": make_user(store=target, role=Role.STORE_STAFF),
    }
    with Session(engines.owner) as session, session.begin():
        region = session.scalar(sa.select(Region).where(Region.association_id == home.association.id))
        session.execute(
            sa.update(Membership)
            .where(Membership.user_id == people["liaison without a grant"].id)
            .values(region_id=region.id)
        )
    return {"home": home, "elsewhere": elsewhere, "target": target, "people": people}


def attempts(app, kinds):
    for rule, view in rules(app):
        info = getattr(view, "loupe_access", {})
        if info.get("kind") in kinds:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method, info


def _request(client, method, url, token):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": token})


def test_store_and_admin_routes_deny_everyone_who_is_not_entitled(app, matrix_world):
    target, home = matrix_world["target"], matrix_world["home"]
    values = {"store_slug": target.slug, "association_slug": home.association.slug}
    tried = denied = 0
    failures = []
    for who, person in matrix_world["people"].items():
        client = app.test_client()
        sign_in(client, person.email)
        token = csrf_token(client.get("/account/password").get_data(as_text=True))
        for rule, method, info in attempts(app, {"store", "association", "operator", "liaison"}):
            kind = info["kind"]
            if who == "staff of the store" and (kind != "store" or "staff" in info.get("roles", [])):
                continue  # staff are entitled to staff pages; they are tried on owner-only ones
            if who == "admin of the same association" and kind == "association":
                continue
            if who == "liaison without a grant" and kind == "liaison" and "<" not in rule.rule:
                continue  # the liaison's own home page is theirs
            url = fill(rule, values)
            response = _request(client, method, url, token)
            tried += 1
            body = response.get_data(as_text=True)
            ok_status = response.status_code in (403, 404, 405) or (
                response.status_code == 302 and "/login" in response.headers.get("Location", "")
            )
            if ok_status and SECRET not in body and "Zebra Agency" not in body:
                denied += 1
            else:
                failures.append((who, method, url, response.status_code))
    print(f"isolation matrix: {tried} attempts, {denied} denied")
    assert failures == []
    assert tried > 30 and denied == tried


def test_anonymous_visitors_are_sent_to_sign_in_everywhere_but_public_pages(app, matrix_world):
    target, home = matrix_world["target"], matrix_world["home"]
    values = {"store_slug": target.slug, "association_slug": home.association.slug}
    client = app.test_client()
    bad = []
    for rule, method, _info in attempts(app, {"store", "association", "operator", "liaison", "account"}):
        url = fill(rule, values)
        response = _request(client, method, url, "")
        redirected = response.status_code == 302 and re.search(r"/login", response.headers.get("Location", ""))
        if not (redirected or response.status_code in (400, 404, 405)) or SECRET in response.get_data(as_text=True):
            bad.append((method, url, response.status_code))
    assert bad == []


# --- the JSON API: generated from its OpenAPI document ------------------------------------------------------------

API_SECRET = "Zebra-Api-Secret"
# A valid body per request schema (by its name in the document): a new operation whose body is not here fails
# `test_api_operations_deny_tokens_of_other_stores_and_associations` until it gets one.
API_BODIES = {
    "IncidentIn": {
        "occurred_at": "2026-11-30T14:30:00Z",
        "incident_type": "casing",
        "title": "Matrix attempt",
        "narrative": "Looked at the cameras.",
    },
    "ShareIn": {"tlp": "AMBER"},
}


def api_operations(client):
    """(method, path template, body schema name) for every operation of the OpenAPI document."""
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            ref = (
                operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            ).get("$ref", "")
            yield method.upper(), path, ref.rsplit("/", 1)[-1] or None


def test_every_api_route_is_in_the_openapi_document(app, client):
    documented = {(m, p) for m, p, _ in api_operations(client)}
    routed = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)) for rule, method, _info in attempts(app, {"api"})
    }
    assert routed and routed == documented


@pytest.fixture
def api_world(make_world, make_store, make_user, engines, in_store):
    """The target store (its incident 1 and its region's bulletin carry the secret), a store of another region of
    the same association, a store of another association with its own bulletin, and tokens of each; police
    liaisons' personal tokens of the other region, of the other association (all its regions), and of the target's
    region whose person was deactivated."""
    from apitokens import tokens
    from audit import Actor
    from models import ApiToken, Association, Incident, Store, User
    from models.base import utcnow
    from models.bulletins import Bulletin
    from tests.fixtures.factories import World

    home = make_world()
    target = make_store(home, "Zebra Api Target")
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        other_region = Region(association_id=home.association.id, slug="south", name="South")
        session.add(other_region)
    neighbour = make_store(World(home.association, other_region))
    elsewhere = make_world()
    stranger = make_store(elsewhere)
    liaisons = {
        "other region": (make_user(association=home.association, role=Role.POLICE_LIAISON), other_region.id),
        "other association": (make_user(association=elsewhere.association, role=Role.POLICE_LIAISON), None),
        "deactivated": (make_user(association=home.association, role=Role.POLICE_LIAISON), home.region.id),
    }
    in_store(
        target,
        lambda s: s.add(Incident(occurred_at=utcnow(), incident_type="casing", title=API_SECRET, narrative=API_SECRET)),
    )
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        for world in (home, elsewhere):
            session.add(
                Bulletin(
                    association_id=world.association.id,
                    region_id=world.region.id,
                    region_label=world.region.name,
                    title=API_SECRET if world is home else "Their own bulletin",
                    narrative="Seen near the square.",
                    status="published",
                    published_at=utcnow(),
                    expires_at=utcnow() + timedelta(days=30),
                )
            )
        actor = Actor.system("test")

        def store_token(store, scopes=None):
            row = session.get(Store, store.id)
            return tokens.create_store_token(
                session, row, name="t", scopes=scopes or list(tokens.STORE_SCOPES), actor=actor
            ).token

        def association_token(world):
            row = session.get(Association, world.association.id)
            return tokens.create_association_token(
                session, row, name="t", scopes=list(tokens.ASSOCIATION_SCOPES), actor=actor
            ).token

        def liaison_token(which):
            user, region_id = liaisons[which]
            membership = session.scalar(sa.select(Membership).where(Membership.user_id == user.id))
            membership.region_id = region_id
            if which == "deactivated":
                session.get(User, user.id).is_active = False
            return tokens.create_liaison_token(
                session, membership, name="t", scopes=list(tokens.LIAISON_SCOPES), actor=actor
            ).token

        revoked = store_token(target)
        people = {
            "liaison token of another region": liaison_token("other region"),
            "liaison token of another association": liaison_token("other association"),
            "a liaison token of a deactivated person (revoked)": liaison_token("deactivated"),
            "store of another region": store_token(neighbour),
            "store of another association": store_token(stranger),
            "association token of another association": association_token(elsewhere),
            "association token of the same association": association_token(home),
            "the target store without the scope": store_token(target, ["trends:read"]),
            "a revoked token of the target store": revoked,
            "no token": None,
            "a malformed token": "loupe_nothing",
        }
        session.flush()
        session.execute(sa.update(ApiToken).where(ApiToken.prefix == revoked.split("_")[1]).values(revoked_at=utcnow()))
        target_bulletin = session.scalar(sa.select(Bulletin.id).where(Bulletin.association_id == home.association.id))
    return {"target": target, "home": home, "people": people, "bulletin_id": target_bulletin}


def test_api_operations_deny_tokens_of_other_stores_and_associations(app, api_world, engines):
    from tests.security.refusals import fingerprint

    target = api_world["target"]
    values = {"bulletin_id": api_world["bulletin_id"], "incident_id": 1}
    client = app.test_client()
    tried = denied = 0
    failures = []
    for who, token in api_world["people"].items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for method, path, body_name in api_operations(client):
            if body_name is not None:
                assert body_name in API_BODIES, f"add a valid {body_name} body to API_BODIES"
            url = re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path)
            before = fingerprint(engines.owner, [target.schema_name])
            response = client.open(
                url, method=method, headers=headers, json=API_BODIES.get(body_name) if body_name else None
            )
            after = fingerprint(engines.owner, [target.schema_name])
            tried += 1
            body = response.get_data(as_text=True)
            # Refused, or answered from the token's own store or association: never the target's data, never a
            # change in the target's schema, never a redirect to a login page.
            refused = response.status_code in (400, 401, 403, 404)  # 400: the token's own incident, held (k)
            own_answer = response.status_code in (200, 201) and token and "revoked" not in who
            if (refused or own_answer) and API_SECRET not in body and before == after and response.is_json:
                denied += 1
            else:
                failures.append((who, method, url, response.status_code))
            if token is None or who == "a malformed token" or "revoked" in who:
                if response.status_code != 401:
                    failures.append((who, method, url, response.status_code, "expected 401"))
    print(f"API isolation matrix: {tried} attempts, {denied} kept out")
    assert failures == []
    assert tried >= 11 * 7 and denied == tried
