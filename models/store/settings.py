"""Per-store settings, one row per key, seeded at provisioning."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import StoreBase, Timestamped

DEFAULT_SETTINGS = {
    # Flag a police contact on the dashboard when nobody reached them for this many days.
    "contact_quiet_days": "60",
}


class StoreSetting(Timestamped, StoreBase):
    __tablename__ = "store_settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
