"""The platform's own rows: its settings and the associations that signed up on the public page."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SharedBase


class PlatformSettings(SharedBase):
    """The one row of platform-wide settings the operator changes in the console (id is always 1)."""

    __tablename__ = "platform_settings"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    # True: a confirmed sign-up waits for the operator's approval; False: it becomes an association at once.
    signup_requires_approval: Mapped[bool] = mapped_column(server_default=sa.true())
    updated_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())


class SignupStatus(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"  # the email link is not used yet
    AWAITING_APPROVAL = "awaiting"  # confirmed; the operator decides
    APPROVED = "approved"  # the association exists (`association_id`)
    REJECTED = "rejected"


class AssociationSignup(SharedBase):
    """An association's request on the public "start your association" page.

    Kept until it is decided: the association, its first admin and membership are created only once the email is
    confirmed (and, when the platform says so, the operator approved). The password is stored hashed only.
    """

    __tablename__ = "association_signups"
    __table_args__ = (
        sa.CheckConstraint("status IN ('unconfirmed', 'awaiting', 'approved', 'rejected')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(63), index=True)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    person_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    nonce: Mapped[str] = mapped_column(sa.String(64), unique=True)
    status: Mapped[str] = mapped_column(sa.String(12), server_default=SignupStatus.UNCONFIRMED.value)
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    confirmed_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    association_id: Mapped[int | None] = mapped_column(sa.ForeignKey("associations.id", ondelete="SET NULL"))


class PlatformPlan(SharedBase):
    """A plan Loupe sells to associations, priced per member store (the subscription's quantity is the number of
    stores), on the platform's own Stripe account. Separate from the dues plans an association sells its stores."""

    __tablename__ = "platform_plans"
    __table_args__ = (
        sa.UniqueConstraint("name"),
        sa.CheckConstraint("interval IN ('year', 'month')", name="interval_known"),
        sa.CheckConstraint("amount_per_store > 0", name="amount_positive"),
        sa.CheckConstraint("currency ~ '^[a-z]{3}$'", name="currency_iso"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    interval: Mapped[str] = mapped_column(sa.String(10))
    # Per member store per interval, in the currency's minor unit (cents).
    amount_per_store: Mapped[int] = mapped_column(sa.Integer)
    currency: Mapped[str] = mapped_column(sa.String(3))
    active: Mapped[bool] = mapped_column(server_default=sa.true())
    stripe_product_id: Mapped[str | None] = mapped_column(sa.String(255))
    stripe_price_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())

    @property
    def amount(self) -> int:
        """The price's unit amount, as the dues plans name it (`billing.plans.sync_plan` reads it)."""
        return self.amount_per_store


class AssociationSubscription(SharedBase):
    """An association's subscription to Loupe: its customer on the platform's Stripe account, the plan, the last
    status read from Stripe, the store count last sent as the quantity, and since when it has not been paying."""

    __tablename__ = "association_subscriptions"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), unique=True)
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("platform_plans.id", ondelete="SET NULL"))
    stripe_customer_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    status: Mapped[str | None] = mapped_column(sa.String(30))
    current_period_end: Mapped[datetime | None]
    quantity: Mapped[int | None]
    # Set when the status leaves the paying ones (past_due, unpaid, canceled, ...), cleared when it is paid again:
    # read-only from then, export-only once the grace period after it has passed (billing.platform.access).
    unpaid_since: Mapped[datetime | None]
    checkout_session_id: Mapped[str | None] = mapped_column(sa.String(255))
    synced_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), onupdate=sa.func.now())


class ProcessedPlatformEvent(SharedBase):
    """An event of the platform's Stripe account already handled, inserted in the same transaction as its effect
    (the dues' `processed_stripe_events` is keyed per association; the platform is one account)."""

    __tablename__ = "processed_platform_events"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    event_type: Mapped[str] = mapped_column(sa.String(100))
    outcome: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
