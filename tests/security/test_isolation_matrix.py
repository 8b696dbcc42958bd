"""The isolation matrix, generated from the app's URL map so new routes are covered without anyone remembering.

Every route must declare who it is for (`loupe_access`, set by `store_view`, `association_admin_view`,
`operator_view` or `blueprints.web.access`); a route the matrix cannot classify fails. Each store, association and
operator route is then tried with every method by people who must not get in, with the target's real slug and the
ids of its real rows (ids are identical across the twin stores: both sequences start at 1).
"""

from __future__ import annotations

import re

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
