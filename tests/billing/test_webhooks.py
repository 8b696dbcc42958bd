"""Webhooks: signed events accepted once, duplicates and reordering harmless, forgeries refused, associations
kept apart. Events are built around real subscriptions read from localstripe and signed the way Stripe signs."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import AuditEntry, OutboundEmail, ProcessedStripeEvent
from tests.billing.conftest import add_customer, make_event, post_event, row_of, signature, subscribe_in_stripe


def processed(engines, association_id: int) -> list[tuple[str, str]]:
    with Session(engines.owner) as session:
        return session.execute(
            sa.select(ProcessedStripeEvent.event_id, ProcessedStripeEvent.outcome)
            .where(ProcessedStripeEvent.association_id == association_id)
            .order_by(ProcessedStripeEvent.id)
        ).all()


def status_changes(engines, store_id: int) -> list[dict]:
    with Session(engines.owner) as session:
        return session.scalars(
            sa.select(AuditEntry.details)
            .where(AuditEntry.store_id == store_id, AuditEntry.action == "billing.status_changed")
            .order_by(AuditEntry.id)
        ).all()


def test_a_signed_event_is_applied_once(client, engines, billed):
    customer = add_customer(engines, billed)
    subscription = subscribe_in_stripe(billed, customer)
    event = make_event("customer.subscription.created", subscription)

    response = post_event(client, billed, event)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["outcome"] == "applied"
    row = row_of(engines, billed.store.id)
    assert (row.status, row.stripe_subscription_id, row.plan_id) == ("active", subscription["id"], billed.plan_id)
    assert row.current_period_end is not None

    again = post_event(client, billed, event)
    assert again.status_code == 200 and again.get_json()["outcome"] == "duplicate"
    assert processed(engines, billed.association.id) == [(event["id"], "applied")]
    assert status_changes(engines, billed.store.id) == [{"before": None, "after": "active"}]


def test_the_same_event_100_times_has_one_effect(client, engines, billed):
    subscription = subscribe_in_stripe(billed, add_customer(engines, billed))
    event = make_event("customer.subscription.created", subscription)
    outcomes = [post_event(client, billed, event).get_json()["outcome"] for _ in range(100)]
    assert outcomes.count("applied") == 1 and outcomes.count("duplicate") == 99
    assert len(processed(engines, billed.association.id)) == 1
    assert status_changes(engines, billed.store.id) == [{"before": None, "after": "active"}]


def test_the_same_event_100_times_concurrently_has_one_effect(app, engines, billed):
    subscription = subscribe_in_stripe(billed, add_customer(engines, billed))
    event = make_event("customer.subscription.created", subscription)

    def deliver(_):
        response = post_event(app.test_client(), billed, event)
        return response.status_code, response.get_json()["outcome"]

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(deliver, range(100)))
    assert {status for status, _ in results} == {200}
    outcomes = [outcome for _, outcome in results]
    assert outcomes.count("applied") == 1 and outcomes.count("duplicate") == 99
    assert len(processed(engines, billed.association.id)) == 1
    assert status_changes(engines, billed.store.id) == [{"before": None, "after": "active"}]
    assert row_of(engines, billed.store.id).status == "active"


def _refused_deliveries(billed, event):
    payload = json.dumps(event).encode()
    now = int(time.time())
    tampered = payload.replace(b'"active"', b'"canceled"')
    assert tampered != payload
    return {
        "unsigned": (payload, {}),
        "empty signature": (payload, {"Stripe-Signature": ""}),
        "garbage signature": (payload, {"Stripe-Signature": "nonsense"}),
        "wrongly signed": (payload, {"Stripe-Signature": signature(payload, "whsec_not_the_secret")}),
        "stale": (payload, {"Stripe-Signature": signature(payload, billed.webhook_secret, now - 301)}),
        "tampered": (tampered, {"Stripe-Signature": signature(payload, billed.webhook_secret)}),
        "not json": (b"{not json", {"Stripe-Signature": signature(b"{not json", billed.webhook_secret)}),
    }


def test_unsigned_stale_wrongly_signed_or_tampered_events_are_refused_and_change_nothing(client, engines, billed):
    subscription = subscribe_in_stripe(billed, add_customer(engines, billed))
    event = make_event("customer.subscription.created", subscription)
    for name, (payload, headers) in _refused_deliveries(billed, event).items():
        response = client.post(billed.webhook_url, data=payload, headers=headers, content_type="application/json")
        assert response.status_code == 400, name
    assert processed(engines, billed.association.id) == []
    row = row_of(engines, billed.store.id)
    assert row.status is None and row.stripe_subscription_id is None
    assert status_changes(engines, billed.store.id) == []


def side_effects(engines, billed) -> tuple:
    """Everything a delivered event could leave behind: processed-event rows, the store's subscription row, its
    audit entries, and the outbox."""
    row = row_of(engines, billed.store.id)
    with Session(engines.owner) as session:
        audit_count = session.scalar(
            sa.select(sa.func.count()).where(AuditEntry.association_id == billed.association.id)
        )
        emails = session.scalar(sa.select(sa.func.count()).select_from(OutboundEmail))
    return (
        processed(engines, billed.association.id),
        (row.status, row.stripe_subscription_id, row.plan_id, row.synced_at),
        audit_count,
        emails,
    )


TEN_YEARS = 10 * 365 * 24 * 3600


def test_signatures_dated_ahead_are_refused_the_tolerance_applies_both_ways(client, engines, billed):
    subscription = subscribe_in_stripe(billed, add_customer(engines, billed))
    before = side_effects(engines, billed)
    for ahead in (TEN_YEARS, 3600, 301):
        event = make_event("customer.subscription.created", subscription)
        response = post_event(client, billed, event, timestamp=int(time.time()) + ahead)
        assert response.status_code == 400, ahead
    assert side_effects(engines, billed) == before

    # Within the tolerance either way (with a margin for the test's own seconds): accepted.
    for offset in (-290, 290):
        event = make_event("customer.subscription.created", subscription)
        response = post_event(client, billed, event, timestamp=int(time.time()) + offset)
        assert response.status_code == 200, offset
    assert len(processed(engines, billed.association.id)) == 2


def _drop(obj: dict, key: str) -> dict:
    return {k: v for k, v in obj.items() if k != key}


# Each builds a body from a well-formed subscription event; every one is then signed correctly and fresh.
MALFORMED = {
    "top-level list": lambda event: [event],
    "top-level string": lambda event: "customer.subscription.created",
    "top-level null": lambda event: None,
    "no type": lambda event: _drop(event, "type"),
    "type not a string": lambda event: {**event, "type": 42},
    "type of no known shape": lambda event: {**event, "type": "Customer Subscription Created!"},
    "id not a string": lambda event: {**event, "id": 12345},
    "empty id": lambda event: {**event, "id": ""},
    "no data": lambda event: _drop(event, "data"),
    "data a list": lambda event: {**event, "data": [event["data"]]},
    "data.object a list": lambda event: {**event, "data": {"object": [event["data"]["object"]]}},
    "data.object a string": lambda event: {**event, "data": {"object": event["data"]["object"]["id"]}},
    "subscription without id": lambda event: {**event, "data": {"object": _drop(event["data"]["object"], "id")}},
    "subscription without customer": lambda event: {
        **event,
        "data": {"object": _drop(event["data"]["object"], "customer")},
    },
    "subscription without status": lambda event: {
        **event,
        "data": {"object": _drop(event["data"]["object"], "status")},
    },
    "customer a number": lambda event: {**event, "data": {"object": {**event["data"]["object"], "customer": 7}}},
    "customer an object without id": lambda event: {
        **event,
        "data": {"object": {**event["data"]["object"], "customer": {"email": "x@example.org"}}},
    },
    "status a list": lambda event: {**event, "data": {"object": {**event["data"]["object"], "status": ["active"]}}},
    "subscription event carrying an invoice": lambda event: {
        **event,
        "data": {"object": {**event["data"]["object"], "object": "invoice"}},
    },
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_correctly_signed_but_malformed_events_answer_400_and_record_nothing(client, engines, billed, case):
    subscription = subscribe_in_stripe(billed, add_customer(engines, billed))
    event = make_event("customer.subscription.created", subscription)
    payload = json.dumps(MALFORMED[case](event)).encode()
    before = side_effects(engines, billed)
    response = client.post(
        billed.webhook_url,
        data=payload,
        headers={"Stripe-Signature": signature(payload, billed.webhook_secret)},
        content_type="application/json",
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]["message"] == "Invalid signature or event."
    assert side_effects(engines, billed) == before
    assert before[0] == [] and before[1][0] is None  # nothing was there to begin with


@pytest.mark.parametrize(
    "payload",
    [b"{not json", b"\xff\xfe not utf-8", b"[" * 100_000 + b"]" * 100_000],
    ids=["not json", "not utf-8", "nested 100,000 deep"],
)
def test_correctly_signed_bodies_that_are_not_json_answer_400(client, engines, billed, payload):
    add_customer(engines, billed)
    before = side_effects(engines, billed)
    response = client.post(
        billed.webhook_url,
        data=payload,
        headers={"Stripe-Signature": signature(payload, billed.webhook_secret)},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert side_effects(engines, billed) == before


def test_another_associations_secret_does_not_open_this_endpoint(client, engines, make_billed):
    mine, other = make_billed(), make_billed()
    subscription = subscribe_in_stripe(mine, add_customer(engines, mine))
    event = make_event("customer.subscription.created", subscription)
    response = post_event(client, mine, event, secret=other.webhook_secret)
    assert response.status_code == 400
    assert row_of(engines, mine.store.id).status is None


def test_an_unknown_association_has_no_endpoint(client, billed):
    event = make_event("customer.subscription.created", {"id": "sub_x", "customer": "cus_x"})
    payload = json.dumps(event).encode()
    response = client.post(
        "/webhooks/stripe/no-such-association",
        data=payload,
        headers={"Stripe-Signature": signature(payload, billed.webhook_secret)},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_updated_before_created_ends_in_stripes_current_state(client, engines, billed):
    customer = add_customer(engines, billed)
    subscription = subscribe_in_stripe(billed, customer)
    created = make_event("customer.subscription.created", subscription, created=int(time.time()) - 60)
    # The update's own copy claims "past_due": a handler trusting payloads would be wrong either way round.
    stale_copy = {**subscription.to_dict(), "status": "past_due"}
    updated = make_event("customer.subscription.updated", stale_copy)

    assert post_event(client, billed, updated).get_json()["outcome"] == "applied"
    assert row_of(engines, billed.store.id).status == "active"
    assert post_event(client, billed, created).get_json()["outcome"] == "applied"
    assert row_of(engines, billed.store.id).status == "active"

    # Cancelled in Stripe; a late "created" with its old "active" copy must not bring it back.
    billed.stripe.client.v1.subscriptions.cancel(subscription["id"])
    deleted = make_event(
        "customer.subscription.deleted", billed.stripe.client.v1.subscriptions.retrieve(subscription["id"])
    )
    late_created = make_event("customer.subscription.created", subscription)
    assert post_event(client, billed, deleted).status_code == 200
    assert post_event(client, billed, late_created).status_code == 200
    row = row_of(engines, billed.store.id)
    assert row.status == "canceled"
    assert status_changes(engines, billed.store.id) == [
        {"before": None, "after": "active"},
        {"before": "active", "after": "canceled"},
    ]


def test_an_event_about_another_associations_customer_changes_nothing(client, engines, make_billed):
    mine, theirs = make_billed(), make_billed()
    add_customer(engines, mine)
    their_customer = add_customer(engines, theirs)
    their_subscription = subscribe_in_stripe(theirs, their_customer)
    event = make_event("customer.subscription.created", their_subscription)

    # Signed correctly for *my* endpoint, but about their customer.
    response = post_event(client, mine, event)
    assert response.status_code == 200 and response.get_json()["outcome"] == "ignored"
    assert row_of(engines, theirs.store.id).status is None
    assert row_of(engines, mine.store.id).status is None
    assert processed(engines, theirs.association.id) == []
    assert status_changes(engines, theirs.store.id) == status_changes(engines, mine.store.id) == []

    # A checkout session naming their store in its metadata is no way in either.
    checkout = make_event(
        "checkout.session.completed",
        {
            "id": "cs_test_forged",
            "object": "checkout.session",
            "customer": their_customer,
            "client_reference_id": str(theirs.store.id),
            "subscription": their_subscription["id"],
            "metadata": {"loupe_store_id": str(theirs.store.id)},
        },
    )
    assert post_event(client, mine, checkout).get_json()["outcome"] == "ignored"
    assert row_of(engines, theirs.store.id).status is None


def test_events_we_do_not_handle_are_recorded_and_ignored(client, engines, billed):
    event = make_event("customer.created", {"id": "cus_whatever", "object": "customer"})
    assert post_event(client, billed, event).get_json()["outcome"] == "ignored"
    assert processed(engines, billed.association.id) == [(event["id"], "ignored")]


def test_the_webhook_needs_no_csrf_token_but_only_takes_post(client, billed):
    assert client.get(billed.webhook_url).status_code == 405
