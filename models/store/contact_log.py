"""The contact log of the store's police contacts: who reached whom, when, how, and what came of it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import StoreBase, Timestamped

CONTACT_CHANNELS = ("call", "visit", "email", "other")


class ContactLogEntry(Timestamped, StoreBase):
    __tablename__ = "contact_log_entries"
    __table_args__ = (sa.CheckConstraint("channel IN ('call', 'visit', 'email', 'other')", name="channel_known"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("police_contacts.id", ondelete="CASCADE"), index=True
    )
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    channel: Mapped[str] = mapped_column(sa.String(20))
    summary: Mapped[str] = mapped_column(sa.Text)
    outcome: Mapped[str] = mapped_column(sa.Text, server_default="")
    # A shared-schema users.id; no foreign key can cross from a store schema to the shared one.
    logged_by_user_id: Mapped[int | None] = mapped_column(sa.BigInteger)
