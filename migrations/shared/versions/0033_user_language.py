"""users.language: the language a person reads Loupe and its emails in (issue 19); NULL follows the browser

Revision ID: 0033
Revises: 0034
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | Sequence[str] | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("language", sa.String(length=16), nullable=True), schema="loupe")


def downgrade() -> None:
    op.drop_column("users", "language", schema="loupe")
