"""Demo police review: each store has shared its casing and vehicle reports with a police contact by link, and the
officer has opened the slice and left pattern notes, so the store's review page shows what a finished review is."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import PoliceContact, ReviewAccess, ReviewGrant
from security.tokens import new_secret

NOTES = (
    "Two of these casing visits match the silver Astra (KX17 LMV) logged at two other stores in the district. "
    "We have added the plate to the patrol briefing; call 999 at once if it is seen outside again."
)


def seed_review(session: Session, *, store_name: str, now: datetime) -> None:
    """Idempotent: a store that already has a grant gets nothing more."""
    if session.scalar(sa.select(ReviewGrant.id).limit(1)) is not None:
        return
    contact = session.scalar(
        sa.select(PoliceContact).where(PoliceContact.email != "").order_by(PoliceContact.id).limit(1)
    )
    if contact is None:
        return
    opened = now - timedelta(days=3, hours=2)
    grant = ReviewGrant(
        recipient_kind="contact",
        police_contact_id=contact.id,
        recipient_name=contact.officer_name,
        recipient_email=contact.email,
        incident_types=["casing", "suspicious_vehicle", "suspicious_person"],
        since=(now - timedelta(days=75)).date(),
        until=(now - timedelta(days=1)).date(),
        expires_at=now + timedelta(days=21),
        message=f"Our last ten weeks at {store_name}: could you look for a pattern?",
        granted_by_name="Store owner",
        link_nonce=new_secret(),
        first_opened_at=opened,
        last_opened_at=opened + timedelta(minutes=20),
        open_count=2,
        reviewed_at=opened + timedelta(minutes=25),
        reviewed_by_name=contact.officer_name,
        pattern_notes=NOTES,
    )
    session.add(grant)
    session.flush()
    session.add_all(
        [
            ReviewAccess(grant_id=grant.id, at=now - timedelta(days=4), action="granted", actor_name="Store owner"),
            ReviewAccess(grant_id=grant.id, at=opened, action="opened", actor_name=contact.officer_name),
            ReviewAccess(
                grant_id=grant.id, at=opened + timedelta(minutes=20), action="opened", actor_name=contact.officer_name
            ),
            ReviewAccess(
                grant_id=grant.id, at=opened + timedelta(minutes=25), action="notes", actor_name=contact.officer_name
            ),
            ReviewAccess(
                grant_id=grant.id, at=opened + timedelta(minutes=25), action="reviewed", actor_name=contact.officer_name
            ),
        ]
    )
    session.flush()
