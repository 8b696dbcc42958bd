"""Membership dues: each association's Stripe account, its dues plans, each store's subscription, and the
Stripe events already handled.

These rows are a cache of what Stripe knows plus what only we know (which store a customer is). Stripe is the
source of truth for a subscription's status: webhooks and `flask billing reconcile` re-read it from there.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import SharedBase
from models.registry import Association, Store


class StripeAccount(SharedBase):
    """An association's own Stripe account. The keys are Fernet tokens (billing.crypto), never plain text."""

    __tablename__ = "stripe_accounts"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), unique=True)
    secret_key_encrypted: Mapped[str] = mapped_column(sa.Text)
    webhook_secret_encrypted: Mapped[str] = mapped_column(sa.Text)
    # Shown in the admin portal so people can tell which account is connected; not a secret.
    publishable_key: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), onupdate=sa.func.now())

    association: Mapped[Association] = relationship()


class DuesPlan(SharedBase):
    """A dues plan of an association (e.g. "Annual membership", 120.00 EUR a year) and its Stripe price."""

    __tablename__ = "dues_plans"
    __table_args__ = (
        sa.UniqueConstraint("association_id", "name"),
        sa.CheckConstraint("interval IN ('year', 'month')", name="interval_known"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("currency ~ '^[a-z]{3}$'", name="currency_iso"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    interval: Mapped[str] = mapped_column(sa.String(10))
    # In the currency's minor unit (cents), as Stripe counts.
    amount: Mapped[int] = mapped_column(sa.Integer)
    currency: Mapped[str] = mapped_column(sa.String(3))
    active: Mapped[bool] = mapped_column(server_default=sa.true())
    stripe_product_id: Mapped[str | None] = mapped_column(sa.String(255))
    stripe_price_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())

    association: Mapped[Association] = relationship()


class StoreSubscription(SharedBase):
    """A store's dues: its Stripe customer, its subscription and the last status we read from Stripe.

    One row per store, created when the owner first starts a checkout. `status` is None until Stripe has a
    subscription for the customer. `checkout_attempt` is the idempotency key prefix of the checkout being
    started, committed before Stripe is called so that a retry reuses it.
    """

    __tablename__ = "store_subscriptions"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    store_id: Mapped[int] = mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"), unique=True)
    # Redundant with the store's, kept so every webhook lookup is scoped to the receiving association.
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dues_plans.id", ondelete="SET NULL"))
    stripe_customer_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    status: Mapped[str | None] = mapped_column(sa.String(30))
    current_period_end: Mapped[datetime | None]
    cancel_at_period_end: Mapped[bool] = mapped_column(server_default=sa.false())
    checkout_attempt: Mapped[str | None] = mapped_column(sa.String(100))
    checkout_plan_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    checkout_started_at: Mapped[datetime | None]
    checkout_session_id: Mapped[str | None] = mapped_column(sa.String(255))
    # When the owners were last told a payment failed; cleared once the subscription is paid up again.
    dunning_notified_at: Mapped[datetime | None]
    synced_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), onupdate=sa.func.now())

    store: Mapped[Store] = relationship()
    plan: Mapped[DuesPlan | None] = relationship()


class ProcessedStripeEvent(SharedBase):
    """A Stripe event already handled, inserted in the same transaction as its effect.

    Unique per receiving association: Stripe event ids are unique per account, and one deployment serves
    several associations' accounts, each through its own endpoint.
    """

    __tablename__ = "processed_stripe_events"
    __table_args__ = (sa.UniqueConstraint("association_id", "event_id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(sa.String(255))
    event_type: Mapped[str] = mapped_column(sa.String(100))
    # What handling it did: "applied" or "ignored" (not about one of this association's stores).
    outcome: Mapped[str] = mapped_column(sa.String(20))
    received_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
