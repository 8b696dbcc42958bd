"""The warm pool: store schemas built ahead of demand, at one store revision, not yet given to any store."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SharedBase


class PoolSchema(SharedBase):
    """One pre-built, unassigned schema (`pool_<id>`): tables, indexes and version stamp, no store data.

    Claiming deletes the row and renames the schema to `store_<id>` in the store's provisioning transaction.
    `revision` is the store revision it was built at (only rows at the running code's head are handed out);
    `app_role` the role its table grants name (NULL: none), so a claim never mixes grants of two roles.
    """

    __tablename__ = "schema_pool"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    schema_name: Mapped[str] = mapped_column(sa.String(63), unique=True)
    revision: Mapped[str] = mapped_column(sa.String(32))
    app_role: Mapped[str | None] = mapped_column(sa.String(63))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
