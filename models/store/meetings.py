"""In-person meetings with police contacts, their agenda and minutes, and the follow-up actions agreed."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import StoreBase, Timestamped

MEETING_STATUSES = ("planned", "held", "cancelled")


class Meeting(Timestamped, StoreBase):
    __tablename__ = "meetings"
    __table_args__ = (
        sa.CheckConstraint("status IN ('planned', 'held', 'cancelled')", name="status_known"),
        sa.CheckConstraint("duration_minutes BETWEEN 5 AND 1440", name="duration_sane"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    # The meeting stays in the store's history when the contact is deleted.
    contact_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("police_contacts.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(sa.Integer, server_default="60")
    location: Mapped[str] = mapped_column(sa.String(300), server_default="At the store")
    agenda_template: Mapped[str] = mapped_column(sa.String(40), server_default="free")
    agenda: Mapped[str] = mapped_column(sa.Text, server_default="")
    status: Mapped[str] = mapped_column(sa.String(20), server_default="planned")
    minutes: Mapped[str] = mapped_column(sa.Text, server_default="")
    # Calendar identity: a random UID that never changes, and a SEQUENCE bumped on every change, so a calendar
    # that imported the .ics before updates the same event instead of adding a second one.
    ical_uid: Mapped[str] = mapped_column(sa.String(100), unique=True)
    ical_sequence: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    # The reminder job's mark: set once the day-before reminder is queued (for this start time; a move clears it).
    reminded_at: Mapped[datetime | None]

    actions: Mapped[list[MeetingAction]] = relationship(
        back_populates="meeting",
        order_by=lambda: [MeetingAction.due_on.asc().nulls_last(), MeetingAction.id],
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class MeetingAction(Timestamped, StoreBase):
    """A follow-up agreed at a meeting: what, who, by when, and whether it is done."""

    __tablename__ = "meeting_actions"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(sa.String(500))
    owner: Mapped[str] = mapped_column(sa.String(200), server_default="")
    due_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    done_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(back_populates="actions")
