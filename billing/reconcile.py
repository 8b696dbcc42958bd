"""Re-reading subscriptions from Stripe and applying what Stripe says to the store's row.

Webhooks arrive late, twice, or never, and in any order, so no handler trusts an event's copy of a subscription:
every path (webhook, the owner's "refresh", `flask billing reconcile`) locks the store's row, lists the
customer's subscriptions from Stripe *now*, and applies the current one. Applying the same truth twice changes
nothing, which is what makes duplicates and reordering harmless.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import stripe
from sqlalchemy import Engine
from sqlalchemy.orm import Session

import audit
from audit import Actor
from billing.checkout import LIVE_STATUSES
from billing.plans import plan_for_price
from billing.stripe_client import AssociationStripe, StripeUnavailable, stripe_for
from i18n import _, _l, language_or_default
from jobs.queue import notify
from mail.links import external_url
from mail.outbox import queue_email
from mail.render import render_email
from models import Association, Membership, OutboundEmail, Role, Store, StoreSubscription, StripeAccount, User
from models.base import utcnow

PAID_UP = frozenset({"active", "trialing"})
# Status changes come from Stripe (webhook or reconcile), whoever triggered the sync.
STRIPE = Actor.system("stripe")


@dataclass
class SubscriptionChange:
    store_id: int
    before: str | None
    after: str | None
    emails: list[OutboundEmail] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _get(obj: Any, key: str) -> Any:
    """obj[key] on a Stripe object, or None when the field is absent (shapes differ across API versions)."""
    try:
        return obj[key]
    except (KeyError, TypeError):
        return None


def object_id(value: Any) -> str | None:
    """An id from a field that may hold the id or the expanded object."""
    if value is None or isinstance(value, str):
        return value
    return _get(value, "id")


def current_subscription(client: stripe.StripeClient, customer_id: str) -> Any | None:
    """The customer's subscription that matters now: the newest live one, else the newest of any status."""
    try:
        listed = client.v1.subscriptions.list(params={"customer": customer_id, "status": "all", "limit": 100})
    except stripe.StripeError as exc:
        raise StripeUnavailable(_("Stripe could not be reached to read the subscription.")) from exc
    subscriptions = list(listed["data"])
    live = [s for s in subscriptions if s["status"] in LIVE_STATUSES]
    pool = live or subscriptions
    return max(pool, key=lambda s: (s["created"], s["id"])) if pool else None


def lock_row(session: Session, row_id: int) -> StoreSubscription | None:
    return session.scalars(
        sa.select(StoreSubscription)
        .where(StoreSubscription.id == row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def refresh_subscription(
    session: Session, row: StoreSubscription, stripe_account: AssociationStripe, *, now: datetime
) -> SubscriptionChange:
    """Re-read the row's subscription from Stripe and apply it. The caller holds the row's lock. Flushes."""
    if row.association_id != stripe_account.association_id:
        raise ValueError("a store's subscription is read only with its own association's Stripe account")
    if row.stripe_customer_id is None:
        return SubscriptionChange(row.store_id, row.status, row.status)
    subscription = current_subscription(stripe_account.client, row.stripe_customer_id)
    return apply_subscription(session, row, subscription, now=now)


def apply_subscription(
    session: Session, row: StoreSubscription, subscription: Any | None, *, now: datetime
) -> SubscriptionChange:
    """Make the row say what Stripe's subscription object says; audit a status change; send dunning email once
    per past-due spell. Flushes."""
    change = SubscriptionChange(row.store_id, row.status, row.status)
    row.synced_at = now
    if subscription is None:
        session.flush()
        return change
    if object_id(subscription["customer"]) != row.stripe_customer_id:
        raise ValueError("subscription of another customer")
    item = _first_item(subscription)
    price_id = object_id(_get(item, "price")) or object_id(_get(item, "plan"))
    period_end = _get(subscription, "current_period_end") or _get(item, "current_period_end")
    plan = plan_for_price(session, row.association_id, price_id)

    row.stripe_subscription_id = subscription["id"]
    row.status = change.after = subscription["status"]
    row.current_period_end = datetime.fromtimestamp(period_end, UTC) if period_end else None
    row.cancel_at_period_end = bool(_get(subscription, "cancel_at_period_end"))
    if plan is not None:
        row.plan_id = plan.id
    if row.status in LIVE_STATUSES:
        # The checkout it came from is done: the next "Pay dues" must not reuse its keys.
        row.checkout_attempt = row.checkout_plan_id = row.checkout_started_at = row.checkout_session_id = None
    if row.status == "past_due" and row.dunning_notified_at is None:
        change.emails = queue_dunning_emails(session, row)
        row.dunning_notified_at = now
    elif row.status in PAID_UP:
        row.dunning_notified_at = None
    if change.changed:
        audit.record(
            session,
            "billing.status_changed",
            actor=STRIPE,
            association_id=row.association_id,
            store_id=row.store_id,
            target=f"subscription:{subscription['id']}",
            details={"before": change.before, "after": change.after},
        )
    session.flush()
    return change


def _first_item(subscription: Any) -> Any:
    items = _get(subscription, "items")
    data = _get(items, "data") if items is not None else None
    return data[0] if data else None


def queue_dunning_emails(session: Session, row: StoreSubscription) -> list[OutboundEmail]:
    """Tell the store's owners that a dues payment failed and where to fix it. Flushes."""
    store = session.get(Store, row.store_id)
    association = session.get(Association, row.association_id)
    owners = session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.store_id == row.store_id,
            Membership.role == Role.STORE_OWNER.value,
            User.is_active.is_(True),
        )
        .order_by(User.id)
    ).all()
    link = external_url("billing.index", store_slug=store.slug)
    rows = []
    for owner in owners:
        email = render_email(
            "dues_payment_failed",
            _l("Your %(association)s dues payment did not go through", association=association.name),
            owner=owner,
            store=store,
            association=association,
            link=link,
            language=language_or_default(owner.language),
        )
        rows.append(queue_email(session, to=owner.email, email=email, kind="dues_dunning"))
    # The owners' inboxes too (the email above is the dunning email; the notification adds no second one).
    notify(session, "dues.trouble", store_id=store.id, token=uuid.uuid4().hex)
    return rows


