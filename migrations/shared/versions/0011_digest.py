"""the regional trend digest: runs, deliveries, and the digest choices in alert_preferences

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str):
    return sa.ForeignKeyConstraint(
        [column], [f"loupe.{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.add_column("alert_preferences", sa.Column("digest_frequency", sa.String(10), nullable=True), schema="loupe")
    op.add_column(
        "alert_preferences",
        sa.Column(
            "digest_muted_region_ids",
            postgresql.ARRAY(sa.BigInteger()),
            server_default=sa.text("'{}'::bigint[]"),
            nullable=False,
        ),
        schema="loupe",
    )
    op.add_column(
        "alert_preferences",
        sa.Column("digest_incident_types", postgresql.ARRAY(sa.String(30)), nullable=True),
        schema="loupe",
    )
    op.create_check_constraint(
        op.f("ck_alert_preferences_digest_frequency_known"),
        "alert_preferences",
        "digest_frequency IN ('weekly', 'daily', 'off')",
        schema="loupe",
    )
    op.create_table(
        "digest_runs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("association_id", sa.BigInteger(), nullable=False),
        sa.Column("region_id", sa.BigInteger(), nullable=False),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("content", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("recipients", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        _fk("digest_runs", "association_id", "associations", "CASCADE"),
        _fk("digest_runs", "region_id", "regions", "CASCADE"),
        _fk("digest_runs", "created_by_user_id", "users", "SET NULL"),
        sa.CheckConstraint("kind IN ('weekly', 'daily', 'custom')", name=op.f("ck_digest_runs_kind_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_runs")),
        sa.UniqueConstraint("region_id", "period", name=op.f("uq_digest_runs_region_id_period")),
        schema="loupe",
    )
    op.create_index(op.f("ix_digest_runs_association_id"), "digest_runs", ["association_id"], schema="loupe")
    op.create_table(
        "digest_deliveries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("status", sa.String(10), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        _fk("digest_deliveries", "run_id", "digest_runs", "CASCADE"),
        _fk("digest_deliveries", "user_id", "users", "CASCADE"),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed', 'skipped')", name=op.f("ck_digest_deliveries_status_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_deliveries")),
        sa.UniqueConstraint("message_id", name=op.f("uq_digest_deliveries_message_id")),
        sa.UniqueConstraint("run_id", "user_id", name=op.f("uq_digest_deliveries_run_id_user_id")),
        schema="loupe",
    )
    op.create_index(op.f("ix_digest_deliveries_user_id"), "digest_deliveries", ["user_id"], schema="loupe")
    op.create_index(
        "ix_digest_deliveries_pending",
        "digest_deliveries",
        ["next_attempt_at", "id"],
        schema="loupe",
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_table("digest_deliveries", schema="loupe")
    op.drop_table("digest_runs", schema="loupe")
    op.drop_constraint(
        op.f("ck_alert_preferences_digest_frequency_known"), "alert_preferences", schema="loupe", type_="check"
    )
    for column in ("digest_incident_types", "digest_muted_region_ids", "digest_frequency"):
        op.drop_column("alert_preferences", column, schema="loupe")
