"""users.last_sign_in_at and stores.police_contact_added_at: the admin portal's "last sign-in" and a new store's
set-up progress (issue 19, the association admin at scale)

Revision ID: 0034
Revises: 0031
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | Sequence[str] | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True), schema="loupe")
    op.add_column(
        "stores", sa.Column("police_contact_added_at", sa.DateTime(timezone=True), nullable=True), schema="loupe"
    )


def downgrade() -> None:
    op.drop_column("stores", "police_contact_added_at", schema="loupe")
    op.drop_column("users", "last_sign_in_at", schema="loupe")
