"""membership dues: Stripe accounts, plans, subscriptions, processed events

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stripe_accounts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("association_id", sa.BigInteger(), nullable=False),
        sa.Column("secret_key_encrypted", sa.Text(), nullable=False),
        sa.Column("webhook_secret_encrypted", sa.Text(), nullable=False),
        sa.Column("publishable_key", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["loupe.associations.id"],
            name=op.f("fk_stripe_accounts_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_accounts")),
        sa.UniqueConstraint("association_id", name=op.f("uq_stripe_accounts_association_id")),
        schema="loupe",
    )
    op.create_table(
        "dues_plans",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("association_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("interval", sa.String(length=10), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("stripe_product_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_price_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_dues_plans_amount_positive")),
        sa.CheckConstraint("currency ~ '^[a-z]{3}$'", name=op.f("ck_dues_plans_currency_iso")),
        sa.CheckConstraint("interval IN ('year', 'month')", name=op.f("ck_dues_plans_interval_known")),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["loupe.associations.id"],
            name=op.f("fk_dues_plans_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dues_plans")),
        sa.UniqueConstraint("association_id", "name", name=op.f("uq_dues_plans_association_id_name")),
        sa.UniqueConstraint("stripe_price_id", name=op.f("uq_dues_plans_stripe_price_id")),
        schema="loupe",
    )
    op.create_index(
        op.f("ix_dues_plans_association_id"), "dues_plans", ["association_id"], unique=False, schema="loupe"
    )
    op.create_table(
        "processed_stripe_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("association_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["loupe.associations.id"],
            name=op.f("fk_processed_stripe_events_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processed_stripe_events")),
        sa.UniqueConstraint(
            "association_id", "event_id", name=op.f("uq_processed_stripe_events_association_id_event_id")
        ),
        schema="loupe",
    )
    op.create_table(
        "store_subscriptions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("store_id", sa.BigInteger(), nullable=False),
        sa.Column("association_id", sa.BigInteger(), nullable=False),
        sa.Column("plan_id", sa.BigInteger(), nullable=True),
        sa.Column("stripe_customer_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_subscription_id", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=True),
        sa.Column("current_period_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_at_period_end", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("checkout_attempt", sa.String(length=100), nullable=True),
        sa.Column("checkout_plan_id", sa.BigInteger(), nullable=True),
        sa.Column("checkout_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checkout_session_id", sa.String(length=255), nullable=True),
        sa.Column("dunning_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["loupe.associations.id"],
            name=op.f("fk_store_subscriptions_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["loupe.dues_plans.id"],
            name=op.f("fk_store_subscriptions_plan_id_dues_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["loupe.stores.id"], name=op.f("fk_store_subscriptions_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_subscriptions")),
        sa.UniqueConstraint("store_id", name=op.f("uq_store_subscriptions_store_id")),
        sa.UniqueConstraint("stripe_customer_id", name=op.f("uq_store_subscriptions_stripe_customer_id")),
        sa.UniqueConstraint("stripe_subscription_id", name=op.f("uq_store_subscriptions_stripe_subscription_id")),
        schema="loupe",
    )
    op.create_index(
        op.f("ix_store_subscriptions_association_id"),
        "store_subscriptions",
        ["association_id"],
        unique=False,
        schema="loupe",
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_store_subscriptions_association_id"), table_name="store_subscriptions", schema="loupe")
    op.drop_table("store_subscriptions", schema="loupe")
    op.drop_table("processed_stripe_events", schema="loupe")
    op.drop_index(op.f("ix_dues_plans_association_id"), table_name="dues_plans", schema="loupe")
    op.drop_table("dues_plans", schema="loupe")
    op.drop_table("stripe_accounts", schema="loupe")
