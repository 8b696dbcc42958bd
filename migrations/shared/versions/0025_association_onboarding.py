"""association onboarding: suspension, platform settings, public sign-ups, the pool level for the console (issue 20)

Revision ID: 0025
Revises: 0022
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("associations", sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True), schema="loupe")
    op.create_table(
        "platform_settings",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("signup_requires_approval", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_platform_settings_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_settings")),
        schema="loupe",
    )
    op.execute("INSERT INTO loupe.platform_settings (id) VALUES (1)")
    op.create_table(
        "association_signups",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("slug", sa.String(63), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("contact_email", sa.String(254), nullable=False),
        sa.Column("person_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("status", sa.String(12), server_default="unconfirmed", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("association_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "status IN ('unconfirmed', 'awaiting', 'approved', 'rejected')",
            name=op.f("ck_association_signups_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["loupe.associations.id"],
            name=op.f("fk_association_signups_association_id_associations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_association_signups")),
        sa.UniqueConstraint("nonce", name=op.f("uq_association_signups_nonce")),
        schema="loupe",
    )
    op.create_index(op.f("ix_association_signups_slug"), "association_signups", ["slug"], schema="loupe")
    # The operator console shows how many pre-built store schemas wait; the app role has no rights on the pool's
    # registry (provisioning is the owner's business), so it reads the counts through this owner-run function.
    op.execute(
        """
        CREATE FUNCTION loupe.pool_level() RETURNS TABLE (revision text, schemas bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT revision::text, count(*) FROM loupe.schema_pool GROUP BY revision ORDER BY revision $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION loupe.pool_level()")
    op.drop_index(op.f("ix_association_signups_slug"), table_name="association_signups", schema="loupe")
    op.drop_table("association_signups", schema="loupe")
    op.drop_table("platform_settings", schema="loupe")
    op.drop_column("associations", "suspended_at", schema="loupe")
