"""incidents.red_flags: the industry's red flags of casing as structured codes (issue 19, casing report)

Revision ID: s0013
Revises: s0012
Create Date: 2026-12-04

Store migrations are written without a schema: the runner binds each store's schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "s0013"
down_revision: str | Sequence[str] | None = "s0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "incidents",
        sa.Column(
            "red_flags",
            postgresql.ARRAY(sa.String(length=30)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("incidents", "red_flags")
