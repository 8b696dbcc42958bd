"""Subscription status → what the store may do (SECURITY.md), as a pure rule and through store_view."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from billing.access import AccessLevel, access_level, billing_state_for, billing_states_for
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
