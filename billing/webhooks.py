"""Applying a verified Stripe event: recorded once, in the same transaction as its effect.

The route (blueprints.webhooks) verifies the signature on the raw body first; nothing here runs for an event
that failed it. Then `handle_event`:

1. inserts the event id (`ON CONFLICT DO NOTHING`, unique per association). A duplicate inserts nothing and
   does nothing else; a concurrent copy waits on the unique index until the first commits, then sees it.
2. finds the store the event is about *within the receiving association* (by customer, or by the checkout
   session we created). Anything else is recorded as "ignored": an event naming another association's customer
   changes nothing anywhere.
3. locks that store's row and re-reads the subscription from Stripe (billing.reconcile), never trusting the
   event's own copy or its order.

If Stripe cannot be reached the whole transaction rolls back, the event stays unrecorded, and Stripe retries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import stripe
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from billing.reconcile import SubscriptionChange, lock_row, object_id, refresh_subscription
from billing.stripe_client import AssociationStripe, StripeUnavailable
from models import OutboundEmail, ProcessedStripeEvent, StoreSubscription

SIGNATURE_TOLERANCE_SECONDS = 300

HANDLED_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.paused",
        "customer.subscription.resumed",
        "invoice.paid",
        "invoice.payment_succeeded",
        "invoice.payment_failed",
    }
)


class InvalidWebhook(ValueError):
    """Unsigned, wrongly signed, stale, tampered or unreadable: answer 400 and record nothing."""


def verify_event(payload: bytes, signature_header: str | None, webhook_secret: str) -> Any:
    """The event, if `payload` carries a valid, fresh signature made with `webhook_secret`."""
    if not signature_header:
        raise InvalidWebhook("no Stripe-Signature header")
    try:
        return stripe.Webhook.construct_event(
            payload, signature_header, webhook_secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError as exc:
        raise InvalidWebhook(f"signature refused: {exc.user_message or 'mismatch'}") from None
    except (ValueError, IndexError, TypeError) as exc:  # malformed header or body (not JSON, not UTF-8)
        raise InvalidWebhook(f"unreadable event: {type(exc).__name__}") from None


@dataclass
class EventResult:
    outcome: str  # "applied", "ignored" or "duplicate"
    change: SubscriptionChange | None = None
    emails: list[OutboundEmail] = field(default_factory=list)


def handle_event(session: Session, stripe_account: AssociationStripe, event: Any, *, now: datetime) -> EventResult:
    """Record the event once and apply it. Flushes; the caller commits (or rolls back on any error)."""
    event_id, event_type = event["id"], event["type"]
    if not isinstance(event_id, str) or not event_id or len(event_id) > 255:
        raise InvalidWebhook("event without a usable id")
    claimed = session.scalar(
        pg_insert(ProcessedStripeEvent)
        .values(
            association_id=stripe_account.association_id,
            event_id=event_id,
            event_type=str(event_type)[:100],
            outcome="applied",
        )
        .on_conflict_do_nothing(index_elements=[ProcessedStripeEvent.association_id, ProcessedStripeEvent.event_id])
        .returning(ProcessedStripeEvent.id)
    )
    if claimed is None:
        return EventResult("duplicate")
    row_id = _row_for_event(session, stripe_account, event_type, event["data"]["object"])
    row = lock_row(session, row_id) if row_id is not None else None
    if row is None:
        session.execute(
            sa.update(ProcessedStripeEvent).where(ProcessedStripeEvent.id == claimed).values(outcome="ignored")
        )
        return EventResult("ignored")
    change = refresh_subscription(session, row, stripe_account, now=now)
    return EventResult("applied", change, change.emails)


def _row_for_event(session: Session, stripe_account: AssociationStripe, event_type: str, obj: Any) -> int | None:
    """The id of this association's store-subscription row the event is about, or None."""
    if event_type not in HANDLED_EVENTS:
        return None
    association_id = stripe_account.association_id
    customer_id = object_id(_field(obj, "customer"))
    if customer_id:
        row_id = session.scalar(
            sa.select(StoreSubscription.id).where(
                StoreSubscription.association_id == association_id,
                StoreSubscription.stripe_customer_id == customer_id,
            )
        )
        if row_id is not None:
            return row_id
    if event_type == "checkout.session.completed":
        # A checkout we started, whose customer Stripe created: trust the session as Stripe has it now.
        row = session.scalar(
            sa.select(StoreSubscription).where(
                StoreSubscription.association_id == association_id,
                StoreSubscription.checkout_session_id == _field(obj, "id"),
                StoreSubscription.stripe_customer_id.is_(None),
            )
        )
        if row is not None:
            try:
                checkout = stripe_account.client.v1.checkout.sessions.retrieve(row.checkout_session_id)
            except stripe.StripeError as exc:
                raise StripeUnavailable("Stripe could not be reached to read the checkout session.") from exc
            if object_id(checkout["customer"]):
                row.stripe_customer_id = object_id(checkout["customer"])
                session.flush()
                return row.id
    return None


def _field(obj: Any, key: str) -> Any:
    try:
        return obj[key]
    except (KeyError, TypeError):
        return None
