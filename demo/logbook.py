"""Demo incidents for a store's logbook: the kinds of things jewelers really log, over the last ten weeks.

Each store gets its own selection (chosen deterministically from its name) so the demo stores do not look
identical. No photos: the demo should not ship image files.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from logbook.incidents import DescribedIncident, casing_title, save_incident

# (days ago, hour, type, casing report?, title, narrative, where, staff, police report no., people, vehicles)
INCIDENTS = [
    (
        66,
        11,
        "casing",
        True,
        None,
        "Man walked the whole shop floor looking up at each camera in turn, then asked what time we open the safe "
        "in the morning. Did not look at any jewellery. Left after four minutes.",
        "Shop floor",
        "Priya",
        "",
        [
            {
                "clothing": "Navy baseball cap, grey zip hoodie, dark jeans",
                "build": "Slim",
                "height": "About 1.80 m",
                "behaviour": "Kept his cap low; glanced at the back office door twice",
                "asked_about": "Safe opening time",
            }
        ],
        [{"make": "Vauxhall", "model": "Astra", "colour": "Silver", "plate": "KX17 LMV", "plate_state": "UK"}],
    ),
    (
        61,
        15,
        "distraction",
        False,
        "Two people, one kept staff busy at the watch counter",
        "A woman asked to see five different watches and complained loudly about prices while a man drifted "
        "to the ring case. Staff locked the case and stayed with him. Nothing missing after a stock check.",
        "Watch counter / ring case",
        "Tom, Priya",
        "",
        [
            {
                "clothing": "Long camel coat, large handbag",
                "build": "Medium",
                "height": "About 1.65 m",
                "behaviour": "Loud, kept pointing to the far end of the counter",
            },
            {
                "clothing": "Black puffer jacket, white trainers",
                "build": "Stocky",
                "height": "About 1.75 m",
                "behaviour": "Stood with his back to the camera",
                "asked_about": "Nothing",
            },
        ],
        [],
    ),
    (
        54,
        17,
        "suspicious_vehicle",
        False,
        "Same van parked opposite at closing, third evening running",
        "White panel van parked across the road from 17:15 until after we closed and set the alarm. Engine "
        "running, two people inside. Left once the shutters were down.",
        "Across the road, by the bus stop",
        "Manager on close",
        "",
        [],
        [{"make": "Ford", "model": "Transit", "colour": "White", "plate": "LB68 TVR", "plate_state": "UK"}],
    ),
    (
        47,
        10,
        "phone_email_scam",
        False,
        "Caller posing as the alarm company",
        "Caller said he was from our alarm company and needed the engineer code to 'update the panel remotely'. "
        "We hung up and called the alarm company on the number we have: they made no such call.",
        "Phone",
        "Owner",
        "",
        [],
        [],
    ),
    (
        40,
        13,
        "grab_and_run_attempt",
        False,
        "Attempted grab at the chain display",
        "Young man asked to try on two gold chains, then turned towards the door with them. The door was on "
        "the buzzer so he could not get out; he dropped the chains and was let out. Police called.",
        "Front counter",
        "Tom",
        "CAD 4417-0921",
        [
            {
                "clothing": "Green bomber jacket, black joggers, face mask",
                "build": "Slim",
                "height": "About 1.75 m",
                "behaviour": "Nervous, kept looking at the door",
                "asked_about": "Heavy gold chains",
            }
        ],
        [],
    ),
    (
        33,
        12,
        "casing",
        True,
        None,
        "Couple spent ten minutes by the window display taking photos of the locks and the door frame, then "
        "came in and asked whether we had a back entrance for deliveries.",
        "Window display, then front door",
        "Priya",
        "",
        [
            {
                "clothing": "Woman: red raincoat; man: black leather jacket",
                "build": "Both medium",
                "behaviour": "Photographed the door hinges and lock",
                "asked_about": "Back entrance, delivery times",
            }
        ],
        [
            {
                "make": "BMW",
                "model": "3 Series",
                "colour": "Dark grey",
                "plate": "partial: ..19 FK.",
                "plate_state": "UK",
            }
        ],
    ),
    (
        26,
        18,
        "follow_home",
        False,
        "Car followed the owner from the shop towards home",
        "After closing, a dark hatchback pulled out behind the owner's car and followed for about three miles, "
        "through two turns. The owner drove to the police station car park and it drove on.",
        "From the shop car park",
        "Owner",
        "CAD 4502-1133",
        [],
        [{"make": "Volkswagen", "model": "Golf", "colour": "Black", "plate": "YD66 PXO", "plate_state": "UK"}],
    ),
    (
        19,
        14,
        "suspicious_person",
        False,
        "Man asked about staff numbers and lunch breaks",
        "Man browsing engagement rings asked how many people work here and when we go for lunch, "
        "'so he could come back when it is quiet'.",
        "Engagement ring counter",
        "Tom",
        "",
        [
            {
                "clothing": "Smart grey suit, no tie",
                "build": "Heavy",
                "height": "About 1.85 m",
                "behaviour": "Friendly but kept returning to staffing questions",
                "asked_about": "Staff numbers, lunch hours",
            }
        ],
        [],
    ),
    (
        12,
        16,
        "phone_email_scam",
        False,
        "Email asking to change the supplier's bank details",
        "Email that looked like it came from our main supplier asked us to pay the next invoice to a new account. "
        "The sender address differed by one letter. Forwarded to the supplier and to Action Fraud.",
        "Email",
        "Owner",
        "AF-2026-55871",
        [],
        [],
    ),
    (
        6,
        11,
        "casing",
        True,
        None,
        "Same man as the casing report two months ago (same cap and hoodie) came in, stood by the door and "
        "counted the staff out loud. Asked whether the shutters are on a timer.",
        "By the front door",
        "Priya, Tom",
        "",
        [
            {
                "clothing": "Navy baseball cap, grey zip hoodie",
                "build": "Slim",
                "height": "About 1.80 m",
                "behaviour": "Counted staff, watched the door release",
                "asked_about": "Shutter timer",
            }
        ],
        [{"make": "Vauxhall", "model": "Astra", "colour": "Silver", "plate": "KX17 LMV", "plate_state": "UK"}],
    ),
    (
        3,
        15,
        "other",
        False,
        "Drone hovering over the back yard",
        "Small drone hovered over the rear yard and roof for a few minutes in the afternoon. Could not see who "
        "was flying it.",
        "Rear yard",
        "Tom",
        "",
        [],
        [],
    ),
    (
        1,
        10,
        "suspicious_person",
        False,
        "Customer tried to photograph the safe room door",
        "While we fetched a ring from the back, a customer leaned over the counter and tried to photograph "
        "the open back office door. Asked to stop; left shortly after.",
        "Counter by the back office",
        "Priya",
        "",
        [
            {
                "clothing": "Blue windbreaker, sunglasses indoors",
                "build": "Medium",
                "height": "About 1.70 m",
                "behaviour": "Phone held at chest height, pointed at the back door",
            }
        ],
        [],
    ),
]


def seed_logbook(session: Session, *, store_name: str, now: datetime) -> None:
    """Add 9-12 of the demo incidents (always the casing reports) to a store, times before `now`."""
    chooser = random.Random(store_name)
    casing = [row for row in INCIDENTS if row[3]]
    others = [row for row in INCIDENTS if not row[3]]
    chosen = casing + chooser.sample(others, k=chooser.randint(6, len(others)))
    for days, hour, kind, is_casing, title, narrative, where, staff, report, people, vehicles in chosen:
        occurred = (now - timedelta(days=days)).replace(hour=hour, minute=chooser.randint(0, 59), second=0)
        occurred = min(occurred, now - timedelta(minutes=5))
        incident = save_incident(
            session,
            DescribedIncident(
                occurred_at=occurred,
                incident_type=kind,
                title=title or casing_title(narrative),
                narrative=narrative,
                location_note=where,
                staff_involved=staff,
                police_notified=bool(report) or is_casing,
                police_report_number=report,
                people=people,
                vehicles=vehicles,
            ),
            is_casing_report=is_casing,
        )
        if is_casing:
            incident.contacts_notified_at = occurred + timedelta(minutes=3)
    session.flush()
