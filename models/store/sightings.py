"""The store's own record of the sightings it reported on bulletins ("I saw this too").

`bulletin_id` and `sighting_id` point at shared rows; no foreign key across schemas. The store's own words stay
here; only the anonymized note goes to the shared `bulletin_sightings` row.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import StoreBase


class ReportedSighting(StoreBase):
    __tablename__ = "reported_sightings"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    sighting_id: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    note: Mapped[str] = mapped_column(sa.Text, server_default="")
    seen_at: Mapped[datetime]
    reported_by_user_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    reported_by_name: Mapped[str] = mapped_column(sa.String(200), server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
