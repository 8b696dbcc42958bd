"""Applying a verified Stripe event: recorded once, in the same transaction as its effect.

The route (blueprints.webhooks) calls `verify_event` on the raw body first: the signature, its date (within
300 s either way) and the event's shape (`event_from_json`); nothing else runs for an event that failed it, so a
refused event records nothing. Then `handle_event`:

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

import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import stripe
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from billing.reconcile import SubscriptionChange, lock_row, object_id, refresh_subscription
from billing.stripe_client import AssociationStripe, StripeUnavailable
from i18n import _
from models import OutboundEmail, ProcessedStripeEvent, StoreSubscription

SIGNATURE_TOLERANCE_SECONDS = 300


class InvalidWebhook(ValueError):
    """Unsigned, wrongly signed, stale, dated ahead, tampered, unreadable or malformed: answer 400 and record
    nothing."""


@dataclass(frozen=True)
class StripeEvent:
    """A verified event whose shape was checked: the only fields anything here reads."""

    id: str
    type: str
    data_object: dict[str, Any]


# The Stripe object each handled event type carries, and the fields the handlers read from it (`id` always).
_SUBSCRIPTION = ("subscription", ("customer", "status"))
_INVOICE = ("invoice", ("customer",))
_EXPECTED_OBJECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "checkout.session.completed": ("checkout.session", ()),
    "customer.subscription.created": _SUBSCRIPTION,
    "customer.subscription.updated": _SUBSCRIPTION,
    "customer.subscription.deleted": _SUBSCRIPTION,
    "customer.subscription.paused": _SUBSCRIPTION,
    "customer.subscription.resumed": _SUBSCRIPTION,
    "invoice.paid": _INVOICE,
    "invoice.payment_succeeded": _INVOICE,
    "invoice.payment_failed": _INVOICE,
}
HANDLED_EVENTS = frozenset(_EXPECTED_OBJECTS)
_EVENT_TYPE_RE = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")


def verify_event(
    payload: bytes, signature_header: str | None, webhook_secret: str, *, now: float | None = None
) -> StripeEvent:
    """The event, if `payload` carries a valid signature made with `webhook_secret`, dated within
    `SIGNATURE_TOLERANCE_SECONDS` of `now` (either way), and has the shape `handle_event` reads."""
    if not signature_header:
        raise InvalidWebhook("no Stripe-Signature header")
    try:
        # Checks the HMAC, and only that the timestamp is not too old.
        stripe.WebhookSignature.verify_header(payload, signature_header, webhook_secret, SIGNATURE_TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as exc:
        raise InvalidWebhook(f"signature refused: {exc.user_message or 'mismatch'}") from None
    except (ValueError, TypeError) as exc:  # a body that is not UTF-8
        raise InvalidWebhook(f"unreadable event: {type(exc).__name__}") from None
    # A signature dated ahead is as suspect as a stale one (a captured future-dated signature would replay for
    # years): the tolerance applies both ways.
    signed_at = _signed_timestamp(signature_header)
    now = time.time() if now is None else now
    if abs(now - signed_at) > SIGNATURE_TOLERANCE_SECONDS:
        raise InvalidWebhook(f"signature dated {signed_at - now:+.0f} s from now, outside the tolerance")
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError) as exc:  # not JSON (or nested past what the parser can follow)
        raise InvalidWebhook(f"unreadable event: {type(exc).__name__}") from None
    return event_from_json(data)


def _signed_timestamp(signature_header: str) -> int:
    """The header's timestamp, read the way stripe.WebhookSignature reads it (the first `t=`): the one it
    signed the payload with. Only called once the header was verified, so it parses."""
    items = [item.split("=", 2) for item in signature_header.split(",")]
    return int([item[1] for item in items if item[0] == "t"][0])


def event_from_json(data: Any) -> StripeEvent:
    """Check a signed event's shape: the one place a malformed event is refused, before anything is recorded.

    Every event needs an id, a type and an object; a handled type needs its kind of object with the fields its
    handler reads. Unhandled types are kept to the common shape (recorded as "ignored")."""
    if not isinstance(data, dict):
        raise InvalidWebhook("the event is not a JSON object")
    event_id, event_type, body = data.get("id"), data.get("type"), data.get("data")
    if not _usable_text(event_id):
        raise InvalidWebhook("event without a usable id")
    if not isinstance(event_type, str) or len(event_type) > 100 or not _EVENT_TYPE_RE.fullmatch(event_type):
        raise InvalidWebhook("event without a usable type")
    obj = body.get("object") if isinstance(body, dict) else None
    if not isinstance(obj, dict):
        raise InvalidWebhook("event without a data.object")
    expected = _EXPECTED_OBJECTS.get(event_type)
    if expected is not None:
        kind, required = expected
        if obj.get("object") != kind:
            raise InvalidWebhook(f"{event_type} event whose object is not a {kind}")
        customer = obj.get("customer")
        customer_id = customer.get("id") if isinstance(customer, dict) else customer  # the id or the expanded one
        if customer is not None and not _usable_text(customer_id):
            raise InvalidWebhook(f"{event_type} event whose object has an unusable customer")
        for key in ("id", *required):
            if not _usable_text(customer_id if key == "customer" else obj.get(key)):
                raise InvalidWebhook(f"{event_type} event whose object has no usable {key}")
    return StripeEvent(event_id, event_type, obj)


def _usable_text(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 255 and value.isprintable()


@dataclass
class EventResult:
    outcome: str  # "applied", "ignored" or "duplicate"
    change: SubscriptionChange | None = None
    emails: list[OutboundEmail] = field(default_factory=list)


def handle_event(
    session: Session, stripe_account: AssociationStripe, event: StripeEvent, *, now: datetime
) -> EventResult:
    """Record the event once and apply it. Flushes; the caller commits (or rolls back on any error)."""
    event_id, event_type = event.id, event.type
    claimed = session.scalar(
        pg_insert(ProcessedStripeEvent)
        .values(
            association_id=stripe_account.association_id,
            event_id=event_id,
            event_type=event_type,
            outcome="applied",
        )
        .on_conflict_do_nothing(index_elements=[ProcessedStripeEvent.association_id, ProcessedStripeEvent.event_id])
        .returning(ProcessedStripeEvent.id)
    )
    if claimed is None:
        return EventResult("duplicate")
    row_id = _row_for_event(session, stripe_account, event_type, event.data_object)
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
                raise StripeUnavailable(_("Stripe could not be reached to read the checkout session.")) from exc
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
