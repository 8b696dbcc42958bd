"""admin portal: region settings, store lifecycle, MFA

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DIGEST_CHECKS = (
    ("digest_frequency_known", "digest_frequency IN ('weekly', 'daily')"),
    ("digest_weekday_range", "digest_weekday BETWEEN 0 AND 6"),
    ("digest_hour_range", "digest_hour BETWEEN 0 AND 23"),
)


def upgrade() -> None:
    # Association: digest schedule (the k threshold and time zone exist since 0001).
    op.add_column(
        "associations",
        sa.Column("digest_frequency", sa.String(length=10), server_default="weekly", nullable=False),
        schema="loupe",
    )
    op.add_column(
        "associations",
        sa.Column("digest_weekday", sa.SmallInteger(), server_default="0", nullable=False),
        schema="loupe",
    )
    op.add_column(
        "associations", sa.Column("digest_hour", sa.SmallInteger(), server_default="7", nullable=False), schema="loupe"
    )
    # Region: optional overrides of the association's settings.
    op.add_column("regions", sa.Column("k_threshold", sa.SmallInteger(), nullable=True), schema="loupe")
    op.add_column("regions", sa.Column("digest_frequency", sa.String(length=10), nullable=True), schema="loupe")
    op.add_column("regions", sa.Column("digest_weekday", sa.SmallInteger(), nullable=True), schema="loupe")
    op.add_column("regions", sa.Column("digest_hour", sa.SmallInteger(), nullable=True), schema="loupe")
    op.add_column("regions", sa.Column("timezone", sa.String(length=64), nullable=True), schema="loupe")
    for table in ("associations", "regions"):
        for name, condition in _DIGEST_CHECKS:
            op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, condition, schema="loupe")
    # Store lifecycle.
    op.add_column("stores", sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True), schema="loupe")
    op.add_column("stores", sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True), schema="loupe")
    op.add_column(
        "stores", sa.Column("removal_requested_at", sa.DateTime(timezone=True), nullable=True), schema="loupe"
    )
    # Police liaison details, on the invitation and then the membership.
    for table in ("invitations", "memberships"):
        op.add_column(table, sa.Column("agency", sa.String(length=200), nullable=True), schema="loupe")
        op.add_column(table, sa.Column("badge_unit", sa.String(length=100), nullable=True), schema="loupe")
    # Two-step sign-in.
    op.add_column("users", sa.Column("totp_secret", sa.String(length=64), nullable=True), schema="loupe")
    op.add_column("users", sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True), schema="loupe")
    op.add_column("users", sa.Column("totp_last_step", sa.BigInteger(), nullable=True), schema="loupe")
    op.create_table(
        "mfa_recovery_codes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["loupe.users.id"], name=op.f("fk_mfa_recovery_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_mfa_recovery_codes_code_hash")),
        schema="loupe",
    )
    op.create_index(
        op.f("ix_mfa_recovery_codes_user_id"), "mfa_recovery_codes", ["user_id"], unique=False, schema="loupe"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_mfa_recovery_codes_user_id"), table_name="mfa_recovery_codes", schema="loupe")
    op.drop_table("mfa_recovery_codes", schema="loupe")
    for column in ("totp_last_step", "totp_enabled_at", "totp_secret"):
        op.drop_column("users", column, schema="loupe")
    for table in ("memberships", "invitations"):
        op.drop_column(table, "badge_unit", schema="loupe")
        op.drop_column(table, "agency", schema="loupe")
    for column in ("removal_requested_at", "exported_at", "suspended_at"):
        op.drop_column("stores", column, schema="loupe")
    for table in ("regions", "associations"):
        for name, _condition in _DIGEST_CHECKS:
            op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check", schema="loupe")
    for column in ("timezone", "digest_hour", "digest_weekday", "digest_frequency", "k_threshold"):
        op.drop_column("regions", column, schema="loupe")
    for column in ("digest_hour", "digest_weekday", "digest_frequency"):
        op.drop_column("associations", column, schema="loupe")
