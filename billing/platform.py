"""Loupe's own revenue: each association subscribes to a platform plan priced per member store, on the PLATFORM's
Stripe account (keys from config, `PLATFORM_STRIPE_SECRET_KEY` / `PLATFORM_STRIPE_WEBHOOK_SECRET`), separate from
the dues an association collects from its stores on its own account.

What is shared with the dues, not copied: the Stripe client setup (`stripe_client.make_client`), the webhook
signature and shape check (`webhooks.verify_event`), the "record the event id in the same transaction as its
effect" deduplication, the re-read of the customer's current subscription (`reconcile.current_subscription`) and
the price sync (`plans.sync_plan`).

Access when an association stops paying (docs/billing.md, "Platform billing"): from the moment its subscription
leaves `active`/`trialing` (`unpaid_since`) its pages are read-only, and once `PLATFORM_BILLING_GRACE_DAYS` have
passed they are export-only. `access_state` is the rule; `blueprints.guards` enforces it in one place.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import stripe
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

import audit
from audit import Actor
from billing.plans import sync_plan
from billing.reconcile import current_subscription, object_id
from billing.stripe_client import StripeUnavailable, make_client
from billing.webhooks import HANDLED_EVENTS, StripeEvent
from errors import Conflict, DomainError, NotFound
from i18n import _
from jobs import names
from jobs.queue import enqueue
from models import (
    Association,
    AssociationSubscription,
    PlatformPlan,
    ProcessedPlatformEvent,
    Store,
)
from models.base import utcnow

PAYING = frozenset({"active", "trialing"})
# A subscription the association manages in the portal rather than starting another one.
LIVE = frozenset({"trialing", "active", "past_due", "unpaid", "paused", "incomplete"})
STRIPE_ACTOR = Actor.system("stripe")


class PlatformBillingNotConfigured(DomainError):
    """The platform has no Stripe keys: Loupe does not bill associations on this deployment."""

    status_code = 404


class PlatformBillingError(DomainError):
    """A platform billing request that cannot be done as asked."""


@dataclass(frozen=True)
class PlatformStripe:
    client: stripe.StripeClient
    webhook_secret: str


def platform_stripe(config: Mapping[str, Any]) -> PlatformStripe | None:
    """The platform's Stripe client and webhook secret (from config, never an association's), or None."""
    key = config.get("PLATFORM_STRIPE_SECRET_KEY")
    if not key:
        return None
    return PlatformStripe(make_client(key, config), config.get("PLATFORM_STRIPE_WEBHOOK_SECRET") or "")


def require_platform_stripe(config: Mapping[str, Any]) -> PlatformStripe:
    found = platform_stripe(config)
    if found is None:
        raise PlatformBillingNotConfigured(_("Loupe does not bill associations on this deployment."))
    return found


# --- access -------------------------------------------------------------------------------------------------------


class PlatformAccess(enum.StrEnum):
    FULL = "full"
    READ_ONLY = "read_only"
    EXPORT_ONLY = "export_only"


@dataclass(frozen=True)
class PlatformState:
    level: PlatformAccess
    status: str | None = None
    export_only_from: datetime | None = None

    @property
    def banner(self) -> str | None:
        if self.level is PlatformAccess.READ_ONLY:
            when = f" on {self.export_only_from:%d %b %Y}" if self.export_only_from else ""
            return (
                "Your association's Loupe subscription is not paid: Loupe is read-only until it is settled, and only "
                f"exports stay open from{when or ' the end of the grace period'}. An admin can pay on the Loupe "
                "subscription page."
            )
        if self.level is PlatformAccess.EXPORT_ONLY:
            return (
                "Your association's Loupe subscription has lapsed: only exports stay open. Nothing is deleted; an "
                "admin can renew it on the Loupe subscription page."
            )
        return None


def access_state(subscription: AssociationSubscription | None, *, now: datetime, grace: timedelta) -> PlatformState:
    """The one rule: no subscription record or a paying one → full; otherwise read-only from `unpaid_since`, and
    export-only once `grace` has passed since then."""
    if subscription is None or subscription.status is None or subscription.status in PAYING:
        return PlatformState(PlatformAccess.FULL, subscription.status if subscription else None)
    since = subscription.unpaid_since or now
    export_from = since + grace
    level = PlatformAccess.EXPORT_ONLY if now >= export_from else PlatformAccess.READ_ONLY
    return PlatformState(level, subscription.status, export_from)


def grace_of(config: Mapping[str, Any]) -> timedelta:
    return timedelta(days=int(config.get("PLATFORM_BILLING_GRACE_DAYS", 14)))


# --- plans ----------------------------------------------------------------------------------------------------------


def create_platform_plan(
    session: Session, *, name: str, interval: str, amount_per_store: int, currency: str, actor: Actor
) -> PlatformPlan:
    """A plan Loupe offers associations (synced to Stripe by `sync_platform_plans`). Audited."""
    name = " ".join((name or "").split())[:100]
    currency = (currency or "").strip().lower()
    if not name:
        raise PlatformBillingError(_("Name the plan."))
    if interval not in ("month", "year"):
        raise PlatformBillingError(_("A plan is billed each month or each year."))
    if not 1 <= amount_per_store <= 100_000_00:
        raise PlatformBillingError(_("The price per store is between 0.01 and 100,000.00."))
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        raise PlatformBillingError(_("The currency is a three-letter code such as eur."))
    if session.scalar(sa.select(PlatformPlan.id).where(PlatformPlan.name == name)) is not None:
        raise PlatformBillingError(_("A plan is already called %(name)s.", name=repr(name)))
    plan = PlatformPlan(name=name, interval=interval, amount_per_store=amount_per_store, currency=currency)
    session.add(plan)
    session.flush()
    audit.record(session, "platform_billing.plan_created", actor=actor, target=f"platform_plan:{plan.id}")
    return plan


def sync_platform_plans(session: Session, platform: PlatformStripe, *, actor: Actor) -> list[tuple[PlatformPlan, str]]:
    """One active recurring per-unit price per active plan on the platform's account. Flushes; audited."""
    done = []
    try:
        for plan in session.scalars(sa.select(PlatformPlan).order_by(PlatformPlan.id)):
            done.append((plan, sync_plan(platform.client, plan, key="loupe-platform-plan")))
            session.flush()
    except stripe.StripeError as exc:
        raise StripeUnavailable(
            _("Stripe refused to update the plans: %(reason)s", reason=exc.user_message or exc)
        ) from exc
    audit.record(session, "platform_billing.plans_synced", actor=actor, details={"plans": len(done)})
    return done


