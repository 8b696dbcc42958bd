"""The store's police contacts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import StoreBase, Timestamped


class PoliceContact(Timestamped, StoreBase):
    __tablename__ = "police_contacts"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    agency: Mapped[str] = mapped_column(sa.String(200))
    officer_name: Mapped[str] = mapped_column(sa.String(200))
    rank_unit: Mapped[str] = mapped_column(sa.String(200), server_default="")
    phone: Mapped[str] = mapped_column(sa.String(50), server_default="")
    email: Mapped[str] = mapped_column(sa.String(254), server_default="")
    preferred_contact: Mapped[str] = mapped_column(sa.String(20), server_default="phone")
    notes: Mapped[str] = mapped_column(sa.Text, server_default="")
