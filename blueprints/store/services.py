"""Store workspace domain functions. The Session passed in is already bound to the store's schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from errors import NotFound
from models import PoliceContact, StoreSetting

CONTACT_FIELDS = ("agency", "officer_name", "rank_unit", "phone", "email", "preferred_contact", "notes")


@dataclass(frozen=True)
class DashboardSummary:
    contact_count: int
    quiet_days: int


def dashboard_summary(session: Session) -> DashboardSummary:
    count = session.scalar(sa.select(sa.func.count()).select_from(PoliceContact)) or 0
    quiet = session.scalar(sa.select(StoreSetting.value).where(StoreSetting.key == "contact_quiet_days"))
    return DashboardSummary(contact_count=count, quiet_days=int(quiet or 60))


def list_contacts(session: Session) -> list[PoliceContact]:
    return list(session.scalars(sa.select(PoliceContact).order_by(PoliceContact.agency, PoliceContact.officer_name)))


def get_contact(session: Session, contact_id: int) -> PoliceContact:
    contact = session.get(PoliceContact, contact_id)
    if contact is None:
        raise NotFound("No such police contact in this store.")
    return contact


def save_contact(session: Session, data: dict[str, Any], contact: PoliceContact | None = None) -> PoliceContact:
    """Create a contact, or update `contact`, from validated form data."""
    contact = contact or PoliceContact()
    for field in CONTACT_FIELDS:
        if field in data:
            setattr(contact, field, (data[field] or "").strip())
    session.add(contact)
    session.flush()
    return contact
