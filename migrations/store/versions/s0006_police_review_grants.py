"""police review grants of the logbook

Revision ID: s0006
Revises: s0005
Create Date: 2026-11-27

Store migrations are written without a schema: the runner binds each store's schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "s0006"
down_revision: str | Sequence[str] | None = "s0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_grants",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("recipient_kind", sa.String(length=10), nullable=False),
        sa.Column("liaison_user_id", sa.BigInteger(), nullable=True),
        sa.Column("police_contact_id", sa.BigInteger(), nullable=True),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_email", sa.String(length=254), nullable=False),
        sa.Column("incident_types", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.Column("granted_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("granted_by_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("link_nonce", sa.String(length=64), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_name", sa.String(length=200), nullable=True),
        sa.Column("first_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("open_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_name", sa.String(length=200), nullable=True),
        sa.Column("pattern_notes", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("since <= until", name=op.f("ck_review_grants_dates_ordered")),
        sa.CheckConstraint(
            "(recipient_kind = 'liaison' AND liaison_user_id IS NOT NULL) OR (recipient_kind = 'contact' AND link_nonce IS NOT NULL)",
            name=op.f("ck_review_grants_recipient_named"),
        ),
        sa.CheckConstraint(
            "recipient_kind IN ('liaison', 'contact')", name=op.f("ck_review_grants_recipient_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["police_contact_id"],
            ["police_contacts.id"],
            name=op.f("fk_review_grants_police_contact_id_police_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_grants")),
        sa.UniqueConstraint("link_nonce", name=op.f("uq_review_grants_link_nonce")),
    )
    op.create_index(op.f("ix_review_grants_police_contact_id"), "review_grants", ["police_contact_id"], unique=False)
    op.create_table(
        "review_access_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("grant_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor_name", sa.String(length=254), nullable=False),
        sa.Column("actor_user_id", sa.BigInteger(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.String(length=300), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["review_grants.id"],
            name=op.f("fk_review_access_log_grant_id_review_grants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_access_log")),
    )
    op.create_index(op.f("ix_review_access_log_grant_id"), "review_access_log", ["grant_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_review_access_log_grant_id"), table_name="review_access_log")
    op.drop_table("review_access_log")
    op.drop_index(op.f("ix_review_grants_police_contact_id"), table_name="review_grants")
    op.drop_table("review_grants")
