"""Sightings ("I saw this too") and the parts of a police trend bulletin, in the shared schema.

Like a bulletin, a sighting has no store id and no author: its note is the anonymizer's output (scrubbed with the
reporting store's identity) and its time is coarse (day and part of day). Which store reported which sighting is
known only inside that store's schema (`models.store.sightings.ReportedSighting`).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SharedBase


class BulletinSighting(SharedBase):
    __tablename__ = "bulletin_sightings"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(sa.ForeignKey("bulletins.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(sa.Text, server_default="")
    day: Mapped[date | None] = mapped_column(sa.Date)
    part_of_day: Mapped[str] = mapped_column(sa.String(20), server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())


class TrendBulletinDetails(SharedBase):
    """A police trend bulletin's own fields (anonymized like the rest of the bulletin)."""

    __tablename__ = "trend_bulletin_details"

    bulletin_id: Mapped[int] = mapped_column(sa.ForeignKey("bulletins.id", ondelete="CASCADE"), primary_key=True)
    modus_operandi: Mapped[str] = mapped_column(sa.Text, server_default="")
    watch_for: Mapped[str] = mapped_column(sa.Text, server_default="")
    recommendation: Mapped[str] = mapped_column(sa.Text, server_default="")
