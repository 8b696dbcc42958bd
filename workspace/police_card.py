"""What police need to reach a store, in one place: where to go (address and an OpenStreetMap link), how to call
the store, its opening hours, and who to call when it is closed (the security briefing's keyholders and alarm
company — written once there, never retyped into each patrol request). Shown on the officer's patrol and review
pages and in patrol request and casing alert emails (TLP:RED: for the named recipient only)."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Store
from models.store.briefing import Keyholder, SecurityBriefing
from workspace.profile import get_profile, map_url, one_line_address


@dataclass(frozen=True)
class KeyholderLine:
    name: str
    role: str
    phone: str

    def __str__(self) -> str:
        role = f" ({self.role})" if self.role else ""
        phone = f", {self.phone}" if self.phone else ""
        return f"{self.name}{role}{phone}"


@dataclass(frozen=True)
class PoliceCard:
    store_name: str
    address: str = ""
    phone: str = ""
    map_url: str = ""
    opening_hours: str = ""
    alarm_company: str = ""
    alarm_company_phone: str = ""
    keyholders: list[KeyholderLine] = field(default_factory=list)

    @property
    def alarm_line(self) -> str:
        return ", ".join(part for part in (self.alarm_company, self.alarm_company_phone) if part)


def police_card(session: Session, store: Store) -> PoliceCard:
    """The card of the store the session is bound to (three small reads)."""
    profile = get_profile(session)
    briefing = session.scalar(sa.select(SecurityBriefing).limit(1))
    keyholders = session.scalars(sa.select(Keyholder).order_by(Keyholder.id)).all()
    return PoliceCard(
        store_name=store.name,
        address=one_line_address(profile),
        phone=profile.phone,
        map_url=map_url(profile),
        opening_hours=profile.opening_hours,
        alarm_company=briefing.alarm_company if briefing else "",
        alarm_company_phone=briefing.alarm_company_phone if briefing else "",
        keyholders=[KeyholderLine(k.name, k.role, k.phone) for k in keyholders],
    )
