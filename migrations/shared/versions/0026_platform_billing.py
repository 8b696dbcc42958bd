"""platform billing: Loupe's plans per member store, each association's subscription, processed platform events
(issue 20 part 2)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:
    return [sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "platform_plans",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("interval", sa.String(10), nullable=False),
        sa.Column("amount_per_store", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("stripe_product_id", sa.String(255), nullable=True),
        sa.Column("stripe_price_id", sa.String(255), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("interval IN ('year', 'month')", name=op.f("ck_platform_plans_interval_known")),
        sa.CheckConstraint("amount_per_store > 0", name=op.f("ck_platform_plans_amount_positive")),
        sa.CheckConstraint("currency ~ '^[a-z]{3}$'", name=op.f("ck_platform_plans_currency_iso")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_plans")),
        sa.UniqueConstraint("name", name=op.f("uq_platform_plans_name")),
        sa.UniqueConstraint("stripe_price_id", name=op.f("uq_platform_plans_stripe_price_id")),
        schema="loupe",
    )
    op.create_table(
        "association_subscriptions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("association_id", sa.BigInteger(), nullable=False),
        sa.Column("plan_id", sa.BigInteger(), nullable=True),
        sa.Column("stripe_customer_id", sa.String(255), nullable=True),
        sa.Column("stripe_subscription_id", sa.String(255), nullable=True),
        sa.Column("status", sa.String(30), nullable=True),
        sa.Column("current_period_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("unpaid_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checkout_session_id", sa.String(255), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["loupe.associations.id"],
            name=op.f("fk_association_subscriptions_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["loupe.platform_plans.id"],
            name=op.f("fk_association_subscriptions_plan_id_platform_plans"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_association_subscriptions")),
        sa.UniqueConstraint("association_id", name=op.f("uq_association_subscriptions_association_id")),
        sa.UniqueConstraint("stripe_customer_id", name=op.f("uq_association_subscriptions_stripe_customer_id")),
        sa.UniqueConstraint("stripe_subscription_id", name=op.f("uq_association_subscriptions_stripe_subscription_id")),
        schema="loupe",
    )
    op.create_table(
        "processed_platform_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processed_platform_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_processed_platform_events_event_id")),
        schema="loupe",
    )


def downgrade() -> None:
    op.drop_table("processed_platform_events", schema="loupe")
    op.drop_table("association_subscriptions", schema="loupe")
    op.drop_table("platform_plans", schema="loupe")
