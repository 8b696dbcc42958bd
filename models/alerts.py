"""Urgent alerts and casing patterns (shared schema).

An urgent alert is a moderator's (or the system's) push of one published bulletin to its region at once. The
re-alert ban is the unique bulletin id of `urgent_alerts`; each recipient gets one `alert_deliveries` row (unique per
alert and person) that points at the outbox row carrying the email, so sending reuses the outbox (SKIP LOCKED,
retries with backoff, stable Message-ID) and the unique key stops a second email to the same person.

A casing pattern is a drafted heightened-response bulletin pointing at the matched bulletins; its signature (the
plate, vehicle or person descriptor) is unique per region, so the same pattern is not drafted twice. Neither table
names a store: which store shared which bulletin is read from the stores' own schemas and never written here.
"""

from __future__ import annotations

from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SharedBase


class AlertPreference(SharedBase):
    """A person's email choices: urgent alerts (NULL: by role), quiet hours in the association's time
    zone (alerts and digests wait for their end), and the digest: how often (NULL: as the association schedules
    it), regions not followed (default: every region of their stores), incident types (NULL: all)."""

    __tablename__ = "alert_preferences"
    __table_args__ = (
        sa.CheckConstraint("digest_frequency IN ('weekly', 'daily', 'off')", name="digest_frequency_known"),
    )

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # NULL: as the person's role says (on for owners, managers and police liaisons; `alerts.urgent.wants_alerts`).
    urgent_alerts: Mapped[bool | None] = mapped_column()
    quiet_start: Mapped[time | None] = mapped_column(sa.Time)
    quiet_end: Mapped[time | None] = mapped_column(sa.Time)
    digest_frequency: Mapped[str | None] = mapped_column(sa.String(10))
    digest_muted_region_ids: Mapped[list[int]] = mapped_column(
        ARRAY(sa.BigInteger), server_default=sa.text("'{}'::bigint[]")
    )
    digest_incident_types: Mapped[list[str] | None] = mapped_column(ARRAY(sa.String(30)))
    updated_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), onupdate=sa.func.now())


class UrgentAlert(SharedBase):
    __tablename__ = "urgent_alerts"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    # One alert per bulletin: the re-alert ban.
    bulletin_id: Mapped[int] = mapped_column(sa.ForeignKey("bulletins.id", ondelete="CASCADE"), unique=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id", ondelete="CASCADE"))
    # NULL when the system sent it.
    sent_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Delivery figures fixed when it was sent: people of the region who turned alerts off, and emails held for the
    # end of their quiet hours (sent and failed are read from the outbox).
    opted_out_count: Mapped[int] = mapped_column(server_default="0")
    quiet_held_count: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())


class AlertDelivery(SharedBase):
    __tablename__ = "alert_deliveries"
    __table_args__ = (sa.UniqueConstraint("alert_id", "user_id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    alert_id: Mapped[int] = mapped_column(sa.ForeignKey("urgent_alerts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbound_emails.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())


class BulletinPattern(SharedBase):
    __tablename__ = "bulletin_patterns"
    __table_args__ = (sa.UniqueConstraint("region_id", "signature"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id", ondelete="CASCADE"))
    signature: Mapped[str] = mapped_column(sa.String(300))
    # The drafted heightened-response bulletin (kind "pattern", pending).
    bulletin_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bulletins.id", ondelete="SET NULL"))
    matched_bulletin_ids: Mapped[list[int]] = mapped_column(ARRAY(sa.BigInteger))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), onupdate=sa.func.now())
