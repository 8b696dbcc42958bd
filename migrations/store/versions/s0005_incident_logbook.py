"""suspicious-incident logbook, people, vehicles, photos

Revision ID: s0005
Revises: s0004
Create Date: 2026-11-27

Store migrations are written without a schema: the runner binds each store's schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0005"
down_revision: str | Sequence[str] | None = "s0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INCIDENT_TYPES = (
    "casing",
    "suspicious_person",
    "suspicious_vehicle",
    "distraction",
    "grab_and_run_attempt",
    "phone_email_scam",
    "follow_home",
    "other",
)


def upgrade() -> None:
    type_list = ", ".join(f"'{t}'" for t in INCIDENT_TYPES)
    op.create_table(
        "incidents",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("incident_type", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("location_note", sa.String(length=300), server_default="", nullable=False),
        sa.Column("staff_involved", sa.Text(), server_default="", nullable=False),
        sa.Column("police_notified", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("police_report_number", sa.String(length=60), server_default="", nullable=False),
        sa.Column("is_casing_report", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("contacts_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reported_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(f"incident_type IN ({type_list})", name=op.f("ck_incidents_incident_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index(op.f("ix_incidents_incident_type"), "incidents", ["incident_type"], unique=False)
    op.create_index(op.f("ix_incidents_occurred_at"), "incidents", ["occurred_at"], unique=False)
    op.create_table(
        "incident_people",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("clothing", sa.String(length=300), server_default="", nullable=False),
        sa.Column("build", sa.String(length=100), server_default="", nullable=False),
        sa.Column("height", sa.String(length=50), server_default="", nullable=False),
        sa.Column("behaviour", sa.Text(), server_default="", nullable=False),
        sa.Column("asked_about", sa.String(length=300), server_default="", nullable=False),
        sa.Column("other_details", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_people_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_people")),
    )
    op.create_index(op.f("ix_incident_people_incident_id"), "incident_people", ["incident_id"], unique=False)
    op.create_table(
        "incident_vehicles",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("make", sa.String(length=60), server_default="", nullable=False),
        sa.Column("model", sa.String(length=60), server_default="", nullable=False),
        sa.Column("colour", sa.String(length=40), server_default="", nullable=False),
        sa.Column("plate", sa.String(length=20), server_default="", nullable=False),
        sa.Column("plate_state", sa.String(length=40), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_vehicles_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_vehicles")),
    )
    op.create_index(op.f("ix_incident_vehicles_incident_id"), "incident_vehicles", ["incident_id"], unique=False)
    op.create_table(
        "incident_photos",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_photos_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_photos")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_incident_photos_stored_name")),
    )
    op.create_index(op.f("ix_incident_photos_incident_id"), "incident_photos", ["incident_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_incident_photos_incident_id"), table_name="incident_photos")
    op.drop_table("incident_photos")
    op.drop_index(op.f("ix_incident_vehicles_incident_id"), table_name="incident_vehicles")
    op.drop_table("incident_vehicles")
    op.drop_index(op.f("ix_incident_people_incident_id"), table_name="incident_people")
    op.drop_table("incident_people")
    op.drop_index(op.f("ix_incidents_occurred_at"), table_name="incidents")
    op.drop_index(op.f("ix_incidents_incident_type"), table_name="incidents")
    op.drop_table("incidents")
