"""anonymized incident facts for regional trends

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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
        "ix_incident_facts_trend",
        "incident_facts",
        ["association_id", "iso_week", "region_id"],
        unique=False,
        schema="loupe",
    )


def downgrade() -> None:
    op.drop_index("ix_incident_facts_trend", table_name="incident_facts", schema="loupe")
    op.drop_table("incident_facts", schema="loupe")
