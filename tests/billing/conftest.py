"""Billing tests against real components: localstripe in a child process and the test double for the endpoints
it lacks (prices, checkout, portal), both on 127.0.0.1 and stopped by pid at the end of the session."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from billing.crypto import SecretBox
from billing.plans import create_plan, sync_plans
from billing.stripe_client import AssociationStripe, save_stripe_account, stripe_for
from models import Association, Role, Store, StoreSubscription, User
from tests.fixtures.factories import World
from tests.fixtures.outbound import expect_outbound, expect_outbound_url
from tests.support.localstripe_server import API_KEY, start_localstripe
from tests.support.stripe_gaps_server import start_stripe_gaps_server


@pytest.fixture(scope="session")
def stripe_servers(tmp_path_factory):
    # localstripe's port is chosen inside start_localstripe, which polls it until it answers.
    with expect_outbound("127.0.0.1"):
        localstripe = start_localstripe(tmp_path_factory.mktemp("localstripe"))
    try:
        gaps = start_stripe_gaps_server(localstripe_url=localstripe.url)
    except BaseException:
        localstripe.stop()
        raise
    with expect_outbound_url(localstripe.url), expect_outbound_url(gaps.url):
        yield SimpleNamespace(localstripe=localstripe, gaps=gaps)
    gaps.stop()
    localstripe.stop()  # SIGTERM to its pid, then SIGKILL if it lingers


@pytest.fixture
def stripe_api(app, stripe_servers):
    """Point the app's Stripe clients at the test double (which forwards the rest to localstripe)."""
    keys = ("STRIPE_API_BASE", "STRIPE_MAX_NETWORK_RETRIES")
    old = {k: app.config[k] for k in keys if k in app.config}
    app.config.update(STRIPE_API_BASE=stripe_servers.gaps.url, STRIPE_MAX_NETWORK_RETRIES=0)
    yield stripe_servers
    for key in keys:
        app.config.pop(key, None)
    app.config.update(old)


@pytest.fixture(scope="session")
def live_server(app):
    """The app served over HTTP on 127.0.0.1, so Stripe's (test) servers can deliver webhooks to it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="loupe-live-server", daemon=True)
    thread.start()
    with expect_outbound("127.0.0.1", server.server_port):
        yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@dataclass
class Billed:
    """An association billing through (local) Stripe, with a synced plan, a store and its owner."""

    world: World
    store: Store
    owner: User
    plan_id: int
    price_id: str
    webhook_secret: str
    stripe: AssociationStripe

    @property
    def association(self) -> Association:
        return self.world.association

    @property
    def webhook_url(self) -> str:
        return f"/webhooks/stripe/{self.association.slug}"


@pytest.fixture
def make_billed(app, engines, make_world, make_store, make_user, stripe_api):
    def make(name: str | None = None) -> Billed:
        world = make_world(name)
        store = make_store(world)
        owner = make_user(store=store, role=Role.STORE_OWNER)
        secret = "whsec_" + secrets.token_hex(16)
        with Session(engines.app, expire_on_commit=False) as session, session.begin():
            save_stripe_account(
                session,
                world.association.id,
                secret_key=API_KEY,
                webhook_secret=secret,
                publishable_key=None,
                box=SecretBox.from_config(app.config),
            )
            plan = create_plan(
                session, world.association.id, name="Annual membership", interval="year", amount=12000, currency="eur"
            )
            account = stripe_for(session, world.association.id, app.config)
            sync_plans(session, account)
        return Billed(world, store, owner, plan.id, plan.stripe_price_id, secret, account)

    return make


@pytest.fixture
def billed(make_billed) -> Billed:
    return make_billed()


def add_customer(engines, billed: Billed) -> str:
    """What starting a checkout leaves behind: a Stripe customer recorded on the store's row."""
    customer = billed.stripe.client.v1.customers.create(params={"email": billed.owner.email})
    with Session(engines.app) as session, session.begin():
        session.add(
            StoreSubscription(
                store_id=billed.store.id,
                association_id=billed.association.id,
                stripe_customer_id=customer["id"],
            )
        )
    return customer["id"]


def subscribe_in_stripe(billed: Billed, customer_id: str, card: str = "pm_card_visa") -> Any:
    """Create a paid subscription in localstripe, as Checkout would, without telling Loupe."""
    client = billed.stripe.client
    method = client.v1.payment_methods.attach(card, params={"customer": customer_id})
    client.v1.customers.update(customer_id, params={"invoice_settings": {"default_payment_method": method["id"]}})
    return client.v1.subscriptions.create(params={"customer": customer_id, "items": [{"plan": billed.price_id}]})


def make_event(event_type: str, obj: Any, event_id: str | None = None, created: int | None = None) -> dict:
    """An event in Stripe's shape around a real object (a dict, or a Stripe object read from localstripe)."""
    data = obj.to_dict() if hasattr(obj, "to_dict") else obj
    return {
        "id": event_id or "evt_" + secrets.token_hex(12),
        "object": "event",
        "api_version": "2017-08-15",
        "created": created or int(time.time()),
        "data": {"object": json.loads(json.dumps(data))},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header, made the way Stripe makes it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), b"%d.%s" % (timestamp, payload), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def post_event(client, billed: Billed, event: dict, *, secret: str | None = None, timestamp: int | None = None):
    payload = json.dumps(event).encode()
    return client.post(
        billed.webhook_url,
        data=payload,
        headers={"Stripe-Signature": signature(payload, secret or billed.webhook_secret, timestamp)},
        content_type="application/json",
    )


def row_of(engines, store_id: int) -> StoreSubscription | None:
    with Session(engines.owner, expire_on_commit=False) as session:
        return session.scalar(sa.select(StoreSubscription).where(StoreSubscription.store_id == store_id))
