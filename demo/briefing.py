"""Demo records for the security briefing and the emergency plans: a filled briefing with keyholders and safes, and
four plans per demo store, the fire plan past its review date so the dashboard has something to flag. Dates are
relative to today, and details vary a little between stores so the demo does not look copy-pasted."""

from __future__ import annotations

import zlib
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from briefing.briefing import get_profile
from models import EmergencyPlan, Keyholder, PoliceContact, SafeOrVault

ALARM_COMPANIES = (
    ("Sentinel Monitoring Ltd", "+44 20 7946 0200"),
    ("Redcastle Alarm Response", "+44 20 7946 0201"),
    ("Northgate Security Centre", "+44 20 7946 0202"),
)


def seed_briefing_and_plans(session: Session, *, store_name: str, today: date | None = None) -> None:
    """Fill the store's briefing and write four emergency plans (skipped when the store already has them)."""
    today = today or date.today()
    session.flush()
    jitter = zlib.crc32(store_name.encode()) % 30
    company, company_phone = ALARM_COMPANIES[jitter % len(ALARM_COMPANIES)]
    dana = session.scalar(sa.select(PoliceContact).where(PoliceContact.officer_name == "PC Dana Hughes"))

    profile = get_profile(session)
    if not profile.alarm_system:
        profile.alarm_system = "Texecom Premier Elite 48, graded EN 50131 Grade 3, dual-path signalling"
        profile.alarm_company = company
        profile.alarm_company_phone = company_phone
        profile.alarm_notes = (
            "Zones: shop floor, stock room, back door, safe room. Confirmed alarms get a police response; "
            "the monitoring centre calls keyholders in the order below."
        )
        profile.cameras = "8 HD cameras, 30 days' recording on an NVR in the locked comms cupboard; remote view."
        profile.camera_coverage = "Front door (face height), both counters, the street outside, back door, safe room."
        profile.camera_blind_spots = "The corner behind the watch display; the alley beyond the bins at the back."
        profile.opening_procedure = (
            "Two staff arrive together. One waits outside across the street while the other enters and checks the "
            "premises, then signals all clear. Stock comes out of the safe only after the door is locked again."
        )
        profile.closing_procedure = (
            "Stock into the safe from 17:15 with the door locked. Two staff leave together; vary the route to the car."
        )
        profile.panic_buttons = "Under both counters and in the back office; silent, straight to the monitoring centre."
        profile.layout_notes = (
            f"{store_name}: one public entrance with a buzzer-controlled door, a staff door to the rear alley, "
            "the stock room and safe room behind the back office."
        )
        profile.police_design_advice = (
            "PC Dana Hughes (spring walk-through): move the watch display out of the blind spot, add a camera at "
            "the back door at face height, keep the window display lights on overnight."
        )
        profile.last_reviewed_on = today - timedelta(days=40 + jitter)

    if session.scalar(sa.select(sa.func.count()).select_from(Keyholder)) == 0:
        session.add_all(
            [
                Keyholder(name="Jordan Ellis", role="Owner", phone="+44 7700 900101", holds_alarm_code=True),
                Keyholder(name="Priya Shah", role="Manager", phone="+44 7700 900102", holds_alarm_code=True),
                Keyholder(name="Chris Noble", role="Senior sales", phone="+44 7700 900103", holds_alarm_code=False),
            ]
        )
    if session.scalar(sa.select(sa.func.count()).select_from(SafeOrVault)) == 0:
        session.add_all(
            [
                SafeOrVault(
                    kind="safe",
                    safe_type="Chubbsafes Custodian",
                    rating="EN 1143-1 Grade IV",
                    has_time_lock=True,
                    time_lock_delay_minutes=10 + jitter % 3 * 5,
                    location="Safe room, bolted to the floor",
                ),
                SafeOrVault(
                    kind="safe",
                    safe_type="Burton Eurovault",
                    rating="EN 1143-1 Grade II",
                    has_time_lock=False,
                    location="Back office",
                ),
            ]
        )

    existing = set(session.scalars(sa.select(EmergencyPlan.kind)))
    plans = [
        EmergencyPlan(
            kind="robbery",
            steps="\n".join(
                (
                    "Stay calm. Do what they ask; do not resist or chase.",
                    "Press a panic button only when it is safe to do so.",
                    "Watch: height, build, clothing, voice, what they touch, the direction they leave in.",
                    "Once they have gone, lock the door and call 999.",
                    "Keep everyone who saw it apart until the police arrive; do not touch anything they touched.",
                )
            ),
            call_tree="Whoever is safest → police 999\nManager → owner (Jordan Ellis)\nOwner → insurer and association",
            review_due_on=today + timedelta(days=120 + jitter),
            agreed_contact_id=dana.id if dana else None,
            agreed_with_name="" if dana else "PC Dana Hughes",
            agreed_on=today - timedelta(days=60 + jitter),
        ),
        EmergencyPlan(
            kind="burglary",
            steps="Do not enter if the door is forced or the alarm is sounding.\nWait for police across the street.\n"
            "List what is missing from the stock book once police allow it.",
            call_tree="Monitoring centre → first keyholder\nKeyholder → police 999 if no response is on the way",
            review_due_on=today + timedelta(days=200),
        ),
        EmergencyPlan(
            kind="grab_and_run",
            steps="Show one item at a time, never a full tray.\nDo not chase past the door.\n"
            "Note the direction and any vehicle, then call 999.",
            call_tree="Staff member → police 999\nManager → neighbouring jewelers (association group)",
            review_due_on=today + timedelta(days=90),
            agreed_with_name="Sgt. Omar Reid",
            agreed_on=today - timedelta(days=200),
        ),
        EmergencyPlan(
            kind="fire",
            steps="Raise the alarm and leave by the nearest exit.\nStock stays where it is.\n"
            "Meet at the lamp post opposite; manager counts everyone.",
            call_tree="Manager → fire 999\nManager → owner",
            review_due_on=today - timedelta(days=20 + jitter % 10),  # past review: the dashboard flags it
        ),
    ]
    session.add_all([p for p in plans if p.kind not in existing])
    session.flush()
