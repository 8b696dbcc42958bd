"""Notifications about the store's own records, kept in the store's schema.

What happened to this store's patrol requests, logbook reviews, shares and the bulletins it shared ("a member saw
it", "a pattern includes your incident") is store data: a shared-schema row pairing a person with "your share was
approved" would tell which store shared which bulletin (ANONYMIZATION.md rule 1). `user_id` is a shared
`users.id` (no foreign key across schemas); (key, user_id) is unique so a retried job writes nothing twice.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import StoreBase


class StoreNotification(StoreBase):
    __tablename__ = "notifications"
    __table_args__ = (sa.UniqueConstraint("key", "user_id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    event: Mapped[str] = mapped_column(sa.String(40))
    key: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, server_default="")
    link: Mapped[str] = mapped_column(sa.String(500), server_default="")
    in_app: Mapped[bool] = mapped_column(server_default=sa.true())
    read_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
