"""Starting a Stripe Checkout (subscription mode) or customer-portal session for a store.

Idempotency: every create call carries a key built from a *checkout attempt* (`checkout-<store>-<plan>-<nonce>`)
that is committed to the store's subscription row **before** Stripe is called. A retry (double click, a request
that failed after Stripe answered, a network retry) reuses the attempt for 23 hours, so Stripe answers with the
customer and session it already created instead of making new ones. That is why `start_checkout` takes an
Engine and runs its own short transactions instead of working inside the request's single commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import stripe
from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

import audit
from audit import Actor
from billing.stripe_client import AssociationStripe, StripeUnavailable
from errors import Conflict, DomainError, NotFound
from i18n import _
from models import DuesPlan, Store, StoreSubscription
from models.base import utcnow

# Stripe keeps idempotency keys for at least 24 hours; stay inside that.
ATTEMPT_LIFETIME = timedelta(hours=23)
# Statuses with a subscription the owner manages in the portal rather than starting another one.
LIVE_STATUSES = frozenset({"trialing", "active", "past_due", "unpaid", "paused", "incomplete"})


@dataclass(frozen=True)
class CheckoutStart:
    url: str
    session_id: str
    attempt: str


def subscription_of(session: Session, store_id: int) -> StoreSubscription | None:
    return session.scalar(sa.select(StoreSubscription).where(StoreSubscription.store_id == store_id))


def lock_subscription_row(session: Session, store: Store) -> StoreSubscription:
    """The store's subscription row, created if missing, locked FOR UPDATE until the transaction ends."""
    session.execute(
        pg_insert(StoreSubscription)
        .values(store_id=store.id, association_id=store.association_id)
        .on_conflict_do_nothing(index_elements=[StoreSubscription.store_id])
    )
    return session.scalars(
        sa.select(StoreSubscription)
        .where(StoreSubscription.store_id == store.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def payable_plan(session: Session, association_id: int, plan_id: int) -> DuesPlan:
    plan = session.get(DuesPlan, plan_id)
    if plan is None or plan.association_id != association_id or not plan.active or not plan.stripe_price_id:
        raise NotFound(_("That dues plan is not offered."))
    return plan


def reserve_attempt(
    session: Session, store: Store, plan: DuesPlan, *, now: datetime, fresh: bool = False
) -> tuple[str, str | None]:
    """Lock the row, refuse a second live subscription, and return (attempt, customer id). Flushes."""
    row = lock_subscription_row(session, store)
    if row.status in LIVE_STATUSES:
        raise Conflict(_("This store already has a dues subscription: manage it with “Manage card and invoices”."))
    reusable = (
        not fresh
        and row.checkout_attempt is not None
        and row.checkout_plan_id == plan.id
        and row.checkout_started_at is not None
        and now - row.checkout_started_at < ATTEMPT_LIFETIME
    )
    if not reusable:
        row.checkout_attempt = f"checkout-{store.id}-{plan.id}-{secrets.token_hex(8)}"
        row.checkout_plan_id = plan.id
        row.checkout_started_at = now
        row.checkout_session_id = None
    session.flush()
    return row.checkout_attempt, row.stripe_customer_id


def start_checkout(
    caller_session: Session,
    engine: Engine,
    stripe_account: AssociationStripe,
    *,
    store: Store,
    plan_id: int,
    actor: Actor,
    success_url: str,
    cancel_url: str,
) -> CheckoutStart:
    """Create (or, on a retry, get back) the Stripe customer and Checkout session for the store's dues.

    The attempt's rows commit in their own short transactions on `engine`, around the Stripe calls; the audit entry
    goes in `caller_session`, with the rest of the caller's work. The Stripe customer gets the actor's email.
    """
    if store.association_id != stripe_account.association_id:
        raise NotFound(_("That dues plan is not offered."))
    with Session(engine) as session, session.begin():
        plan = payable_plan(session, store.association_id, plan_id)
        price_id = plan.stripe_price_id
        attempt, customer_id = reserve_attempt(session, store, plan, now=utcnow())
    try:
        for _try in range(2):
            if customer_id is None:
                customer_id = _create_customer(stripe_account, store, actor.email or "", attempt)
                with Session(engine) as session, session.begin():
                    row = lock_subscription_row(session, store)
                    # Another request may have stored its customer first; keep that one.
                    customer_id = row.stripe_customer_id = row.stripe_customer_id or customer_id
            checkout = stripe_account.client.v1.checkout.sessions.create(
                params={
                    "mode": "subscription",
                    "customer": customer_id,
                    "line_items": [{"price": price_id, "quantity": 1}],
                    "success_url": success_url,
                    "cancel_url": cancel_url,
                    "client_reference_id": str(store.id),
                    "metadata": _metadata(store),
                    "subscription_data": {"metadata": _metadata(store)},
                },
                options={"idempotency_key": f"{attempt}-session"},
            )
            if checkout["status"] == "open" and checkout["url"]:
                break
            # The key gave back a session that was already paid or expired: start a fresh attempt.
            with Session(engine) as session, session.begin():
                plan = payable_plan(session, store.association_id, plan_id)
                attempt, customer_id = reserve_attempt(session, store, plan, now=utcnow(), fresh=True)
        else:
            raise StripeUnavailable(_("Stripe did not open a checkout page. Try again in a minute."))
    except stripe.IdempotencyError:
        # Same key, different parameters (the plan's price changed meanwhile): the next click starts afresh.
        with Session(engine) as session, session.begin():
            lock_subscription_row(session, store).checkout_attempt = None
        raise StripeUnavailable(_("The dues plan changed while you were paying. Please try again.")) from None
    except stripe.StripeError as exc:
        raise StripeUnavailable(
            _("Stripe could not start the payment; nothing was charged. Try again in a minute.")
        ) from exc
    with Session(engine) as session, session.begin():
        lock_subscription_row(session, store).checkout_session_id = checkout["id"]
    audit.record(
        caller_session,
        "billing.checkout_started",
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target=f"plan:{plan_id}",
        details={"checkout_session": checkout["id"]},
    )
    return CheckoutStart(url=checkout["url"], session_id=checkout["id"], attempt=attempt)


def _metadata(store: Store) -> dict[str, str]:
    return {"loupe_store_id": str(store.id), "loupe_association_id": str(store.association_id)}


def _create_customer(stripe_account: AssociationStripe, store: Store, email: str, attempt: str) -> str:
    customer = stripe_account.client.v1.customers.create(
        params={"name": store.name, "email": email, "metadata": _metadata(store)},
        options={"idempotency_key": f"{attempt}-customer"},
    )
    return customer["id"]


def portal_url(
    session: Session, stripe_account: AssociationStripe, *, store: Store, return_url: str, actor: Actor
) -> str:
    """A customer-portal link (card, invoices, cancellation) for the store's Stripe customer; audited."""
    row = subscription_of(session, store.id)
    if row is None or row.stripe_customer_id is None or store.association_id != stripe_account.association_id:
        raise DomainError(_("There is nothing to manage yet: pay your dues first."))
    try:
        portal = stripe_account.client.v1.billing_portal.sessions.create(
            params={"customer": row.stripe_customer_id, "return_url": return_url},
            # A portal session is a short-lived link: each click asks for a new one, retries reuse it.
            options={"idempotency_key": f"portal-{store.id}-{secrets.token_hex(8)}"},
        )
    except stripe.StripeError as exc:
        raise StripeUnavailable(_("Stripe's billing portal could not be opened. Try again in a minute.")) from exc
    audit.record(session, "billing.portal_opened", actor=actor, association_id=store.association_id, store_id=store.id)
    return portal["url"]


@dataclass(frozen=True)
class InvoiceLine:
    number: str | None
    created: datetime
    amount_due: int
    amount_paid: int
    currency: str
    status: str | None
    url: str | None


def recent_invoices(stripe_account: AssociationStripe, customer_id: str, limit: int = 12) -> list[InvoiceLine]:
    """The customer's latest invoices, read from Stripe (not cached: Stripe is the record)."""
    try:
        invoices = stripe_account.client.v1.invoices.list(params={"customer": customer_id, "limit": limit})
    except stripe.StripeError as exc:
        raise StripeUnavailable(_("Your invoices could not be read from Stripe just now.")) from exc
    lines = [
        InvoiceLine(
            number=_get(invoice, "number"),
            created=datetime.fromtimestamp(invoice["created"], UTC),
            amount_due=_get(invoice, "amount_due") or 0,
            amount_paid=_get(invoice, "amount_paid") or 0,
            currency=_get(invoice, "currency") or "",
            status=_get(invoice, "status"),
            url=_get(invoice, "hosted_invoice_url"),
        )
        for invoice in invoices["data"]
    ]
    return sorted(lines, key=lambda line: line.created, reverse=True)


def _get(obj, key: str):
    """obj[key], or None when Stripe (or localstripe's older shape) leaves the field out."""
    try:
        return obj[key]
    except KeyError:
        return None
