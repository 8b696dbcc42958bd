"""Pointers from a police liaison to the review grants stores made to them.

No request ever scans every store schema, so a liaison's list of reviews is read from here. A row holds only where
the grant lives, what slice it covers and until when; never incident data. It is written in the same transaction
as the grant in the store's schema and kept in step with it (revocation, review).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import SharedBase
from models.registry import Store


class PoliceShareIndex(SharedBase):
    __tablename__ = "police_share_index"
    __table_args__ = (sa.UniqueConstraint("store_id", "grant_id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    store_id: Mapped[int] = mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"))
    liaison_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The grant's id inside the store's schema.
    grant_id: Mapped[int] = mapped_column(sa.BigInteger)
    incident_types: Mapped[list[str]] = mapped_column(ARRAY(sa.String(40)))
    since: Mapped[date] = mapped_column(sa.Date)
    until: Mapped[date] = mapped_column(sa.Date)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())

    store: Mapped[Store] = relationship()
