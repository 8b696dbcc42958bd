"""police share index: a liaison's pointers to review grants in store schemas

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "police_share_index",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("store_id", sa.BigInteger(), nullable=False),
        sa.Column("liaison_user_id", sa.BigInteger(), nullable=False),
        sa.Column("grant_id", sa.BigInteger(), nullable=False),
        sa.Column("incident_types", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["liaison_user_id"],
            ["loupe.users.id"],
            name=op.f("fk_police_share_index_liaison_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["loupe.stores.id"], name=op.f("fk_police_share_index_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_police_share_index")),
        sa.UniqueConstraint("store_id", "grant_id", name=op.f("uq_police_share_index_store_id_grant_id")),
        schema="loupe",
    )
    op.create_index(
        op.f("ix_police_share_index_liaison_user_id"),
        "police_share_index",
        ["liaison_user_id"],
        unique=False,
        schema="loupe",
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_police_share_index_liaison_user_id"), table_name="police_share_index", schema="loupe")
    op.drop_table("police_share_index", schema="loupe")
