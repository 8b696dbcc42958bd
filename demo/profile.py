"""Demo store profiles: an address, a phone, opening hours and a short trade name per store, so the officer's pages
and the alert emails show where to go, and sharing has the store's own details to scrub."""

from __future__ import annotations

import re
import zlib

from sqlalchemy.orm import Session

from models.store.profile import StoreProfile

STREETS = ("High Street", "Harbour Row", "Market Place", "Bridge Street", "Cathedral Lane", "Mill Road")


def seed_profile(session: Session, *, store_name: str) -> None:
    """Write the store's profile unless it has one."""
    if session.get(StoreProfile, 1) is not None:
        return
    jitter = zlib.crc32(store_name.encode())
    short = re.sub(r"\s+(Jewellers|Jewellery|Jewels|Gems|Goldsmiths|Watches|Gold|Rings|Co)$", "", store_name)
    domain = re.sub(r"[^a-z]", "", short.lower())
    session.add(
        StoreProfile(
            id=1,
            trade_names=short if short != store_name else "",
            street_address=f"{10 + jitter % 180} {STREETS[jitter % len(STREETS)]}",
            city="Kingsbridge",
            postcode=f"KB{1 + jitter % 9} {jitter % 9}AB",
            phone=f"+44 20 7946 {300 + jitter % 600:04d}",
            website=f"https://www.{domain}.example",
            shop_email=f"hello@{domain}.example",
            opening_hours="Mon–Sat 9:30–17:30, Sun closed",
        )
    )
