"""Demo police review: each store has shared its casing and vehicle reports with a police contact by link, and the
officer has opened the slice and left pattern notes, so the store's review page shows what a finished review is."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import PoliceContact, ReviewAccess, ReviewGrant
from security.tokens import new_secret

# The officer's pattern notes, per region: what a police contact would actually write after reading the slice.
NOTES = {
    "harbour": (
        "Your casing visit matches the silver Astra (KX17 LMV) reported by other stores on the harbour side in the "
        "last fortnight. The plate is on the patrol briefing; call 999 at once if it is seen outside again, and "
        "keep the door on the buzzer after 16:00."
    ),
    "uptown": (
        "The couple photographing locks fits a dark grey BMW 3 Series seen uptown with only part of its plate "
        "read (..19 FK.). Please check your CCTV for the full plate and send us the clip; we have asked the "
        "neighbourhood team to pass by at opening and closing."
    ),
    "valley": (
        "Nothing here points to one group. The distraction team of three women is known to us from other towns: "
        "show one tray at a time and keep the trays in hand. Report the black Golf at once if it follows you again."
    ),
}


def seed_review(session: Session, *, store_name: str, now: datetime, region: str = "harbour") -> None:
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
        pattern_notes=NOTES.get(region, NOTES["harbour"]),
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
