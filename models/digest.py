"""The regional trend digest (shared schema): one run per (region, period), one delivery per (run, person).

A run holds the anonymized, region-wide part of the digest as a snapshot (`content`), taken once when the run is
created, so every recipient of a run reads the same trend and bulletins however long sending takes. A delivery is
the outbox row for one person: claimed with `FOR UPDATE SKIP LOCKED`, rendered at send time (the reader's own
store part is read from that store's schema then, and never stored here), marked sent after the SMTP server
accepted it. Its Message-ID is fixed when the row is created, so a copy re-sent after a crash carries the same one.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SharedBase

DIGEST_KINDS = ("weekly", "daily", "custom")
# skipped: the person left the region, unsubscribed or was deactivated between queueing and sending.
DELIVERY_STATUSES = ("pending", "sent", "failed", "skipped")


class DigestRun(SharedBase):
    __tablename__ = "digest_runs"
    __table_args__ = (
        # The period key says the kind: "2026-W47" (weekly), "2026-11-27" (daily), "2026-11-20..2026-11-27".
        sa.UniqueConstraint("region_id", "period"),
        sa.CheckConstraint("kind IN ('weekly', 'daily', 'custom')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(10))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)  # exclusive
    content: Mapped[dict] = mapped_column(JSONB)
    recipients: Mapped[int] = mapped_column(server_default="0")
    # NULL when the schedule (`flask digest run-due`) created it.
    created_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())


class DigestDelivery(SharedBase):
    __tablename__ = "digest_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("run_id", "user_id"),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed', 'skipped')", name="status_known"),
        sa.Index(
            "ix_digest_deliveries_pending", "next_attempt_at", "id", postgresql_where=sa.text("status = 'pending'")
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("digest_runs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    status: Mapped[str] = mapped_column(sa.String(10), server_default="pending")
    attempts: Mapped[int] = mapped_column(server_default="0")
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    next_attempt_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    sent_at: Mapped[datetime | None]
