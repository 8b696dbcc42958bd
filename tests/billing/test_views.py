"""The store's billing page: owners only, checkout and portal through (local) Stripe, nothing for anyone else."""

from __future__ import annotations

import time
import urllib.parse

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import AuditEntry, Region, Role
from tests.billing.conftest import add_customer, row_of, subscribe_in_stripe
from tests.fixtures.web import csrf_token, post_form, sign_in

ROUTES = [
    ("GET", "/billing/"),
    ("POST", "/billing/checkout"),
    ("POST", "/billing/portal"),
    ("POST", "/billing/refresh"),
]


def test_owner_sees_status_plans_and_pays_through_checkout(client, engines, billed, stripe_api):
    sign_in(client, billed.owner.email)
    page = client.get(f"/s/{billed.store.slug}/billing/")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "no subscription" in body and "Annual membership" in body and "120.00 EUR" in body

    response = post_form(
        client,
        f"/s/{billed.store.slug}/billing/checkout",
        {"plan": str(billed.plan_id)},
        form_url=f"/s/{billed.store.slug}/billing/",
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith(stripe_api.gaps.url + "/checkout/cs_test_")
    session_id = location.rsplit("/", 1)[1]
    checkout = stripe_api.gaps.checkout_sessions[session_id]
    row = row_of(engines, billed.store.id)
    assert checkout["customer"] == row.stripe_customer_id and checkout["mode"] == "subscription"
    assert row.checkout_session_id == session_id and row.checkout_attempt.startswith(f"checkout-{billed.store.id}-")
    with Session(engines.owner) as session:
        assert (
            session.scalar(
                sa.select(sa.func.count()).where(
                    AuditEntry.action == "billing.checkout_started", AuditEntry.store_id == billed.store.id
                )
            )
            == 1
        )


def test_a_second_click_reuses_the_checkout_attempt(client, engines, billed):
    sign_in(client, billed.owner.email)
    url, form_url = f"/s/{billed.store.slug}/billing/checkout", f"/s/{billed.store.slug}/billing/"
    first = post_form(client, url, {"plan": str(billed.plan_id)}, form_url=form_url)
    attempt = row_of(engines, billed.store.id).checkout_attempt
    customer = row_of(engines, billed.store.id).stripe_customer_id
    second = post_form(client, url, {"plan": str(billed.plan_id)}, form_url=form_url)
    assert first.status_code == second.status_code == 303
    row = row_of(engines, billed.store.id)
    # Same idempotency keys (real Stripe answers with the same session); same customer.
    assert row.checkout_attempt == attempt and row.stripe_customer_id == customer


def test_checkout_creates_a_subscription_and_the_store_turns_active(
    app, client, engines, billed, stripe_api, live_server
):
    """Pay on the (test) hosted page; Stripe's webhooks reach the live app, which re-reads and activates."""
    gaps, localstripe = stripe_api.gaps, stripe_api.localstripe
    endpoint = live_server + billed.webhook_url
    gaps.register_webhook(endpoint, billed.webhook_secret, id=f"billing-{billed.association.slug}")
    localstripe.register_webhook(f"billing-{billed.association.slug}", endpoint, billed.webhook_secret)
    old_base = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = live_server
    try:
        sign_in(client, billed.owner.email)
        response = post_form(
            client,
            f"/s/{billed.store.slug}/billing/checkout",
            {"plan": str(billed.plan_id)},
            form_url=f"/s/{billed.store.slug}/billing/",
        )
        session_id = response.headers["Location"].rsplit("/", 1)[1]
        completed = gaps.complete_checkout(session_id)  # what the hosted page's Pay button does
        assert completed["success_url"].startswith(live_server + f"/s/{billed.store.slug}/billing/")
        delivered = [d for d in gaps.deliveries if d.url == endpoint]
        assert delivered and delivered[-1].status == 200, delivered
        row = row_of(engines, billed.store.id)
        assert row.status == "active" and row.stripe_subscription_id == completed["subscription"]
        assert row.plan_id == billed.plan_id and row.checkout_attempt is None

        page = client.get(f"/s/{billed.store.slug}/billing/?checkout=success")
        body = page.get_data(as_text=True)
        assert ">active<" in body and "Manage card and invoices" in body and "Pay dues" not in body
        # localstripe's own events (subscription created, invoice paid) arrive a second later: still one effect.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "billing-" + billed.association.slug not in localstripe.log_tail(200):
            time.sleep(0.2)
        time.sleep(1.5)
        with Session(engines.owner) as session:
            changes = session.scalars(
                sa.select(AuditEntry.details).where(
                    AuditEntry.store_id == billed.store.id, AuditEntry.action == "billing.status_changed"
                )
            ).all()
        assert changes == [{"before": None, "after": "active"}]
        assert row_of(engines, billed.store.id).status == "active"
    finally:
        localstripe.disable_webhook(f"billing-{billed.association.slug}")
        app.config["PUBLIC_BASE_URL"] = old_base


def test_the_portal_opens_for_a_store_with_a_customer(client, engines, billed, stripe_api):
    customer = add_customer(engines, billed)
    sign_in(client, billed.owner.email)
    response = post_form(
        client, f"/s/{billed.store.slug}/billing/portal", {}, form_url=f"/s/{billed.store.slug}/billing/"
    )
    assert response.status_code == 303
    portal_id = response.headers["Location"].rsplit("/", 1)[1]
    assert stripe_api.gaps.portal_sessions[portal_id]["customer"] == customer


def test_invoices_and_refresh_show_what_stripe_has(client, engines, billed):
    subscribe_in_stripe(billed, add_customer(engines, billed))
    sign_in(client, billed.owner.email)
    response = post_form(
        client, f"/s/{billed.store.slug}/billing/refresh", {}, form_url=f"/s/{billed.store.slug}/billing/"
    )
    assert response.status_code == 302
    body = client.get(f"/s/{billed.store.slug}/billing/").get_data(as_text=True)
    assert ">active<" in body and "120.00 EUR" in body and "paid" in body


def test_an_invalid_plan_is_refused_with_the_form_kept(client, make_billed):
    mine, other = make_billed(), make_billed()
    sign_in(client, mine.owner.email)
    url, form_url = f"/s/{mine.store.slug}/billing/checkout", f"/s/{mine.store.slug}/billing/"
    for plan in ("", "abc", str(other.plan_id)):
        response = post_form(client, url, {"plan": plan}, form_url=form_url)
        assert response.status_code == 400, plan
        assert "Annual membership" in response.get_data(as_text=True)
    page = client.get(form_url)
    no_token = client.post(url, data={"plan": str(mine.plan_id)})
    assert no_token.status_code == 400 and csrf_token(page.get_data(as_text=True))


def test_an_association_without_stripe_shows_nothing_to_pay(client, make_world, make_store, make_user):
    world = make_world()
    store = make_store(world)
    owner = make_user(store=store, role=Role.STORE_OWNER)
    sign_in(client, owner.email)
    body = client.get(f"/s/{store.slug}/billing/").get_data(as_text=True)
    assert "does not collect dues through Loupe" in body
    response = post_form(client, f"/s/{store.slug}/billing/portal", {}, form_url=f"/s/{store.slug}/billing/")
    assert response.status_code == 404


@pytest.fixture
def outsiders(billed, make_world, make_store, make_user, engines):
    other_store = make_store(billed.world)
    elsewhere = make_world()
    liaison = make_user(association=billed.association, role=Role.POLICE_LIAISON)
    with Session(engines.owner) as session, session.begin():
        region = session.scalar(sa.select(Region).where(Region.association_id == billed.association.id))
        from models import Membership

        session.execute(sa.update(Membership).where(Membership.user_id == liaison.id).values(region_id=region.id))
    return {
        "member of another store": (make_user(store=other_store, role=Role.STORE_OWNER), {404}),
        "association admin": (make_user(association=billed.association, role=Role.ASSOCIATION_ADMIN), {404}),
        "admin of another association": (
            make_user(association=elsewhere.association, role=Role.ASSOCIATION_ADMIN),
            {404},
        ),
        "liaison without a grant": (liaison, {404}),
        "staff of the store": (make_user(store=billed.store, role=Role.STORE_STAFF), {403}),
        "manager of the store": (make_user(store=billed.store, role=Role.STORE_MANAGER), {403}),
    }


def test_nobody_but_the_owner_reaches_billing(app, engines, billed, outsiders):
    customer = add_customer(engines, billed)
    for who, (person, allowed) in outsiders.items():
        client = app.test_client()
        sign_in(client, person.email)
        token = csrf_token(client.get("/account/password").get_data(as_text=True))
        for method, path in ROUTES:
            url = f"/s/{billed.store.slug}{path}"
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": token, "plan": str(billed.plan_id)})
            body = response.get_data(as_text=True)
            assert response.status_code in allowed, (who, method, path, response.status_code)
            assert customer not in body and "Annual membership" not in body, (who, path)
    row = row_of(engines, billed.store.id)
    assert row.checkout_attempt is None and row.checkout_session_id is None


def test_anonymous_visitors_are_sent_to_sign_in(client, billed):
    for method, path in ROUTES:
        response = client.open(f"/s/{billed.store.slug}{path}", method=method)
        assert response.status_code in (302, 400)
        if response.status_code == 302:
            assert "/login" in urllib.parse.unquote(response.headers["Location"])