def offered_plans(session: Session) -> list[PlatformPlan]:
    return list(
        session.scalars(
            sa.select(PlatformPlan)
            .where(PlatformPlan.active.is_(True), PlatformPlan.stripe_price_id.is_not(None))
            .order_by(PlatformPlan.amount_per_store, PlatformPlan.name)
        )
    )


# --- an association's subscription --------------------------------------------------------------------------------


def subscription_of(session: Session, association_id: int) -> AssociationSubscription | None:
    return session.scalar(
        sa.select(AssociationSubscription).where(AssociationSubscription.association_id == association_id)
    )


def _lock_row(session: Session, association_id: int) -> AssociationSubscription:
    session.execute(
        pg_insert(AssociationSubscription)
        .values(association_id=association_id)
        .on_conflict_do_nothing(index_elements=[AssociationSubscription.association_id])
    )
    return session.scalars(
        sa.select(AssociationSubscription)
        .where(AssociationSubscription.association_id == association_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def member_store_count(session: Session, association_id: int) -> int:
    """What the association pays for: its member stores, less those whose removal was asked for (at least 1:
    Stripe's quantity cannot be zero, and a new association starts with none)."""
    count = session.scalar(
        sa.select(sa.func.count(Store.id)).where(
            Store.association_id == association_id, Store.removal_requested_at.is_(None)
        )
    )
    return max(int(count or 0), 1)


def start_checkout(
    session: Session,
    association: Association,
    plan_id: int,
    platform: PlatformStripe,
    *,
    success_url: str,
    cancel_url: str,
    actor: Actor,
) -> str:
    """A Stripe Checkout session (subscription mode, quantity = member stores) on the platform's account; returns
    its URL. The customer's idempotency key is the association's, so a retry gets the same customer back."""
    row = _lock_row(session, association.id)
    if row.status in LIVE:
        raise Conflict(_("Your association already has a Loupe subscription: manage it with “Manage billing”."))
    plan = session.get(PlatformPlan, plan_id)
    if plan is None or not plan.active or not plan.stripe_price_id:
        raise NotFound(_("That plan is not offered."))
    quantity = member_store_count(session, association.id)
    try:
        if row.stripe_customer_id is None:
            customer = platform.client.v1.customers.create(
                params={"name": association.name, "metadata": {"loupe_association_id": str(association.id)}},
                options={"idempotency_key": f"loupe-platform-customer-{association.id}"},
            )
            row.stripe_customer_id = customer["id"]
        checkout = platform.client.v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": row.stripe_customer_id,
                "line_items": [{"price": plan.stripe_price_id, "quantity": quantity}],
                "success_url": success_url,
                "cancel_url": cancel_url,
                "client_reference_id": f"association-{association.id}",
                "metadata": {"loupe_association_id": str(association.id), "loupe_platform_plan_id": str(plan.id)},
            },
            options={"idempotency_key": f"loupe-platform-checkout-{association.id}-{secrets.token_hex(8)}"},
        )
    except stripe.StripeError as exc:
        raise StripeUnavailable(_("Stripe could not be reached to start the payment. Try again shortly.")) from exc
    row.plan_id = plan.id
    row.checkout_session_id = checkout["id"]
    session.flush()
    audit.record(
        session,
        "platform_billing.checkout_started",
        actor=actor,
        association_id=association.id,
        details={"plan": plan.id, "quantity": quantity},
    )
    return checkout["url"]


