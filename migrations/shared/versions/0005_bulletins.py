"""regional bulletins: bulletins (no store id), feedback, association bulletin settings

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bulletins",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("association_id", sa.BigInteger(), nullable=False),
        sa.Column("region_id", sa.BigInteger(), nullable=False),
        sa.Column("area_id", sa.BigInteger(), nullable=True),
        sa.Column("area_label", sa.String(length=200), nullable=True),
        sa.Column("region_label", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), server_default="incident", nullable=False),
        sa.Column("tlp", sa.String(length=20), server_default="AMBER", nullable=False),
        sa.Column("incident_type", sa.String(length=30), server_default="", nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("narrative", sa.Text(), server_default="", nullable=False),
        sa.Column("location_note", sa.String(length=300), server_default="", nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("part_of_day", sa.String(length=20), server_default="", nullable=False),
        sa.Column("iso_week", sa.String(length=10), server_default="", nullable=False),
        sa.Column(
            "people", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column(
            "vehicles", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column("photos_allowed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="pending", nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejection_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("edited_by_moderator", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('incident', 'police_trend', 'relayed_note')", name=op.f("ck_bulletins_kind_known")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'published', 'rejected', 'withdrawn', 'retired')",
            name=op.f("ck_bulletins_status_known"),
        ),
        sa.CheckConstraint("tlp IN ('AMBER+STRICT', 'AMBER', 'GREEN')", name=op.f("ck_bulletins_tlp_feed_allowed")),
        sa.CheckConstraint(
            "status <> 'published' OR published_at IS NOT NULL", name=op.f("ck_bulletins_published_has_time")
        ),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["loupe.associations.id"],
            name=op.f("fk_bulletins_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["loupe.regions.id"], name=op.f("fk_bulletins_region_id_regions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["loupe.areas.id"], name=op.f("fk_bulletins_area_id_areas"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["loupe.users.id"],
            name=op.f("fk_bulletins_decided_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletins")),
        schema="loupe",
    )
    op.create_index(op.f("ix_bulletins_association_id"), "bulletins", ["association_id"], unique=False, schema="loupe")
    op.create_index(
        "ix_bulletins_feed", "bulletins", ["region_id", "status", "published_at"], unique=False, schema="loupe"
    )
    op.create_table(
        "bulletin_feedback",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bulletin_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=12), server_default="helped", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind IN ('helped')", name=op.f("ck_bulletin_feedback_kind_known")),
        sa.ForeignKeyConstraint(
            ["bulletin_id"],
            ["loupe.bulletins.id"],
            name=op.f("fk_bulletin_feedback_bulletin_id_bulletins"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["loupe.users.id"], name=op.f("fk_bulletin_feedback_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletin_feedback")),
        sa.UniqueConstraint(
            "bulletin_id", "user_id", "kind", name=op.f("uq_bulletin_feedback_bulletin_id_user_id_kind")
        ),
        schema="loupe",
    )
    op.create_index(
        op.f("ix_bulletin_feedback_user_id"), "bulletin_feedback", ["user_id"], unique=False, schema="loupe"
    )
    op.create_table(
        "bulletin_settings",
        sa.Column("association_id", sa.BigInteger(), nullable=False),
        sa.Column("auto_publish", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["loupe.associations.id"],
            name=op.f("fk_bulletin_settings_association_id_associations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("association_id", name=op.f("pk_bulletin_settings")),
        schema="loupe",
    )


def downgrade() -> None:
    op.drop_table("bulletin_settings", schema="loupe")
    op.drop_index(op.f("ix_bulletin_feedback_user_id"), table_name="bulletin_feedback", schema="loupe")
    op.drop_table("bulletin_feedback", schema="loupe")
    op.drop_index("ix_bulletins_feed", table_name="bulletins", schema="loupe")
    op.drop_index(op.f("ix_bulletins_association_id"), table_name="bulletins", schema="loupe")
    op.drop_table("bulletins", schema="loupe")
