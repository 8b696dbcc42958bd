"""api_tokens: per-store and per-association tokens of the JSON API (issue 20 part 4)

Revision ID: 0028
Revises: 0024
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("association_id", sa.BigInteger(), nullable=False),
        sa.Column("store_id", sa.BigInteger(), nullable=True),
        sa.Column("scopes", ARRAY(sa.String(40)), nullable=False),
        sa.Column("created_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "store_id IS NULL OR association_id IS NOT NULL", name=op.f("ck_api_tokens_store_in_association")
        ),
        sa.CheckConstraint("cardinality(scopes) > 0", name=op.f("ck_api_tokens_has_scopes")),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["loupe.associations.id"],
            name=op.f("fk_api_tokens_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["loupe.stores.id"], name=op.f("fk_api_tokens_store_id_stores"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["loupe.users.id"],
            name=op.f("fk_api_tokens_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_tokens_prefix")),
        schema="loupe",
    )
    op.create_index(op.f("ix_api_tokens_association_id"), "api_tokens", ["association_id"], schema="loupe")
    op.create_index(op.f("ix_api_tokens_store_id"), "api_tokens", ["store_id"], schema="loupe")


def downgrade() -> None:
    op.drop_table("api_tokens", schema="loupe")
