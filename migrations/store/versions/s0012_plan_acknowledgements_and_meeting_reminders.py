"""staff acknowledge emergency plans; meetings remember their reminder (issue 18 parts 6 and 8)

Revision ID: s0012
Revises: s0011
Create Date: 2026-12-04

Store migrations are written without a schema: the runner binds each store's schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0012"
down_revision: str | Sequence[str] | None = "s0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_acknowledgements",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("plan_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("user_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("plan_version", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["emergency_plans.id"],
            name=op.f("fk_plan_acknowledgements_plan_id_emergency_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_acknowledgements")),
        sa.UniqueConstraint("plan_id", "user_id", name=op.f("uq_plan_acknowledgements_plan_id_user_id")),
    )
    op.add_column("meetings", sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("meetings", "reminded_at")
    op.drop_table("plan_acknowledgements")
