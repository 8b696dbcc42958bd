"""In-app notifications and each person's choices per event (shared schema).

A shared `notifications` row is about a person, never about a store's own records: an urgent alert, a sighting of
a flagged vehicle for a region's liaisons, an accepted invitation, dues trouble. What happened to a store's patrol
requests, logbook reviews or shares lives in that store's schema (`models.store.notifications`), because a row
here saying "your share was approved" next to a user id would tell which store shared which bulletin. `key`
identifies the event; (key, user_id) is unique, so a job that runs twice writes nothing twice.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SharedBase


class Notification(SharedBase):
    __tablename__ = "notifications"
    __table_args__ = (sa.UniqueConstraint("key", "user_id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(sa.String(40))
    key: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, server_default="")
    # A path inside Loupe (starts with "/"), or "".
    link: Mapped[str] = mapped_column(sa.String(500), server_default="")
    # False when the person chose email only: the row still stops a second email.
    in_app: Mapped[bool] = mapped_column(server_default=sa.true())
    read_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())


class NotificationPreference(SharedBase):
    """A person's choice for one event: in the inbox, by email. No row: the event's default."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    event: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    in_app: Mapped[bool] = mapped_column(server_default=sa.true())
    email: Mapped[bool] = mapped_column(server_default=sa.true())
    updated_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), onupdate=sa.func.now())
