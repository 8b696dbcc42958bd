"""bulletins.trend_fact: whether the bulletin's anonymized trend fact still counts (issue 17 item 4)

A rejected, withdrawn or merged share leaves the trend counts exactly once: the flag says whether the fact is still
there to remove, so a job run twice, or a withdrawal after a rejection or a merge, never removes a second fact of the
same store, week and type. Existing incident bulletins that are not withdrawn still have their fact.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "bulletins", sa.Column("trend_fact", sa.Boolean(), server_default=sa.false(), nullable=False), schema="loupe"
    )
    op.execute(
        "UPDATE loupe.bulletins SET trend_fact = true WHERE kind = 'incident' AND iso_week <> '' "
        "AND status <> 'withdrawn'"
    )


def downgrade() -> None:
    op.drop_column("bulletins", "trend_fact", schema="loupe")
