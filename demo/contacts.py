"""Demo records for the police-contact part: a contact log, one past meeting with minutes and follow-ups, and one
upcoming meeting, per demo store. Times are relative to `now`, so a fresh demo always has something to show:
PC Dana Hughes has gone quiet (the dashboard suggests the next step) and one follow-up is overdue."""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from meetings import meetings
from models import ContactLogEntry, PoliceContact


def seed_contacts(session: Session, *, store_name: str, now: datetime) -> None:
    """Add the demo contact log and meetings to the store's first two contacts (PC Hughes, Sgt. Reid)."""
    session.flush()
    contacts = {c.officer_name: c for c in session.scalars(sa.select(PoliceContact))}
    dana, omar = contacts.get("PC Dana Hughes"), contacts.get("Sgt. Omar Reid")
    if dana is None or omar is None:
        return
    # A few days' difference between stores, so the demo does not look copy-pasted.
    jitter = zlib.crc32(store_name.encode()) % 9
    quiet = 70 + jitter  # beyond the default 60 days: Dana is flagged on the dashboard

    for contact, days_ago, channel, summary, outcome in (
        (
            dana,
            160 + jitter,
            "call",
            "Introduced the store after the Quayside robbery; asked for a visit.",
            "Agreed to meet at the store.",
        ),
        (dana, quiet + 14, "email", "Sent our opening hours, the alarm company's number and a floor plan.", ""),
        (
            omar,
            40 + jitter,
            "visit",
            "Sgt. Reid dropped in on his evening round; introduced him to the staff.",
            "Will include us in the late patrol on Thursdays.",
        ),
        (
            omar,
            12,
            "email",
            f"Told him about the {store_name} trunk show next month and the courier times.",
            "Asked us to send the final dates one week before.",
        ),
    ):
        session.add(
            ContactLogEntry(
                contact_id=contact.id,
                occurred_at=now - timedelta(days=days_ago),
                channel=channel,
                summary=summary,
                outcome=outcome,
            )
        )

    walkthrough = meetings.schedule_meeting(
        session,
        contact_id=dana.id,
        title="Security walk-through with PC Hughes",
        starts_at=(now - timedelta(days=quiet)).replace(hour=9, minute=30, second=0, microsecond=0),
        duration_minutes=60,
        agenda_key="walkthrough",
    )
    meetings.record_outcome(
        session,
        walkthrough,
        status="held",
        minutes=(
            "PC Hughes walked the shop floor and the back office with the owner.\n"
            "- The camera over the door does not cover the display by the window: move or add one.\n"
            "- Time lock on the safe is fine; keep the day float below the insurance limit.\n"
            "- She will ask the neighbourhood team about drive-bys at closing time.\n"
            "- Report anyone casing the store at once on the direct number: they can respond faster."
        ),
        now=now,
    )
    meetings.add_action(
        session,
        walkthrough,
        description="Add a camera covering the window display",
        owner="Owner",
        due_on=(now - timedelta(days=quiet - 30)).date(),
    )
    done = meetings.add_action(
        session,
        walkthrough,
        description="Send PC Hughes the closing-time rota",
        owner="Manager",
        due_on=(now - timedelta(days=quiet - 7)).date(),
    )
    meetings.set_action_done(session, done, True, now=now - timedelta(days=quiet - 5))

    meetings.schedule_meeting(
        session,
        contact_id=omar.id,
        title="Extra patrols for the trunk show",
        starts_at=(now + timedelta(days=9 + jitter % 3)).replace(hour=16, minute=0, second=0, microsecond=0),
        duration_minutes=45,
        agenda_key="patrols",
    )
    session.flush()
