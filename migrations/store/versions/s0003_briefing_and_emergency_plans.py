"""security briefing and emergency response plans

Revision ID: s0003
Revises: s0002
Create Date: 2026-11-27

Store migrations are written without a schema: the runner binds each store's schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0003"
down_revision: str | Sequence[str] | None = "s0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "briefing_keyholders",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), server_default="", nullable=False),
        sa.Column("phone", sa.String(length=50), server_default="", nullable=False),
        sa.Column("holds_alarm_code", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_keyholders")),
    )
    op.create_table(
        "briefing_safes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=10), server_default="safe", nullable=False),
        sa.Column("safe_type", sa.String(length=200), server_default="", nullable=False),
        sa.Column("rating", sa.String(length=100), server_default="", nullable=False),
        sa.Column("has_time_lock", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("time_lock_delay_minutes", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=200), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind IN ('safe', 'vault')", name=op.f("ck_briefing_safes_kind_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_safes")),
    )
    op.create_table(
        "security_briefing",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("alarm_system", sa.String(length=200), server_default="", nullable=False),
        sa.Column("alarm_company", sa.String(length=200), server_default="", nullable=False),
        sa.Column("alarm_company_phone", sa.String(length=50), server_default="", nullable=False),
        sa.Column("alarm_notes", sa.Text(), server_default="", nullable=False),
        sa.Column("cameras", sa.Text(), server_default="", nullable=False),
        sa.Column("camera_coverage", sa.Text(), server_default="", nullable=False),
        sa.Column("camera_blind_spots", sa.Text(), server_default="", nullable=False),
        sa.Column("opening_procedure", sa.Text(), server_default="", nullable=False),
        sa.Column("closing_procedure", sa.Text(), server_default="", nullable=False),
        sa.Column("panic_buttons", sa.Text(), server_default="", nullable=False),
        sa.Column("layout_notes", sa.Text(), server_default="", nullable=False),
        sa.Column("police_design_advice", sa.Text(), server_default="", nullable=False),
        sa.Column("last_reviewed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_security_briefing_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_briefing")),
    )
    op.create_table(
        "emergency_plans",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("steps", sa.Text(), server_default="", nullable=False),
        sa.Column("call_tree", sa.Text(), server_default="", nullable=False),
        sa.Column("review_due_on", sa.Date(), nullable=False),
        sa.Column("agreed_contact_id", sa.BigInteger(), nullable=True),
        sa.Column("agreed_with_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('robbery', 'burglary', 'grab_and_run', 'medical', 'fire', 'bomb_threat', 'active_threat')",
            name=op.f("ck_emergency_plans_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["agreed_contact_id"],
            ["police_contacts.id"],
            name=op.f("fk_emergency_plans_agreed_contact_id_police_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_plans")),
        sa.UniqueConstraint("kind", name=op.f("uq_emergency_plans_kind")),
    )


def downgrade() -> None:
    op.drop_table("emergency_plans")
    op.drop_table("security_briefing")
    op.drop_table("briefing_safes")
    op.drop_table("briefing_keyholders")
