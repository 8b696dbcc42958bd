"""Dates, numbers and periods out of range are refused with a 400 and a message, never a 500 (issue #16, item 3).

`until=9999-12-31` overflowed Python's date when a day was added; `page=100000000000000000000` and ids past
PostgreSQL's bigint reached the database and failed there. The sweep at the end asks every GET page of a store and
of the admin portal with hostile values in every query parameter a view reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from models import Role, Store, User
from tests.admin.conftest import enrol, sign_in_with_code
from tests.fixtures.factories import World
from tests.fixtures.web import sign_in

HUGE = "9223372036854775808"  # 2^63: one past PostgreSQL's bigint
HOSTILE = ("1e20", HUGE, "99999999999999999999", "-1", "0", "9999-12-31", "0001-01-01", "0001-W01", "9999-W53")
PARAMS = (
    "page", "before", "after", "since", "until", "from", "to", "period", "year", "region", "member", "recipient",
    "contact_id", "area", "kind", "tlp", "q", "incident_type", "person", "store", "action", "status", "part",
)  # fmt: skip


@dataclass
class RangeWorld:
    world: World
    store: Store
    owner: User
    admin: User
    admin_secret: str


@pytest.fixture
def rw(make_world, make_store, make_user, engines) -> RangeWorld:
    world = make_world()
    store = make_store(world)
    owner = make_user(store=store, role=Role.STORE_OWNER)
    admin = make_user(association=world.association, role=Role.ASSOCIATION_ADMIN)
    return RangeWorld(world, store, owner, admin, enrol(engines, admin))


@pytest.fixture
def owner_client(app, rw):
    client = app.test_client()
    sign_in(client, rw.owner.email)
    return client


@pytest.fixture
def admin_client(app, engines, rw):
    client = app.test_client()
    sign_in_with_code(client, engines, rw.admin, rw.admin_secret)
    return client


def _refused(response, *words: str) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 400, (response.status_code, body[:500])
    for word in words:
        assert word in body, (word, body[:3000])


@pytest.mark.parametrize("path", ["/", "/export.csv"])
@pytest.mark.parametrize(
    "args",
    [
        {"until": "9999-12-31"},
        {"since": "0001-01-01"},
        {"since": "9999-12-31", "until": "9999-12-31"},
    ],
)
def test_logbook_dates_out_of_range_are_a_400_with_a_message(owner_client, rw, path, args):
    response = owner_client.get(f"/s/{rw.store.slug}/logbook{path}", query_string=args)
    _refused(response, "Enter a date between")
    assert next(iter(args.values())) in response.get_data(as_text=True)  # what was typed is kept


@pytest.mark.parametrize("page", ["99999999999999999999", HUGE, "1e20", "-3"])
def test_logbook_pages_out_of_range_are_a_400(owner_client, rw, page):
    _refused(owner_client.get(f"/s/{rw.store.slug}/logbook/", query_string={"page": page}), "page")


def test_logbook_first_page_still_opens(owner_client, rw):
    assert owner_client.get(f"/s/{rw.store.slug}/logbook/", query_string={"page": "2"}).status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"before": HUGE}, "start from the newest"),
        ({"until": "9999-12-31"}, "Enter a date between"),
        ({"since": "0001-01-01"}, "Enter a date between"),
    ],
)
def test_feed_keys_and_dates_out_of_range_are_a_400(owner_client, rw, args, message):
    _refused(owner_client.get(f"/s/{rw.store.slug}/feed/", query_string=args), message)


@pytest.mark.parametrize("path", ["/audit/", "/audit/export.csv"])
@pytest.mark.parametrize("args", [{"until": "9999-12-31"}, {"since": "0001-01-01"}])
def test_audit_dates_out_of_range_are_a_400(admin_client, rw, path, args):
    _refused(admin_client.get(f"/a/{rw.world.association.slug}{path}", query_string=args), "Enter a date between")


@pytest.mark.parametrize("page", [HUGE, "1e20"])
def test_audit_pages_out_of_range_are_a_400(admin_client, rw, page):
    _refused(admin_client.get(f"/a/{rw.world.association.slug}/audit/", query_string={"page": page}), "page")


@pytest.mark.parametrize("period", ["0001-01-01", "0001-W01", "1899-W52", "9999-W53", "9999-12-31", "1-01-01"])
def test_digest_periods_out_of_range_are_a_400(admin_client, rw, period):
    slug = rw.world.association.slug
    args = {"region": rw.world.region.id, "period": period}
    _refused(admin_client.get(f"/a/{slug}/digest/preview", query_string=args))
    assert admin_client.get(f"/a/{slug}/digest", query_string=args).status_code < 500


@pytest.mark.parametrize("region", [HUGE, "-1"])
def test_digest_region_out_of_range_is_no_500(admin_client, rw, region):
    slug = rw.world.association.slug
    response = admin_client.get(f"/a/{slug}/digest/preview", query_string={"region": region, "period": "2026-W01"})
    assert response.status_code < 500


def _get_rules(app, prefix: str):
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and rule.rule.startswith(prefix) and not rule.rule.endswith("/logout"):
            yield rule


def _fill(rule, rw: RangeWorld, huge_ids: bool) -> str | None:
    """The rule's URL with the world's slugs, and 2^63 for any int part (None when it needs something else)."""
    values = {}
    for name in rule.arguments:
        if name == "store_slug":
            values[name] = rw.store.slug
        elif name == "association_slug":
            values[name] = rw.world.association.slug
        elif rule._converters[name].__class__.__name__.endswith("IntegerConverter") and huge_ids:
            values[name] = "__HUGE__"
        else:
            return None
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<{name}>", value).replace(f"<int:{name}>", value)
    return path.replace("__HUGE__", HUGE)


@pytest.mark.parametrize("prefix", ["/s/", "/a/"])
def test_no_get_page_answers_500_to_hostile_values(app, rw, owner_client, admin_client, prefix):
    client = owner_client if prefix == "/s/" else admin_client
    asked = 0
    failures = []
    for rule in _get_rules(app, prefix):
        path = _fill(rule, rw, huge_ids=True)
        if path is None:
            continue
        for value in HOSTILE:
            response = client.get(path, query_string=dict.fromkeys(PARAMS, value))
            asked += 1
            if response.status_code >= 500:
                failures.append((path, value, response.status_code))
    assert asked > 50
    assert failures == []
