"""bulletins.red_flags and published_trend_weeks.red_flag_cells: the casing report's red flags as codes in shared
bulletins, and their weekly counts per region (issue 19, casing report)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0031"
down_revision: str | Sequence[str] | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "bulletins",
        sa.Column(
            "red_flags",
            postgresql.ARRAY(sa.String(length=30)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
        schema="loupe",
    )
    op.add_column(
        "published_trend_weeks",
        sa.Column(
            "red_flag_cells",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        schema="loupe",
    )


def downgrade() -> None:
    op.drop_column("published_trend_weeks", "red_flag_cells", schema="loupe")
    op.drop_column("bulletins", "red_flags", schema="loupe")
