"""Subscription status → what the store may do (SECURITY.md), as a pure rule and through store_view."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

from billing.access import (
    AccessLevel,
    WhenUnpaid,
    access_level,
    billing_state_for,
    billing_states_for,
    enforce_billing_access,
    state_from,
)
from blueprints.guards import WHEN_UNPAID, open_when_dues_unpaid, store_view
from models import Role, StoreSubscription
from tests.fixtures.web import csrf_token, sign_in


@pytest.mark.parametrize(
    ("status", "level"),
    [
        (None, AccessLevel.FULL),
        ("trialing", AccessLevel.FULL),
        ("active", AccessLevel.FULL),
        ("past_due", AccessLevel.GRACE),
        ("incomplete", AccessLevel.PENDING),
        ("unpaid", AccessLevel.READ_ONLY),
        ("paused", AccessLevel.READ_ONLY),
        ("canceled", AccessLevel.NONE),
        ("incomplete_expired", AccessLevel.NONE),
        ("some_future_status", AccessLevel.READ_ONLY),
    ],
)
def test_status_to_access_level(status, level):
    assert access_level(status) is level


@pytest.fixture
def shop(make_world, make_store, make_user):
    world = make_world()
    store = make_store(world)
    return store, make_user(store=store, role=Role.STORE_OWNER)


def set_status(engines, store, status):
    with Session(engines.owner) as session, session.begin():
        row = session.scalar(sa.select(StoreSubscription).where(StoreSubscription.store_id == store.id))
        if row is None:
            row = StoreSubscription(store_id=store.id, association_id=store.association_id)
            session.add(row)
        row.status = status


def test_a_store_without_a_subscription_record_has_full_access(engines, shop):
    store, _owner = shop
    with Session(engines.app) as session:
        assert billing_state_for(session, store.id).level is AccessLevel.FULL
        set_status(engines, store, "unpaid")
        states = billing_states_for(session, [store.id, 999_999])
    assert states[store.id].level is AccessLevel.READ_ONLY
    assert states[999_999].level is AccessLevel.FULL


def _save_settings(client, store):
    page = client.get(f"/s/{store.slug}/settings")
    token = csrf_token(page.get_data(as_text=True)) if page.status_code == 200 else ""
    return client.post(f"/s/{store.slug}/settings", data={"csrf_token": token, "contact_quiet_days": "45"})


@pytest.mark.parametrize("status", [None, "active", "trialing", "past_due"])
def test_full_and_grace_statuses_can_write(client, engines, shop, status):
    store, owner = shop
    if status:
        set_status(engines, store, status)
    sign_in(client, owner.email)
    assert _save_settings(client, store).status_code == 302


def test_past_due_shows_a_grace_banner(client, engines, shop):
    store, owner = shop
    set_status(engines, store, "past_due")
    sign_in(client, owner.email)
    body = client.get(f"/s/{store.slug}/").get_data(as_text=True)
    assert "did not go through" in body and "flash-warning" in body


@pytest.mark.parametrize("status", ["unpaid", "paused", "incomplete"])
def test_read_only_statuses_refuse_writes_but_show_pages(client, engines, shop, status):
    store, owner = shop
    sign_in(client, owner.email)
    page = client.get(f"/s/{store.slug}/settings")  # token while still active
    set_status(engines, store, status)
    token = csrf_token(page.get_data(as_text=True))
    response = client.post(f"/s/{store.slug}/settings", data={"csrf_token": token, "contact_quiet_days": "45"})
    assert response.status_code == 403
    assert "read-only" in response.get_data(as_text=True)
    dashboard = client.get(f"/s/{store.slug}/")
    assert dashboard.status_code == 200 and "read-only" in dashboard.get_data(as_text=True)
    # The billing page stays usable: that is how the store gets out of it.
    assert client.get(f"/s/{store.slug}/billing/").status_code == 200


@pytest.mark.parametrize("status", ["canceled", "incomplete_expired"])
def test_ended_memberships_have_no_access_but_keep_billing(client, engines, shop, status):
    store, owner = shop
    set_status(engines, store, status)
    sign_in(client, owner.email)
    response = client.get(f"/s/{store.slug}/")
    assert response.status_code == 403
    assert "data is kept" in response.get_data(as_text=True)
    assert client.get(f"/s/{store.slug}/contacts/").status_code == 403
    assert client.get(f"/s/{store.slug}/billing/").status_code == 200


# What stays open whatever the dues status, by endpoint: marked on the view with `open_when_dues_unpaid`, never
# guessed from a name. A new mark (or a lost one) must be added here on purpose.
OPEN_WHEN_UNPAID = {
    "billing.index": WhenUnpaid.ALL,
    "billing.checkout": WhenUnpaid.ALL,
    "billing.portal": WhenUnpaid.ALL,
    "billing.refresh": WhenUnpaid.ALL,
    "logbook.export": WhenUnpaid.READ,
}
# The admin portal's pages that stay open when Loupe's own subscription is unpaid (`association_admin_view` reads the
# same mark for platform billing): the page to pay it.
ADMIN_OPEN_WHEN_UNPAID = {
    "platform_billing.index": WhenUnpaid.ALL,
    "platform_billing.checkout": WhenUnpaid.ALL,
    "platform_billing.portal": WhenUnpaid.ALL,
}

# The API operations that stay open after the grace period of Loupe's own subscription (`api_view` reads the mark):
# the association's member list, its own data to take away.
API_OPEN_WHEN_UNPAID = {"api_v1.list_members": WhenUnpaid.READ}
# The police liaison's pages that stay open then (`liaison_view` reads the mark): the exports.
LIAISON_OPEN_WHEN_UNPAID = {"liaison.export": WhenUnpaid.READ}


def test_exactly_the_listed_views_stay_open_when_dues_are_unpaid(app):
    marked = {"store": {}, "association": {}, "api": {}, "liaison": {}}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, WHEN_UNPAID, None) is not None:
            # The mark only means something to `store_view` and `association_admin_view`, which read it.
            marked[view.loupe_access["kind"]][rule.endpoint] = getattr(view, WHEN_UNPAID)
    assert marked == {
        "store": OPEN_WHEN_UNPAID,
        "association": ADMIN_OPEN_WHEN_UNPAID,
        "api": API_OPEN_WHEN_UNPAID,
        "liaison": LIAISON_OPEN_WHEN_UNPAID,
    }


@pytest.mark.parametrize("status", ["canceled", "incomplete_expired"])
def test_each_marked_view_is_open_when_the_membership_has_ended(app, client, engines, shop, status):
    store, owner = shop
    sign_in(client, owner.email)
    set_status(engines, store, status)
    token = csrf_token(client.get(f"/s/{store.slug}/billing/").get_data(as_text=True))
    tried = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in OPEN_WHEN_UNPAID:
            continue
        url = rule.build({"store_slug": store.slug}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": token} if method != "GET" else None)
            body = response.get_data(as_text=True)
            # Past the dues rule: the view itself answered (a billing POST without Stripe set up may refuse too).
            assert response.status_code != 403 and "data is kept" not in body, (method, url, response.status_code)
            if method == "GET":
                assert response.status_code == 200, (url, response.status_code)
            tried += 1
    assert tried == 5


@pytest.mark.parametrize("status", ["unpaid", "canceled"])
def test_a_read_mark_opens_reading_only(app, status):
    # The mark keeps exports readable; it never lets a write through a store that may not write.
    with app.test_request_context("/", method="POST"), pytest.raises(Forbidden):
        enforce_billing_access(state_from(status), WhenUnpaid.READ)
    with app.test_request_context("/", method="GET"):
        enforce_billing_access(state_from(status), WhenUnpaid.READ)


@pytest.fixture
def exports_app(database_settings, app):
    """A second app with two store views named like exports, one marked to stay open and one not."""
    from app import create_app

    other = create_app("testing", dict(database_settings))

    @other.route("/s/<store_slug>/_test/export-unmarked")
    @store_view()
    def export_unmarked(store, membership):
        return "unmarked export ran"

    @other.route("/s/<store_slug>/_test/export-marked")
    @store_view()
    @open_when_dues_unpaid
    def export_marked(store, membership):
        return "marked export ran"

    @other.route("/s/<store_slug>/_test/export-marked-outside")
    @open_when_dues_unpaid
    @store_view()
    def export_marked_outside(store, membership):
        return "marked export ran"

    yield other
    other.extensions["loupe_db"].dispose()


def test_a_view_named_export_is_closed_without_the_mark(exports_app, engines, shop):
    store, owner = shop
    client = exports_app.test_client()
    sign_in(client, owner.email)
    set_status(engines, store, "canceled")
    unmarked = client.get(f"/s/{store.slug}/_test/export-unmarked")
    assert unmarked.status_code == 403 and "data is kept" in unmarked.get_data(as_text=True)
    for name in ("export-marked", "export-marked-outside"):  # the mark works above or under store_view
        marked = client.get(f"/s/{store.slug}/_test/{name}")
        assert marked.status_code == 200 and marked.get_data(as_text=True) == "marked export ran", name
