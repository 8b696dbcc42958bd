"""published_trend_weeks: the cells of a closed week as first published, frozen (issue 17 item 3)

Trend counts are published once, for closed weeks only: the first look after a region's week has ended stores its
published cells here, and every later look shows them, so late facts cannot be isolated by two looks.

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "published_trend_weeks",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("association_id", sa.BigInteger(), nullable=False),
        sa.Column("region_id", sa.BigInteger(), nullable=False),
        sa.Column("iso_week", sa.String(10), nullable=False),
        sa.Column("cells", JSONB(), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["loupe.associations.id"],
            name=op.f("fk_published_trend_weeks_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["loupe.regions.id"],
            name=op.f("fk_published_trend_weeks_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_trend_weeks")),
        sa.UniqueConstraint("region_id", "iso_week", name=op.f("uq_published_trend_weeks_region_id_iso_week")),
        schema="loupe",
    )
    # Requests write these rows (the first look after a week closes): `database.engines.grant_shared_tables` grants
    # the app role DML on every shared table.


def downgrade() -> None:
    op.drop_table("published_trend_weeks", schema="loupe")
