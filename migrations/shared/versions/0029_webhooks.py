"""webhook_subscriptions, webhook_deliveries: outgoing webhooks (issue 20 part 5)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision: str = "0029"
down_revision: str | Sequence[str] | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("association_id", sa.BigInteger(), nullable=False),
        sa.Column("liaison_membership_id", sa.BigInteger(), nullable=True),
        sa.Column("region_id", sa.BigInteger(), nullable=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("events", ARRAY(sa.String(40)), nullable=False),
        sa.Column("max_tlp", sa.String(20), server_default="GREEN", nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=False),
        sa.Column("created_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("cardinality(events) > 0", name=op.f("ck_webhook_subscriptions_has_events")),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["loupe.associations.id"],
            name=op.f("fk_webhook_subscriptions_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["liaison_membership_id"],
            ["loupe.memberships.id"],
            name=op.f("fk_webhook_subscriptions_liaison_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["loupe.regions.id"],
            name=op.f("fk_webhook_subscriptions_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["loupe.users.id"],
            name=op.f("fk_webhook_subscriptions_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
        schema="loupe",
    )
    op.create_index(
        op.f("ix_webhook_subscriptions_association_id"), "webhook_subscriptions", ["association_id"], schema="loupe"
    )
    op.create_index(
        op.f("ix_webhook_subscriptions_liaison_membership_id"),
        "webhook_subscriptions",
        ["liaison_membership_id"],
        schema="loupe",
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("subscription_id", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("event_key", sa.String(100), nullable=False),
        sa.Column("payload", JSONB(), nullable=False),
        sa.Column("status", sa.String(12), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(500), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'retrying', 'delivered', 'failed')",
            name=op.f("ck_webhook_deliveries_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["loupe.webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint(
            "subscription_id", "event_key", name=op.f("uq_webhook_deliveries_subscription_id_event_key")
        ),
        schema="loupe",
    )
    op.create_index(
        op.f("ix_webhook_deliveries_subscription_id"), "webhook_deliveries", ["subscription_id"], schema="loupe"
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries", schema="loupe")
    op.drop_table("webhook_subscriptions", schema="loupe")
