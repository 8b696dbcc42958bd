"""sightings and police trend bulletins: bulletin_sightings (no store id), trend_bulletin_details

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bulletin_sightings",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bulletin_id", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("part_of_day", sa.String(length=20), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["bulletin_id"],
            ["loupe.bulletins.id"],
            name=op.f("fk_bulletin_sightings_bulletin_id_bulletins"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletin_sightings")),
        schema="loupe",
    )
    op.create_index(
        op.f("ix_bulletin_sightings_bulletin_id"), "bulletin_sightings", ["bulletin_id"], unique=False, schema="loupe"
    )
    op.create_table(
        "trend_bulletin_details",
        sa.Column("bulletin_id", sa.BigInteger(), nullable=False),
        sa.Column("modus_operandi", sa.Text(), server_default="", nullable=False),
        sa.Column("watch_for", sa.Text(), server_default="", nullable=False),
        sa.Column("recommendation", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["bulletin_id"],
            ["loupe.bulletins.id"],
            name=op.f("fk_trend_bulletin_details_bulletin_id_bulletins"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("bulletin_id", name=op.f("pk_trend_bulletin_details")),
        schema="loupe",
    )


def downgrade() -> None:
    op.drop_table("trend_bulletin_details", schema="loupe")
    op.drop_index(op.f("ix_bulletin_sightings_bulletin_id"), table_name="bulletin_sightings", schema="loupe")
    op.drop_table("bulletin_sightings", schema="loupe")
