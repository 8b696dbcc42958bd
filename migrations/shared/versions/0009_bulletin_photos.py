"""photos shared with bulletins (opt-in, re-encoded): bulletin_photos (no store id, no original name)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bulletin_photos",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bulletin_id", sa.BigInteger(), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["bulletin_id"],
            ["loupe.bulletins.id"],
            name=op.f("fk_bulletin_photos_bulletin_id_bulletins"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletin_photos")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_bulletin_photos_stored_name")),
        schema="loupe",
    )
    op.create_index(
        op.f("ix_bulletin_photos_bulletin_id"), "bulletin_photos", ["bulletin_id"], unique=False, schema="loupe"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_bulletin_photos_bulletin_id"), table_name="bulletin_photos", schema="loupe")
    op.drop_table("bulletin_photos", schema="loupe")
