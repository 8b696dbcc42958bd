"""outbound_emails.attachments: text files sent with a message (a meeting's .ics, issue 18 part 6)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("outbound_emails", sa.Column("attachments", JSONB(), nullable=True), schema="loupe")


def downgrade() -> None:
    op.drop_column("outbound_emails", "attachments", schema="loupe")
