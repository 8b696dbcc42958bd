"""Patrol and extra-watch requests to the police, the trips (away mode) that create them, and the patrol log."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import StoreBase, Timestamped
from models.store.contacts import PoliceContact


class PatrolStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    COMPLETED = "completed"
    DECLINED = "declined"


class Trip(Timestamped, StoreBase):
    """The owner away (trade show, vacation): one plan that creates the store and home watch requests."""

    __tablename__ = "trips"
    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # trade_show | vacation | other
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    home_address: Mapped[str] = mapped_column(sa.Text, server_default="")
    watch_store: Mapped[bool] = mapped_column(server_default=sa.true())
    watch_home: Mapped[bool] = mapped_column(server_default=sa.false())

    requests: Mapped[list[PatrolRequest]] = relationship(back_populates="trip", order_by="PatrolRequest.id")


class PatrolRequest(Timestamped, StoreBase):
    """One request for drive-bys or extra watch at the store or the owner's home, for a period."""

    __tablename__ = "patrol_requests"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'sent', 'acknowledged', 'completed', 'declined')", name="status_known"),
        sa.CheckConstraint("place IN ('store', 'home')", name="place_known"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    trip_id: Mapped[int | None] = mapped_column(sa.ForeignKey("trips.id", ondelete="SET NULL"), index=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("police_contacts.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.String(30))
    place: Mapped[str] = mapped_column(sa.String(10), server_default="store")
    home_address: Mapped[str] = mapped_column(sa.Text, server_default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # What police should know.
    vehicles_expected: Mapped[str] = mapped_column(sa.Text, server_default="")
    keyholder: Mapped[str] = mapped_column(sa.Text, server_default="")
    alarm_company: Mapped[str] = mapped_column(sa.String(200), server_default="")
    notes: Mapped[str] = mapped_column(sa.Text, server_default="")
    status: Mapped[str] = mapped_column(sa.String(20), server_default=PatrolStatus.DRAFT.value)
    # Where and when it went: the address is kept as sent, even if the contact changes later.
    sent_to_email: Mapped[str] = mapped_column(sa.String(254), server_default="")
    sent_at: Mapped[datetime | None]
    send_count: Mapped[int] = mapped_column(sa.SmallInteger, server_default="0")
    # sha256 of the nonce inside the officer's signed link; a resend replaces it, which kills older links.
    link_nonce_digest: Mapped[str | None] = mapped_column(sa.String(64))
    acknowledged_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    officer_name: Mapped[str] = mapped_column(sa.String(200), server_default="")
    officer_note: Mapped[str] = mapped_column(sa.Text, server_default="")

    trip: Mapped[Trip | None] = relationship(back_populates="requests")
    contact: Mapped[PoliceContact | None] = relationship()
    log_entries: Mapped[list[PatrolLogEntry]] = relationship(
        back_populates="request", order_by="PatrolLogEntry.patrolled_at", cascade="all, delete-orphan"
    )


class PatrolLogEntry(Timestamped, StoreBase):
    """A patrol the officer reports back: when, who, what they saw."""

    __tablename__ = "patrol_log_entries"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("patrol_requests.id", ondelete="CASCADE"), index=True)
    patrolled_at: Mapped[datetime]
    officer_name: Mapped[str] = mapped_column(sa.String(200))
    observations: Mapped[str] = mapped_column(sa.Text, server_default="")

    request: Mapped[PatrolRequest] = relationship(back_populates="log_entries")

    @property
    def outside_window(self) -> bool:
        """Made before the requested period began or after it ended: shown flagged to the store and the officer."""
        return not self.request.starts_at <= self.patrolled_at <= self.request.ends_at
