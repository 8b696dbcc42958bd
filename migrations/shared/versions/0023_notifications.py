"""notifications, per-event choices; urgent alerts on by default for owners, managers and liaisons (issue 18)

`alert_preferences.urgent_alerts` becomes NULL-able: NULL follows the person's role (on for store owners, managers
and police liaisons, off for staff), an explicit true/false is the person's own choice. Until now the column could
only say "off" by default, so every existing false becomes NULL: the people who never turned alerts on now receive
them as their role says (they can turn them off at /account/alerts/). Urgent alerts keep their delivery figures.

Revision ID: 0023
Revises: 0026
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), server_default="", nullable=False),
        sa.Column("link", sa.String(length=500), server_default="", nullable=False),
        sa.Column("in_app", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["loupe.users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("key", "user_id", name=op.f("uq_notifications_key_user_id")),
        schema="loupe",
    )
    op.create_index(op.f("ix_notifications_user_id"), "notifications", ["user_id"], unique=False, schema="loupe")
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("in_app", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("email", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["loupe.users.id"], name=op.f("fk_notification_preferences_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "event", name=op.f("pk_notification_preferences")),
        schema="loupe",
    )
    op.alter_column("alert_preferences", "urgent_alerts", nullable=True, server_default=None, schema="loupe")
    op.execute("UPDATE loupe.alert_preferences SET urgent_alerts = NULL WHERE urgent_alerts IS FALSE")
    op.add_column(
        "urgent_alerts", sa.Column("opted_out_count", sa.Integer(), server_default="0", nullable=False), schema="loupe"
    )
    op.add_column(
        "urgent_alerts", sa.Column("quiet_held_count", sa.Integer(), server_default="0", nullable=False), schema="loupe"
    )


def downgrade() -> None:
    op.drop_column("urgent_alerts", "quiet_held_count", schema="loupe")
    op.drop_column("urgent_alerts", "opted_out_count", schema="loupe")
    op.execute("UPDATE loupe.alert_preferences SET urgent_alerts = FALSE WHERE urgent_alerts IS NULL")
    op.alter_column("alert_preferences", "urgent_alerts", nullable=False, server_default=sa.false(), schema="loupe")
    op.drop_table("notification_preferences", schema="loupe")
    op.drop_index(op.f("ix_notifications_user_id"), table_name="notifications", schema="loupe")
    op.drop_table("notifications", schema="loupe")