def portal_url(
    session: Session, association: Association, platform: PlatformStripe, *, return_url: str, actor: Actor
) -> str:
    """Stripe's customer portal for the association's platform subscription."""
    row = subscription_of(session, association.id)
    if row is None or row.stripe_customer_id is None:
        raise NotFound(_("Your association has no Loupe subscription yet: choose a plan first."))
    try:
        portal = platform.client.v1.billing_portal.sessions.create(
            params={"customer": row.stripe_customer_id, "return_url": return_url},
            options={"idempotency_key": f"loupe-platform-portal-{association.id}-{secrets.token_hex(8)}"},
        )
    except stripe.StripeError as exc:
        raise StripeUnavailable(_("Stripe could not be reached. Try again shortly.")) from exc
    audit.record(session, "platform_billing.portal_opened", actor=actor, association_id=association.id)
    return portal["url"]


def apply_subscription(session: Session, row: AssociationSubscription, subscription: Any | None, *, now: datetime):
    """Make the row say what Stripe's subscription says; note since when it is unpaid; audit a status change."""
    row.synced_at = now
    if subscription is None:
        session.flush()
        return
    old = row.status
    row.stripe_subscription_id = subscription["id"]
    row.status = subscription["status"]
    period_end = _value(subscription, "current_period_end")
    if period_end:
        row.current_period_end = datetime.fromtimestamp(int(period_end), tz=now.tzinfo)
    item = _first_item(subscription)
    if item is not None:
        row.quantity = int(item["quantity"] or 1)
        price = object_id(_value(item, "price")) or object_id(_value(item, "plan"))
        plan_id = session.scalar(sa.select(PlatformPlan.id).where(PlatformPlan.stripe_price_id == price))
        row.plan_id = plan_id or row.plan_id
    if row.status in PAYING:
        row.unpaid_since = None
    elif row.unpaid_since is None:
        row.unpaid_since = now
    session.flush()
    if old != row.status:
        audit.record(
            session,
            "platform_billing.status_changed",
            actor=STRIPE_ACTOR,
            association_id=row.association_id,
            details={"from": old, "to": row.status},
        )


def _value(obj: Any, key: str) -> Any:
    try:
        return obj[key]
    except (KeyError, TypeError):
        return None


def _first_item(subscription: Any) -> Any | None:
    items = _value(_value(subscription, "items"), "data") or []
    return items[0] if items else None


def refresh(session: Session, row: AssociationSubscription, platform: PlatformStripe, *, now: datetime) -> None:
    """Re-read the association's current subscription from Stripe (never the event's copy). Caller holds the lock."""
    if row.stripe_customer_id is None:
        return
    apply_subscription(session, row, current_subscription(platform.client, row.stripe_customer_id), now=now)


