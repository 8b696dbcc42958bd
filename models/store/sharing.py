"""What the store shared: "I shared this incident as bulletin N".

This is the only link between a store and its bulletins, and it stays inside the store's own schema
(ANONYMIZATION.md rule 1). `bulletin_id` is a shared `bulletins.id`; no foreign key across schemas.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import StoreBase


class SharedBulletin(StoreBase):
    __tablename__ = "shared_bulletins"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    incident_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    tlp: Mapped[str] = mapped_column(sa.String(20))
    # A shared `users.id`; no foreign key across schemas.
    shared_by_user_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    shared_by_name: Mapped[str] = mapped_column(sa.String(200), server_default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    withdrawn_by_name: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
