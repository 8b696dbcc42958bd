"""The store's profile: where it is and how to reach it (one row per store schema).

Used where the police need it (the officer's pages, patrol requests, casing alerts) and by the anonymizer, which
scrubs every part of it from what the store shares (`sharing.shares.store_identity`): trade names, street, city,
postcode, phone, website and shop email. It lives in the store's own schema like the rest of its records.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import StoreBase, Timestamped


class StoreProfile(Timestamped, StoreBase):
    __tablename__ = "profile"  # not "store_…": the schema is the store's own (and "store_" names schemas)
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False, default=1)
    # Other names the shop goes by, one per line ("Bellamy's", "B&S Fine Jewellery").
    trade_names: Mapped[str] = mapped_column(sa.Text, server_default="")
    # Number, street and unit as written on the door: "1428 Elm Street, Suite 4".
    street_address: Mapped[str] = mapped_column(sa.String(300), server_default="")
    city: Mapped[str] = mapped_column(sa.String(120), server_default="")
    postcode: Mapped[str] = mapped_column(sa.String(20), server_default="")
    phone: Mapped[str] = mapped_column(sa.String(50), server_default="")
    website: Mapped[str] = mapped_column(sa.String(300), server_default="")
    shop_email: Mapped[str] = mapped_column(sa.String(254), server_default="")
    opening_hours: Mapped[str] = mapped_column(sa.Text, server_default="")
