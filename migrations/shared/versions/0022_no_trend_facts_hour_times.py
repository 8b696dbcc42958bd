"""No per-share trend facts; a store's actions write shared times to the hour (issue 17 item 6)

`incident_facts` linked a store's shares (an HMAC contributor key, recomputable with SECRET_KEY) and paired with
bulletins by insertion order; trend counts are now taken from the stores' own records when a week closes
(`trends.closing`), so the table and `bulletins.trend_fact` go. Weeks already published stay as published
(`published_trend_weeks`). The times a share or a withdrawal writes in the shared schema are cut to the hour, the
existing ones too, so they cannot be lined up with sessions or jobs.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOUR_NOW = sa.text("date_trunc('hour', now())")


def _hour(column: str) -> str:
    return f"date_trunc('hour', {column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"


def upgrade() -> None:
    op.drop_index("ix_incident_facts_trend", table_name="incident_facts", schema="loupe")
    op.drop_table("incident_facts", schema="loupe")
    op.drop_column("bulletins", "trend_fact", schema="loupe")
    op.alter_column("bulletins", "created_at", server_default=HOUR_NOW, schema="loupe")
    op.alter_column("bulletins", "updated_at", server_default=HOUR_NOW, schema="loupe")
    op.alter_column("bulletin_photos", "created_at", server_default=HOUR_NOW, schema="loupe")
    # Cut in UTC with immutable functions: date_trunc on a timestamptz is STABLE (it reads the session's time zone),
    # which Citus refuses with column references in an UPDATE (issue #21); in UTC the result is the same.
    columns = ("created_at", "updated_at", "expires_at", "published_at", "withdrawn_at")
    op.execute("UPDATE loupe.bulletins SET " + ", ".join(f"{c} = {_hour(c)}" for c in columns))
    op.execute(f"UPDATE loupe.bulletin_photos SET created_at = {_hour('created_at')}")


def downgrade() -> None:
    op.alter_column("bulletin_photos", "created_at", server_default=sa.func.now(), schema="loupe")
    op.alter_column("bulletins", "updated_at", server_default=sa.func.now(), schema="loupe")
    op.alter_column("bulletins", "created_at", server_default=sa.func.now(), schema="loupe")
    op.add_column(
        "bulletins", sa.Column("trend_fact", sa.Boolean(), server_default=sa.false(), nullable=False), schema="loupe"
    )
    op.create_table(
        "incident_facts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("association_id", sa.BigInteger(), nullable=False),
        sa.Column("region_id", sa.BigInteger(), nullable=False),
        sa.Column("area_id", sa.BigInteger(), nullable=True),
        sa.Column("iso_week", sa.String(length=10), nullable=False),
        sa.Column("incident_type", sa.String(length=30), nullable=False),
        sa.Column("contributor", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["loupe.associations.id"],
            name=op.f("fk_incident_facts_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["loupe.regions.id"], name=op.f("fk_incident_facts_region_id_regions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["loupe.areas.id"], name=op.f("fk_incident_facts_area_id_areas"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_facts")),
        schema="loupe",
    )
    op.create_index(
        "ix_incident_facts_trend", "incident_facts", ["association_id", "iso_week", "region_id"], schema="loupe"
    )
