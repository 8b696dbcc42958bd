"""contact log, meetings, agenda templates, follow-up actions

Revision ID: s0002
Revises: s0001
Create Date: 2026-11-27

Store migrations are written without a schema: the runner binds each store's schema.
Agenda templates are text in the code (meetings.agendas), not rows; the `contact_quiet_days` setting
was seeded by s0001.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0002"
down_revision: str | Sequence[str] | None = "s0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_log_entries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), server_default="", nullable=False),
        sa.Column("logged_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "channel IN ('call', 'visit', 'email', 'other')", name=op.f("ck_contact_log_entries_channel_known")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["police_contacts.id"],
            name=op.f("fk_contact_log_entries_contact_id_police_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_log_entries")),
    )
    op.create_index(op.f("ix_contact_log_entries_contact_id"), "contact_log_entries", ["contact_id"], unique=False)
    op.create_index(op.f("ix_contact_log_entries_occurred_at"), "contact_log_entries", ["occurred_at"], unique=False)
    op.create_table(
        "meetings",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), server_default="60", nullable=False),
        sa.Column("location", sa.String(length=300), server_default="At the store", nullable=False),
        sa.Column("agenda_template", sa.String(length=40), server_default="free", nullable=False),
        sa.Column("agenda", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="planned", nullable=False),
        sa.Column("minutes", sa.Text(), server_default="", nullable=False),
        sa.Column("ical_uid", sa.String(length=100), nullable=False),
        sa.Column("ical_sequence", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("duration_minutes BETWEEN 5 AND 1440", name=op.f("ck_meetings_duration_sane")),
        sa.CheckConstraint("status IN ('planned', 'held', 'cancelled')", name=op.f("ck_meetings_status_known")),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["police_contacts.id"],
            name=op.f("fk_meetings_contact_id_police_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("ical_uid", name=op.f("uq_meetings_ical_uid")),
    )
    op.create_index(op.f("ix_meetings_contact_id"), "meetings", ["contact_id"], unique=False)
    op.create_index(op.f("ix_meetings_starts_at"), "meetings", ["starts_at"], unique=False)
    op.create_table(
        "meeting_actions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("meeting_id", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("owner", sa.String(length=200), server_default="", nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_actions_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_actions")),
    )
    op.create_index(op.f("ix_meeting_actions_due_on"), "meeting_actions", ["due_on"], unique=False)
    op.create_index(op.f("ix_meeting_actions_meeting_id"), "meeting_actions", ["meeting_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_meeting_actions_meeting_id"), table_name="meeting_actions")
    op.drop_index(op.f("ix_meeting_actions_due_on"), table_name="meeting_actions")
    op.drop_table("meeting_actions")
    op.drop_index(op.f("ix_meetings_starts_at"), table_name="meetings")
    op.drop_index(op.f("ix_meetings_contact_id"), table_name="meetings")
    op.drop_table("meetings")
    op.drop_index(op.f("ix_contact_log_entries_occurred_at"), table_name="contact_log_entries")
    op.drop_index(op.f("ix_contact_log_entries_contact_id"), table_name="contact_log_entries")
    op.drop_table("contact_log_entries")
