"""shared bulletins: the store's own record of what it shared as which bulletin

Revision ID: s0007
Revises: s0006
Create Date: 2026-11-28

Store migrations are written without a schema: the runner binds each store's schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0007"
down_revision: str | Sequence[str] | None = "s0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shared_bulletins",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bulletin_id", sa.BigInteger(), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=True),
        sa.Column("tlp", sa.String(length=20), nullable=False),
        sa.Column("shared_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("shared_by_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_shared_bulletins_incident_id_incidents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_bulletins")),
        sa.UniqueConstraint("bulletin_id", name=op.f("uq_shared_bulletins_bulletin_id")),
    )
    op.create_index(op.f("ix_shared_bulletins_incident_id"), "shared_bulletins", ["incident_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_shared_bulletins_incident_id"), table_name="shared_bulletins")
    op.drop_table("shared_bulletins")
