"""api_tokens.liaison_membership_id: a police liaison's personal API tokens (issue 20 part 4)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | Sequence[str] | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_tokens", sa.Column("liaison_membership_id", sa.BigInteger(), nullable=True), schema="loupe")
    op.create_foreign_key(
        op.f("fk_api_tokens_liaison_membership_id_memberships"),
        "api_tokens",
        "memberships",
        ["liaison_membership_id"],
        ["id"],
        source_schema="loupe",
        referent_schema="loupe",
        ondelete="CASCADE",
    )
    op.create_index(
        op.f("ix_api_tokens_liaison_membership_id"), "api_tokens", ["liaison_membership_id"], schema="loupe"
    )
    op.create_check_constraint(
        op.f("ck_api_tokens_liaison_not_store"),
        "api_tokens",
        "liaison_membership_id IS NULL OR store_id IS NULL",
        schema="loupe",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_api_tokens_liaison_not_store"), "api_tokens", schema="loupe")
    op.drop_index(op.f("ix_api_tokens_liaison_membership_id"), table_name="api_tokens", schema="loupe")
    op.drop_constraint(op.f("fk_api_tokens_liaison_membership_id_memberships"), "api_tokens", schema="loupe")
    op.drop_column("api_tokens", "liaison_membership_id", schema="loupe")
