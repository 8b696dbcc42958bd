"""a deleted incident stays recoverable for 30 days (issue 19: destructive actions)

Revision ID: s0015
Revises: s0013
Create Date: 2026-12-04

Store migrations are written without a schema: the runner binds each store's schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0015"
down_revision: str | Sequence[str] | None = "s0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("incidents", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("incidents", sa.Column("deleted_by_user_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("incidents", "deleted_by_user_id")
    op.drop_column("incidents", "deleted_at")
