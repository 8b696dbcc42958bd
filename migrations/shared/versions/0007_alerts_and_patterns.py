"""urgent alert deliveries and casing pattern flags

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS_BEFORE = "kind IN ('incident', 'police_trend', 'relayed_note')"
_KINDS_AFTER = "kind IN ('incident', 'police_trend', 'relayed_note', 'pattern')"


def _fk(table: str, column: str, target: str, ondelete: str):
    return sa.ForeignKeyConstraint(
        [column], [f"loupe.{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.drop_constraint(op.f("ck_bulletins_kind_known"), "bulletins", schema="loupe", type_="check")
    op.create_check_constraint(op.f("ck_bulletins_kind_known"), "bulletins", _KINDS_AFTER, schema="loupe")
    op.create_table(
        "alert_preferences",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("urgent_alerts", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        _fk("alert_preferences", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_alert_preferences")),
        schema="loupe",
    )
    op.create_table(
        "urgent_alerts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bulletin_id", sa.BigInteger(), nullable=False),
        sa.Column("association_id", sa.BigInteger(), nullable=False),
        sa.Column("region_id", sa.BigInteger(), nullable=False),
        sa.Column("sent_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        _fk("urgent_alerts", "bulletin_id", "bulletins", "CASCADE"),
        _fk("urgent_alerts", "association_id", "associations", "CASCADE"),
        _fk("urgent_alerts", "region_id", "regions", "CASCADE"),
        _fk("urgent_alerts", "sent_by_user_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_urgent_alerts")),
        sa.UniqueConstraint("bulletin_id", name=op.f("uq_urgent_alerts_bulletin_id")),
        schema="loupe",
    )
    op.create_index(
        op.f("ix_urgent_alerts_association_id"), "urgent_alerts", ["association_id"], unique=False, schema="loupe"
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("alert_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("outbox_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        _fk("alert_deliveries", "alert_id", "urgent_alerts", "CASCADE"),
        _fk("alert_deliveries", "user_id", "users", "CASCADE"),
        _fk("alert_deliveries", "outbox_id", "outbound_emails", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
        sa.UniqueConstraint("alert_id", "user_id", name=op.f("uq_alert_deliveries_alert_id_user_id")),
        schema="loupe",
    )
    op.create_index(op.f("ix_alert_deliveries_user_id"), "alert_deliveries", ["user_id"], unique=False, schema="loupe")
    op.create_table(
        "bulletin_patterns",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("association_id", sa.BigInteger(), nullable=False),
        sa.Column("region_id", sa.BigInteger(), nullable=False),
        sa.Column("signature", sa.String(length=300), nullable=False),
        sa.Column("bulletin_id", sa.BigInteger(), nullable=True),
        sa.Column("matched_bulletin_ids", postgresql.ARRAY(sa.BigInteger()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        _fk("bulletin_patterns", "association_id", "associations", "CASCADE"),
        _fk("bulletin_patterns", "region_id", "regions", "CASCADE"),
        _fk("bulletin_patterns", "bulletin_id", "bulletins", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletin_patterns")),
        sa.UniqueConstraint("region_id", "signature", name=op.f("uq_bulletin_patterns_region_id_signature")),
        schema="loupe",
    )
    op.create_index(
        op.f("ix_bulletin_patterns_association_id"),
        "bulletin_patterns",
        ["association_id"],
        unique=False,
        schema="loupe",
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_bulletin_patterns_association_id"), table_name="bulletin_patterns", schema="loupe")
    op.drop_table("bulletin_patterns", schema="loupe")
    op.drop_index(op.f("ix_alert_deliveries_user_id"), table_name="alert_deliveries", schema="loupe")
    op.drop_table("alert_deliveries", schema="loupe")
    op.drop_index(op.f("ix_urgent_alerts_association_id"), table_name="urgent_alerts", schema="loupe")
    op.drop_table("urgent_alerts", schema="loupe")
    op.drop_table("alert_preferences", schema="loupe")
    op.execute("DELETE FROM loupe.bulletins WHERE kind = 'pattern'")
    op.drop_constraint(op.f("ck_bulletins_kind_known"), "bulletins", schema="loupe", type_="check")
    op.create_check_constraint(op.f("ck_bulletins_kind_known"), "bulletins", _KINDS_BEFORE, schema="loupe")