def refresh_store(
    session: Session, store: Store, stripe_account: AssociationStripe, *, now: datetime
) -> SubscriptionChange | None:
    """The owner's "refresh status": re-read this store's subscription now. None when it has none yet."""
    row_id = session.scalar(sa.select(StoreSubscription.id).where(StoreSubscription.store_id == store.id))
    row = lock_row(session, row_id) if row_id is not None else None
    if row is None:
        return None
    return refresh_subscription(session, row, stripe_account, now=now)


@dataclass
class ReconcileReport:
    checked: int = 0
    changes: list[SubscriptionChange] = field(default_factory=list)
    failures: dict[int, str] = field(default_factory=dict)  # store id (or -row id) -> message

    @property
    def ok(self) -> bool:
        return not self.failures


def reconcile_all(
    engine: Engine,
    config: Mapping[str, Any],
    *,
    association_slug: str | None = None,
    on_committed: Callable[[SubscriptionChange], None] | None = None,
) -> ReconcileReport:
    """Re-read every store subscription of every association that bills through Loupe and repair local state.

    One transaction per store: a crash or a Stripe error loses nothing already repaired, and running it again
    does only what is left (applying the same truth twice changes nothing).
    """
    report = ReconcileReport()
    with Session(engine) as session:
        query = sa.select(StripeAccount.association_id).join(Association).order_by(StripeAccount.association_id)
        if association_slug:
            query = query.where(Association.slug == association_slug)
        association_ids = session.scalars(query).all()
    for association_id in association_ids:
        with Session(engine) as session:
            stripe_account = stripe_for(session, association_id, config)
            row_ids = session.scalars(
                sa.select(StoreSubscription.id)
                .where(
                    StoreSubscription.association_id == association_id,
                    StoreSubscription.stripe_customer_id.is_not(None),
                )
                .order_by(StoreSubscription.id)
            ).all()
        for row_id in row_ids:
            store_id = None
            with Session(engine) as session:
                try:
                    with session.begin():
                        row = lock_row(session, row_id)
                        if row is None:
                            continue
                        store_id = row.store_id
                        change = refresh_subscription(session, row, stripe_account, now=utcnow())
                except (StripeUnavailable, ValueError) as exc:
                    report.failures[store_id or -row_id] = str(exc)
                    continue
            report.checked += 1
            if change.changed or change.emails:
                report.changes.append(change)
            if on_committed is not None:
                on_committed(change)
    return report
