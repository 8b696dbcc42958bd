"""Platform billing (Loupe's own revenue, issue 20 part 2): an association subscribes per member store on the
PLATFORM's Stripe account (localstripe + the Checkout/portal double), its webhooks are verified and deduplicated on
their own endpoint, the store count follows the subscription's quantity, and an association that stops paying is
read-only, then export-only after the grace period."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from audit import Actor
from billing import platform as platform_billing
from models import AssociationSubscription, AuditEntry, ProcessedPlatformEvent, Role
from models.base import utcnow
from tests.admin.conftest import enrol, sign_in_with_code
from tests.billing.conftest import make_event, signature
from tests.fixtures.factories import unique
from tests.fixtures.web import csrf_token, post_form, sign_in
from tests.support.localstripe_server import API_KEY

ENDPOINT = "/webhooks/stripe-platform"


@pytest.fixture
def platform(app, engines, stripe_api):
    """The platform's Stripe keys in config (the test double's), and one synced plan: 4.00 EUR per store a month."""
    secret = "whsec_" + secrets.token_hex(16)
    app.config.update(PLATFORM_STRIPE_SECRET_KEY=API_KEY, PLATFORM_STRIPE_WEBHOOK_SECRET=secret)
    stripe_ = platform_billing.require_platform_stripe(app.config)
    with Session(engines.app, expire_on_commit=False) as session, session.begin():
        plan = platform_billing.create_platform_plan(
            session,
            name=unique("Per store"),
            interval="month",
            amount_per_store=400,
            currency="eur",
            actor=Actor.system("test"),
        )
        platform_billing.sync_platform_plans(session, stripe_, actor=Actor.system("test"))
    yield type("Platform", (), {"plan": plan, "secret": secret, "stripe": stripe_, "servers": stripe_api})
    app.config.update(PLATFORM_STRIPE_SECRET_KEY=None, PLATFORM_STRIPE_WEBHOOK_SECRET=None)
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(platform_billing.PlatformPlan).values(active=False))


@pytest.fixture
def admin_world(app, engines, make_world, make_store, make_user):
    world = make_world()
    stores = [make_store(world), make_store(world)]
    admin = make_user(association=world.association, role=Role.ASSOCIATION_ADMIN)
    client = app.test_client()
    sign_in_with_code(client, engines, admin, enrol(engines, admin))
    return type("AdminWorld", (), {"world": world, "stores": stores, "admin": admin, "client": client})


def _row(engines, association_id: int) -> AssociationSubscription | None:
    with Session(engines.owner, expire_on_commit=False) as session:
        return session.scalar(
            sa.select(AssociationSubscription).where(AssociationSubscription.association_id == association_id)
        )


def _post_event(client, event: dict, secret: str, timestamp: int | None = None):
    payload = json.dumps(event).encode()
    return client.post(
        ENDPOINT,
        data=payload,
        headers={"Stripe-Signature": signature(payload, secret, timestamp)},
        content_type="application/json",
    )


def test_an_admin_subscribes_per_member_store_through_checkout_on_the_platform_account(
    app, engines, platform, admin_world, live_server
):
    gaps = platform.servers.gaps
    gaps.register_webhook(live_server + ENDPOINT, platform.secret, id="platform")
    slug = admin_world.world.association.slug
    page = admin_world.client.get(f"/a/{slug}/loupe-plan/")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "2</strong> member stores" in body and "4.00 EUR per member store" in body
    response = post_form(
        admin_world.client,
        f"/a/{slug}/loupe-plan/checkout",
        {"plan": str(platform.plan.id)},
        form_url=f"/a/{slug}/loupe-plan/",
    )
    assert response.status_code == 303 and response.headers["Location"].startswith(gaps.url)
    session_id = response.headers["Location"].rsplit("/", 1)[1]
    completed = gaps.complete_checkout(session_id)  # the hosted page's Pay button; its webhook reaches the app
    row = _row(engines, admin_world.world.association.id)
    assert (row.status, row.quantity, row.plan_id) == ("active", 2, platform.plan.id)
    assert row.stripe_subscription_id == completed["subscription"] and row.unpaid_since is None
    subscription = platform.stripe.client.v1.subscriptions.retrieve(completed["subscription"])
    assert subscription["items"]["data"][0]["quantity"] == 2
    with Session(engines.owner) as session:
        actions = session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.association_id == admin_world.world.association.id)
        ).all()
    assert "platform_billing.checkout_started" in actions and "platform_billing.status_changed" in actions
    # Subscribed: the page offers the portal, not a second subscription.
    page = admin_world.client.get(f"/a/{slug}/loupe-plan/").get_data(as_text=True)
    assert "Manage billing" in page and "Subscribe" not in page
    portal = admin_world.client.post(f"/a/{slug}/loupe-plan/portal", data={"csrf_token": csrf_token(page)})
    assert portal.status_code == 303 and portal.headers["Location"].startswith(gaps.url)


def test_the_store_count_follows_the_subscription_quantity(app, engines, platform, admin_world, make_store, run_jobs):
    association = admin_world.world.association
    customer = platform.stripe.client.v1.customers.create(params={"name": association.name})
    client = platform.stripe.client
    method = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer["id"]})
    client.v1.customers.update(customer["id"], params={"invoice_settings": {"default_payment_method": method["id"]}})
    subscription = client.v1.subscriptions.create(
        params={"customer": customer["id"], "items": [{"plan": platform.plan.stripe_price_id, "quantity": 2}]}
    )
    with Session(engines.app) as session, session.begin():
        session.add(
            AssociationSubscription(
                association_id=association.id,
                stripe_customer_id=customer["id"],
                stripe_subscription_id=subscription["id"],
                status="active",
                quantity=2,
            )
        )
    make_store(admin_world.world)  # a third member store
    with Session(engines.app) as session, session.begin():
        platform_billing.queue_quantity_sync(session, association.id)
        platform_billing.queue_quantity_sync(session, association.id)  # one waiting job per association
    run_jobs()
    assert _row(engines, association.id).quantity == 3
    assert client.v1.subscriptions.retrieve(subscription["id"])["items"]["data"][0]["quantity"] == 3
    with Session(engines.owner) as session:
        synced = session.scalars(
            sa.select(AuditEntry.details).where(
                AuditEntry.association_id == association.id, AuditEntry.action == "platform_billing.quantity_synced"
            )
        ).all()
    assert synced == [{"from": 2, "to": 3}]
    # Run again: nothing to change, nothing sent.
    with Session(engines.app) as session, session.begin():
        assert platform_billing.sync_quantity(session, association.id, platform.stripe, now=utcnow()) is False


def test_inviting_a_store_queues_the_quantity_sync(engines, admin_world):
    from members.stores import invite_store

    association = admin_world.world.association
    with Session(engines.app) as session, session.begin():
        invite_store(
            session,
            session.get(type(association), association.id),
            name="Third Jewels",
            slug=None,
            region_id=admin_world.world.region.id,
            area_id=None,
            owner_email=f"{unique('o')}@example.org",
            owner_name="Owen",
            actor=Actor.system("test"),
            invitation_max_age=timedelta(days=1),
        )
    with engines.owner.connect() as conn:
        waiting = conn.scalar(
            sa.text(
                "SELECT count(*) FROM loupe_jobs.procrastinate_jobs WHERE task_name = :t AND status = 'todo'"
                " AND (args->>'association_id')::bigint = :a"
            ),
            {"t": "billing.sync_platform_quantity", "a": association.id},
        )
    assert waiting == 1


def test_platform_webhooks_are_verified_and_deduplicated(app, engines, platform, admin_world):
    association = admin_world.world.association
    customer = platform.stripe.client.v1.customers.create(params={"name": association.name})
    with Session(engines.app) as session, session.begin():
        session.add(AssociationSubscription(association_id=association.id, stripe_customer_id=customer["id"]))
    client = platform.stripe.client
    method = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer["id"]})
    client.v1.customers.update(customer["id"], params={"invoice_settings": {"default_payment_method": method["id"]}})
    subscription = client.v1.subscriptions.create(
        params={"customer": customer["id"], "items": [{"plan": platform.plan.stripe_price_id}]}
    )
    event = make_event("customer.subscription.created", subscription)
    web = app.test_client()

    def recorded() -> int:
        with engines.owner.connect() as conn:
            return conn.scalar(
                sa.select(sa.func.count())
                .select_from(ProcessedPlatformEvent)
                .where(ProcessedPlatformEvent.event_id == event["id"])
            )

    # Unsigned, signed with another secret (an association's), or stale: 400, nothing recorded.
    assert web.post(ENDPOINT, data=json.dumps(event), content_type="application/json").status_code == 400
    assert _post_event(web, event, "whsec_" + secrets.token_hex(16)).status_code == 400
    assert _post_event(web, event, platform.secret, timestamp=int(utcnow().timestamp()) - 3600).status_code == 400
    assert recorded() == 0 and _row(engines, association.id).status is None
    first = _post_event(web, event, platform.secret)
    assert first.status_code == 200 and first.get_json()["outcome"] == "applied"
    assert _row(engines, association.id).status == "active"
    again = _post_event(web, event, platform.secret)
    assert again.get_json()["outcome"] == "duplicate" and recorded() == 1
    # An event about a customer no association has: recorded as ignored, nothing changes.
    stranger = make_event("customer.subscription.updated", {**subscription.to_dict(), "customer": "cus_nobody"})
    assert _post_event(web, stranger, platform.secret).get_json()["outcome"] == "ignored"


def test_without_platform_keys_the_endpoint_is_not_there(app):
    event = make_event("customer.subscription.created", {"id": "sub_1", "object": "subscription"})
    assert _post_event(app.test_client(), event, "whsec_x").status_code == 404


def _set_unpaid(engines, association_id: int, *, days_ago: int, status: str = "past_due") -> None:
    # The time is a parameter: Citus refuses now() in an upsert's DO UPDATE SET (the suite also runs on Citus).
    since = utcnow() - timedelta(days=days_ago)
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.text(
                "INSERT INTO loupe.association_subscriptions (association_id, status, unpaid_since)"
                " VALUES (:a, :s, :since)"
                " ON CONFLICT (association_id) DO UPDATE SET status = :s, unpaid_since = :since"
            ),
            {"a": association_id, "s": status, "since": since},
        )


def test_past_due_is_read_only_with_a_banner_then_export_only_after_the_grace_period(
    app, engines, admin_world, make_user
):
    association, store = admin_world.world.association, admin_world.stores[0]
    owner = make_user(store=store)
    member = app.test_client()
    sign_in(member, owner.email)
    slug = association.slug
    _set_unpaid(engines, association.id, days_ago=2)
    dashboard = member.get(f"/s/{store.slug}/")
    assert dashboard.status_code == 200 and "Loupe subscription is not paid" in dashboard.get_data(as_text=True)
    contacts = member.get(f"/s/{store.slug}/contacts/new")
    write = member.post(
        f"/s/{store.slug}/contacts/new", data={"csrf_token": csrf_token(contacts.get_data(as_text=True))}
    )
    assert write.status_code == 403 and "read-only" in write.get_data(as_text=True)
    admin = admin_world.client
    assert admin.get(f"/a/{slug}/members/").status_code == 200
    page = admin.get(f"/a/{slug}/regions/").get_data(as_text=True)
    refused = admin.post(
        f"/a/{slug}/regions/new", data={"csrf_token": csrf_token(page), "name": "East", "slug": "east"}
    )
    assert refused.status_code == 403
    # The Loupe subscription page stays open (paying is how to get out of it).
    assert admin.get(f"/a/{slug}/loupe-plan/").status_code == 200

    _set_unpaid(engines, association.id, days_ago=app.config["PLATFORM_BILLING_GRACE_DAYS"] + 1)
    closed = member.get(f"/s/{store.slug}/")
    assert closed.status_code == 403 and "only exports stay open" in closed.get_data(as_text=True)
    assert member.get(f"/s/{store.slug}/logbook/export.csv").status_code == 200  # exports stay open
    assert admin.get(f"/a/{slug}/members/").status_code == 403
    assert admin.get(f"/a/{slug}/loupe-plan/").status_code == 200
    # Paid again: full access at once.
    _set_unpaid(engines, association.id, days_ago=0, status="active")
    assert member.get(f"/s/{store.slug}/").status_code == 200


def test_the_access_rule(app):
    now = utcnow()
    grace = timedelta(days=14)
    row = AssociationSubscription(status="active")
    assert platform_billing.access_state(None, now=now, grace=grace).level == "full"
    assert platform_billing.access_state(row, now=now, grace=grace).level == "full"
    for status in ("past_due", "unpaid", "incomplete", "canceled"):
        unpaid = AssociationSubscription(status=status, unpaid_since=now - timedelta(days=13))
        assert platform_billing.access_state(unpaid, now=now, grace=grace).level == "read_only"
        unpaid.unpaid_since = now - timedelta(days=14, seconds=1)
        assert platform_billing.access_state(unpaid, now=now, grace=grace).level == "export_only"
