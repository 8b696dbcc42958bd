"""Demo patrol requests: one acknowledged with a patrol log, and a trade-show trip whose store watch is a draft."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import PatrolLogEntry, PatrolRequest, PatrolStatus, PoliceContact, Trip
from security.tokens import digest, new_secret


def seed_patrols(session: Session, *, store_name: str, now: datetime) -> None:
    """Add the demo requests to a store whose police contacts are already added. Flushes, never commits."""
    session.flush()
    contact = session.scalar(
        sa.select(PoliceContact).where(PoliceContact.email != "").order_by(PoliceContact.id).limit(1)
    )
    if contact is None:
        return
    day = now.replace(minute=0, second=0, microsecond=0)
    acknowledged = PatrolRequest(
        reason="merchandise_movement",
        place="store",
        starts_at=day - timedelta(days=2, hours=3),
        ends_at=day + timedelta(days=5),
        vehicles_expected="Secure courier van (white, unmarked) on delivery mornings, 07:30–08:00.",
        keyholder="The owner, and the manager as second keyholder.",
        alarm_company="Sentinel Alarms (monitored 24/7)",
        notes=f"New stock arriving at {store_name} for the holiday season; more gold than usual in the safe.",
        status=PatrolStatus.ACKNOWLEDGED.value,
        contact=contact,
        sent_to_email=contact.email,
        sent_at=day - timedelta(days=4),
        send_count=1,
        # The demo's email was never sent, so no link exists; a stored digest keeps the row realistic.
        link_nonce_digest=digest(new_secret()),
        acknowledged_at=day - timedelta(days=3, hours=20),
        officer_name=contact.officer_name,
        officer_note="Added to the early shift's route for the week.",
    )
    acknowledged.log_entries = [
        PatrolLogEntry(
            patrolled_at=day - timedelta(days=2, hours=2),
            officer_name=contact.officer_name,
            observations="Drove past during the delivery. Van loaded quickly; nobody loitering.",
        ),
        PatrolLogEntry(
            patrolled_at=day - timedelta(days=1, hours=14),
            officer_name="PC Jordan Price",
            observations=(
                "Evening foot patrol. Shutters down, alarm light on; a parked grey hatchback left as we passed."
            ),
        ),
    ]
    trip = Trip(
        kind="trade_show",
        title="International Jewellery Fair",
        starts_at=day + timedelta(days=12),
        ends_at=day + timedelta(days=16),
        watch_store=True,
        watch_home=False,
    )
    draft = PatrolRequest(
        reason="trade_show",
        place="store",
        starts_at=trip.starts_at,
        ends_at=trip.ends_at,
        keyholder="The manager opens and closes while the owner is at the fair.",
        alarm_company="Sentinel Alarms (monitored 24/7)",
        status=PatrolStatus.DRAFT.value,
        contact=contact,
        trip=trip,
    )
    session.add_all([acknowledged, trip, draft])
    session.flush()
