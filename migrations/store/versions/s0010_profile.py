"""the store's profile: trade names, address, phone, website, shop email, opening hours (issue 17 item 7)

Revision ID: s0010
Revises: s0009
Create Date: 2026-12-04

Store migrations are written without a schema: the runner binds each store's schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0010"
down_revision: str | Sequence[str] | None = "s0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "profile",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("trade_names", sa.Text(), server_default="", nullable=False),
        sa.Column("street_address", sa.String(length=300), server_default="", nullable=False),
        sa.Column("city", sa.String(length=120), server_default="", nullable=False),
        sa.Column("postcode", sa.String(length=20), server_default="", nullable=False),
        sa.Column("phone", sa.String(length=50), server_default="", nullable=False),
        sa.Column("website", sa.String(length=300), server_default="", nullable=False),
        sa.Column("shop_email", sa.String(length=254), server_default="", nullable=False),
        sa.Column("opening_hours", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_profile_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile")),
    )


def downgrade() -> None:
    op.drop_table("profile")
