"""the store's own record of sightings it reported ("I saw this too")

Revision ID: s0008
Revises: s0007
Create Date: 2026-11-28

Store migrations are written without a schema: the runner binds each store's schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0008"
down_revision: str | Sequence[str] | None = "s0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reported_sightings",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bulletin_id", sa.BigInteger(), nullable=False),
        sa.Column("sighting_id", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("reported_by_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reported_sightings")),
        sa.UniqueConstraint("sighting_id", name=op.f("uq_reported_sightings_sighting_id")),
    )
    op.create_index(op.f("ix_reported_sightings_bulletin_id"), "reported_sightings", ["bulletin_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reported_sightings_bulletin_id"), table_name="reported_sightings")
    op.drop_table("reported_sightings")
