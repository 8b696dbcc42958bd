"""patrol and extra-watch requests, trips (away mode), patrol log

Revision ID: s0004
Revises: s0003
Create Date: 2026-11-27

Store migrations are written without a schema: the runner binds each store's schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0004"
down_revision: str | Sequence[str] | None = "s0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "trips",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("home_address", sa.Text(), server_default="", nullable=False),
        sa.Column("watch_store", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("watch_home", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_trips_ends_after_start")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trips")),
    )
    op.create_table(
        "patrol_requests",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("trip_id", sa.BigInteger(), nullable=True),
        sa.Column("contact_id", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("place", sa.String(length=10), server_default="store", nullable=False),
        sa.Column("home_address", sa.Text(), server_default="", nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("vehicles_expected", sa.Text(), server_default="", nullable=False),
        sa.Column("keyholder", sa.Text(), server_default="", nullable=False),
        sa.Column("alarm_company", sa.String(length=200), server_default="", nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column("sent_to_email", sa.String(length=254), server_default="", nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("send_count", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("link_nonce_digest", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("officer_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("officer_note", sa.Text(), server_default="", nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "status IN ('draft', 'sent', 'acknowledged', 'completed', 'declined')",
            name=op.f("ck_patrol_requests_status_known"),
        ),
        sa.CheckConstraint("place IN ('store', 'home')", name=op.f("ck_patrol_requests_place_known")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_patrol_requests_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["police_contacts.id"],
            name=op.f("fk_patrol_requests_contact_id_police_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["trip_id"], ["trips.id"], name=op.f("fk_patrol_requests_trip_id_trips"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_requests")),
    )
    op.create_index(op.f("ix_patrol_requests_trip_id"), "patrol_requests", ["trip_id"], unique=False)
    op.create_table(
        "patrol_log_entries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("request_id", sa.BigInteger(), nullable=False),
        sa.Column("patrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("officer_name", sa.String(length=200), nullable=False),
        sa.Column("observations", sa.Text(), server_default="", nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["patrol_requests.id"],
            name=op.f("fk_patrol_log_entries_request_id_patrol_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_log_entries")),
    )
    op.create_index(op.f("ix_patrol_log_entries_request_id"), "patrol_log_entries", ["request_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_patrol_log_entries_request_id"), table_name="patrol_log_entries")
    op.drop_table("patrol_log_entries")
    op.drop_index(op.f("ix_patrol_requests_trip_id"), table_name="patrol_requests")
    op.drop_table("patrol_requests")
    op.drop_table("trips")