def handle_platform_event(session: Session, platform: PlatformStripe, event: StripeEvent, *, now: datetime) -> str:
    """Record the event once (unique id, same transaction as its effect) and apply it: "applied", "ignored" or
    "duplicate". Stripe unreachable → StripeUnavailable, the caller rolls back, Stripe retries."""
    claimed = session.scalar(
        pg_insert(ProcessedPlatformEvent)
        .values(event_id=event.id, event_type=event.type, outcome="applied")
        .on_conflict_do_nothing(index_elements=[ProcessedPlatformEvent.event_id])
        .returning(ProcessedPlatformEvent.id)
    )
    if claimed is None:
        return "duplicate"
    association_id = _association_for(session, platform, event)
    if association_id is None:
        session.execute(
            sa.update(ProcessedPlatformEvent).where(ProcessedPlatformEvent.id == claimed).values(outcome="ignored")
        )
        return "ignored"
    row = _lock_row(session, association_id)
    refresh(session, row, platform, now=now)
    return "applied"


def _association_for(session: Session, platform: PlatformStripe, event: StripeEvent) -> int | None:
    if event.type not in HANDLED_EVENTS:
        return None
    customer_id = object_id(_value(event.data_object, "customer"))
    if customer_id:
        found = session.scalar(
            sa.select(AssociationSubscription.association_id).where(
                AssociationSubscription.stripe_customer_id == customer_id
            )
        )
        if found is not None:
            return found
    if event.type == "checkout.session.completed":
        return session.scalar(
            sa.select(AssociationSubscription.association_id).where(
                AssociationSubscription.checkout_session_id == _value(event.data_object, "id")
            )
        )
    return None


# --- the store count as the subscription's quantity ----------------------------------------------------------------


def queue_quantity_sync(session: Session, association_id: int) -> None:
    """After stores are added or removed: one waiting sync job per association (a queueing lock), in the caller's
    transaction, so a rolled-back change queues nothing."""
    enqueue(
        session,
        names.SYNC_PLATFORM_QUANTITY,
        {"association_id": association_id},
        queueing_lock=f"platform-quantity-{association_id}",
    )


def sync_quantity(session: Session, association_id: int, platform: PlatformStripe, *, now: datetime) -> bool:
    """Set the subscription's quantity to the member store count (True when Stripe was changed). The idempotency
    key names the subscription and both counts: a retried job changes nothing twice."""
    row = _lock_row(session, association_id)
    if row.stripe_subscription_id is None or row.status in (None, "canceled", "incomplete_expired"):
        return False
    count = member_store_count(session, association_id)
    if row.quantity == count:
        return False
    try:
        subscription = platform.client.v1.subscriptions.retrieve(row.stripe_subscription_id)
        item = _first_item(subscription)
        if item is None:
            return False
        updated = platform.client.v1.subscriptions.update(
            row.stripe_subscription_id,
            params={"items": [{"id": item["id"], "quantity": count}]},
            options={"idempotency_key": f"loupe-platform-quantity-{row.stripe_subscription_id}-{row.quantity}-{count}"},
        )
    except stripe.StripeError as exc:
        raise StripeUnavailable(_("Stripe could not be reached to update the store count.")) from exc
    previous = row.quantity
    apply_subscription(session, row, updated, now=now)
    row.quantity = count
    session.flush()
    audit.record(
        session,
        "platform_billing.quantity_synced",
        actor=Actor.system("job"),
        association_id=association_id,
        details={"from": previous, "to": count},
    )
    return True


def reconcile_all(session: Session, platform: PlatformStripe, *, now: datetime | None = None) -> int:
    """Re-read every association's platform subscription (missed webhooks); returns how many were read."""
    now = now or utcnow()
    ids = session.scalars(
        sa.select(AssociationSubscription.association_id).where(AssociationSubscription.stripe_customer_id.is_not(None))
    ).all()
    for association_id in ids:
        refresh(session, _lock_row(session, association_id), platform, now=now)
        # Stores added from the command line (or a lost sync job) are caught here too.
        sync_quantity(session, association_id, platform, now=now)
    return len(ids)
