"""Demo incidents for a store's logbook: the kinds of things jewelers really log, over the last ten weeks.

Every store logs different incidents (issue #19: the demo feed showed "the same two bulletins 5×"):
- `ROUTINE`: what any shop logs and keeps to itself (scam calls, a drone); every store has its own selection;
- `SHAREABLE`: casing, suspicious people and vehicles, distraction and grab attempts, each logged by exactly one
  store (the store's position in the demo picks them), so the regional feed never shows the same text twice;
- `PATTERNS`: the same car seen by two or three stores of one region, each in its own words, days apart, within
  pattern detection's 14-day window: shared like everything else, they make pattern detection draft its
  heightened-response bulletins on its own (nothing is hand-inserted);
- `DUPLICATES`: one distraction team reported by two stores of a region on the same afternoon: the association's
  moderator merges them, so the feed shows one bulletin "reported 2 times".
No photos: the demo should not ship image files. Red flags of the trade (on the phone the whole time, sunglasses
indoors, a hood pulled low, a coat laid on the showcase, questions about hours and security, asking for the most
expensive piece) are written in the text, as a jeweler would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from logbook.incidents import DescribedIncident, casing_title, save_incident


@dataclass(frozen=True)
class DemoIncident:
    days_ago: int
    hour: int
    kind: str
    narrative: str
    title: str | None = None  # None: a casing report, titled from its narrative as the casing page does
    where: str = ""
    staff: str = ""
    report: str = ""
    people: list[dict] = field(default_factory=list)
    vehicles: list[dict] = field(default_factory=list)

    @property
    def is_casing(self) -> bool:
        return self.kind == "casing"


ASTRA = {"make": "Vauxhall", "model": "Astra", "colour": "Silver", "plate": "KX17 LMV", "plate_state": "UK"}
BMW = {"make": "BMW", "model": "3 Series", "colour": "Dark grey", "plate": "..19 FK.", "plate_state": "UK"}

ROUTINE = [
    DemoIncident(
        47,
        10,
        "phone_email_scam",
        "Caller said he was from our alarm company and needed the engineer "
        "code to 'update the panel remotely'. We hung up and called the alarm company on the number we "
        "have: they made no such call.",
        "Caller posing as the alarm company",
        "Phone",
        "Owner",
    ),
    DemoIncident(
        12,
        16,
        "phone_email_scam",
        "Email that looked like it came from our main supplier asked us to pay "
        "the next invoice to a new account. The sender address differed by one letter. Forwarded to the "
        "supplier and to Action Fraud.",
        "Email asking to change the supplier's bank details",
        "Email",
        "Owner",
        "AF-2026-55871",
    ),
    DemoIncident(
        3,
        15,
        "other",
        "Small drone hovered over the rear yard and roof for a few minutes in the "
        "afternoon. Could not see who was flying it.",
        "Drone hovering over the back yard",
        "Rear yard",
    ),
    DemoIncident(
        26,
        18,
        "follow_home",
        "After closing, a dark hatchback pulled out behind the owner's car and "
        "followed for about three miles, through two turns. The owner drove to the police station car "
        "park and it drove on.",
        "Car followed the owner from the shop towards home",
        "From the shop car park",
        "Owner",
        "CAD 4502-1133",
        vehicles=[{"make": "Volkswagen", "model": "Golf", "colour": "Black", "plate_state": "UK"}],
    ),
    DemoIncident(
        58,
        11,
        "phone_email_scam",
        "Text message claiming to be from the bank asked to 'confirm' the "
        "card reader's terminal ID through a link. Deleted; the bank confirmed it was not them.",
        "Text message about the card terminal",
        "Phone",
        "Manager",
    ),
    DemoIncident(
        35,
        9,
        "other",
        "Found the side gate's padlock cut when opening up. Nothing taken from the yard; "
        "the alarm did not go off because the gate is outside the protected area.",
        "Side gate padlock cut overnight",
        "Side gate",
        "Manager",
        "CAD 4470-0312",
    ),
]

# (days ago, hour, type, narrative, title, where, people, vehicles); titles are what a jeweler would write.
_SHAREABLE_ROWS = [
    (
        31,
        11,
        "casing",
        "Woman in a long black coat asked to see the diamond tennis bracelets, then asked which "
        "days we have the fewest staff in. Kept her sunglasses on indoors the whole visit.",
        None,
        "Bracelet counter",
        [
            {
                "clothing": "Long black coat, large sunglasses",
                "build": "Slim",
                "height": "About 1.70 m",
                "asked_about": "Days with the fewest staff",
            }
        ],
        [],
    ),
    (
        18,
        14,
        "suspicious_person",
        "Man asked how many people work here and when we go for lunch, 'so he could come "
        "back when it is quiet'. Looked at no jewellery.",
        "Man asked about staff numbers and lunch breaks",
        "Engagement ring counter",
        [
            {
                "clothing": "Smart grey suit, no tie",
                "build": "Heavy",
                "height": "About 1.85 m",
                "asked_about": "Staff numbers, lunch hours",
            }
        ],
        [],
    ),
    (
        22,
        16,
        "grab_and_run_attempt",
        "Young man asked to try on two heavy gold chains, then turned for the door. "
        "The door was on the buzzer; he dropped the chains and was let out. Police called.",
        "Attempted grab at the chain display",
        "Front counter",
        [
            {
                "clothing": "Green bomber jacket, black joggers, face mask",
                "build": "Slim",
                "height": "About 1.75 m",
                "behaviour": "Kept looking at the door",
                "asked_about": "Heavy gold chains",
            }
        ],
        [],
    ),
    (
        14,
        12,
        "suspicious_vehicle",
        "White panel van parked opposite from 17:15 until after we set the alarm, "
        "third evening running. Engine running, two people inside. Left once the shutters were down.",
        "Same van parked opposite at closing, third evening running",
        "Across the road, by the bus stop",
        [],
        [{"make": "Ford", "model": "Transit", "colour": "White", "plate": "LB68 TVR", "plate_state": "UK"}],
    ),
    (
        27,
        15,
        "distraction",
        "A woman complained loudly about a repair while a man drifted towards the watch "
        "cabinet at the back. Staff locked the cabinet and stayed with him. Nothing missing after a stock check.",
        "Loud complaint at the till while a man drifted to the watches",
        "Till and watch cabinet",
        [
            {"clothing": "Camel coat, large handbag", "build": "Medium", "behaviour": "Loud, kept pointing away"},
            {
                "clothing": "Black puffer jacket, white trainers",
                "build": "Stocky",
                "behaviour": "Stood with his back to the camera",
            },
        ],
        [],
    ),
    (
        9,
        13,
        "casing",
        "Man with his hood pulled low walked slowly round every showcase twice, then stood by the "
        "door watching how it releases. Asked nothing, bought nothing.",
        None,
        "Showcases, then the front door",
        [
            {
                "clothing": "Black hoodie pulled low, grey tracksuit bottoms",
                "build": "Thin",
                "height": "About 1.90 m",
                "behaviour": "Watched the door release twice",
            }
        ],
        [],
    ),
    (
        37,
        17,
        "suspicious_person",
        "Three young men came in together, spread out to three corners of the shop and "
        "kept glancing at each other. Left together after two minutes when the manager greeted each of them.",
        "Group of three spread out across the shop",
        "Whole shop floor",
        [
            {
                "clothing": "Matching black puffer jackets",
                "build": "Medium",
                "height": "About 1.75-1.80 m",
                "behaviour": "Spread out, kept signalling to each other",
            }
        ],
        [],
    ),
    (
        5,
        10,
        "suspicious_vehicle",
        "Red moped with two riders circled the block four times just after we opened, "
        "slowing each time outside the window display.",
        "Moped circling the block at opening time",
        "Street outside the window display",
        [],
        [{"make": "Honda", "model": "PCX", "colour": "Red", "plate": "MX21 ..G", "plate_state": "UK"}],
    ),
    (
        20,
        14,
        "distraction",
        "Woman asked to see six rings at once and kept them spread over the counter while her "
        "companion asked for a glass of water. Staff counted the rings back in one at a time; all there.",
        "Six rings out at once while a companion asked for water",
        "Ring counter",
        [{"clothing": "Cream trench coat", "build": "Slim", "asked_about": "Six different rings at once"}],
        [],
    ),
    (
        12,
        16,
        "casing",
        "Man asked for the most expensive watch in the window, then asked whether the window "
        "stock is taken out at night and what time we close on Saturdays.",
        None,
        "Window display",
        [
            {
                "clothing": "Blue windbreaker, flat cap",
                "build": "Medium",
                "height": "About 1.75 m",
                "asked_about": "Whether window stock is removed at night, Saturday closing time",
            }
        ],
        [],
    ),
    (
        40,
        12,
        "suspicious_person",
        "Customer leaned over the counter and tried to photograph the open back office "
        "door while we fetched a ring. Asked to stop; left shortly after.",
        "Customer tried to photograph the back office door",
        "Counter by the back office",
        [
            {
                "clothing": "Olive parka",
                "build": "Medium",
                "height": "About 1.70 m",
                "behaviour": "Phone held at chest height, pointed at the back door",
            }
        ],
        [],
    ),
    (
        8,
        18,
        "suspicious_vehicle",
        "Black estate car with tinted windows parked in the loading bay behind the shop "
        "for an hour before closing. Driver stayed inside on the phone.",
        "Estate car waiting in the loading bay",
        "Loading bay behind the shop",
        [],
        [{"make": "Skoda", "model": "Octavia estate", "colour": "Black", "plate": "WN70 HJD", "plate_state": "UK"}],
    ),
    (
        25,
        11,
        "grab_and_run_attempt",
        "Man in a cycle helmet asked to see a tray of gold bangles and tried to lift "
        "the tray. The tray is tethered; he let go and left on a bicycle.",
        "Tried to lift a tethered bangle tray",
        "Bangle counter",
        [
            {
                "clothing": "Cycle helmet, black cycling jacket",
                "build": "Athletic",
                "height": "About 1.80 m",
                "asked_about": "Gold bangles",
            }
        ],
        [],
    ),
    (
        16,
        15,
        "casing",
        "Woman on the phone the whole time walked the shop twice, describing the layout in a low "
        "voice to whoever she was talking to. Left without looking at anything.",
        None,
        "Whole shop floor",
        [
            {
                "clothing": "Beige hat, green scarf, grey coat",
                "build": "Slim",
                "height": "About 1.60 m",
                "behaviour": "Described the layout on the phone",
            }
        ],
        [],
    ),
    (
        29,
        13,
        "distraction",
        "Two men asked for a valuation of an old watch; one kept the assistant talking about "
        "it while the other leaned over the counter towards the open drawer. Drawer closed, they left.",
        "Watch valuation used as a distraction at the counter",
        "Valuation counter",
        [
            {"clothing": "Tweed jacket", "build": "Heavy", "asked_about": "Valuation of an old watch"},
            {"clothing": "Navy hoodie", "build": "Slim", "behaviour": "Leaned over towards the open drawer"},
        ],
        [],
    ),
    (
        6,
        17,
        "suspicious_person",
        "Man in a heavy winter coat on a warm afternoon browsed for twenty minutes, "
        "keeping his hands in his pockets, and asked whether we have cameras 'in the back as well'.",
        "Heavy coat on a warm day, asked about cameras in the back",
        "Whole shop floor",
        [
            {
                "clothing": "Heavy black winter coat, beanie",
                "build": "Large",
                "height": "About 1.85 m",
                "asked_about": "Cameras in the back rooms",
            }
        ],
        [],
    ),
    (
        33,
        10,
        "suspicious_vehicle",
        "Blue hatchback drove past slowly three times while the cash-in-transit van was "
        "outside, then parked round the corner until it left.",
        "Car circled during the cash collection",
        "Round the corner from the shop",
        [],
        [{"make": "Ford", "model": "Fiesta", "colour": "Blue", "plate": "BD15 ..X", "plate_state": "UK"}],
    ),
    (
        11,
        12,
        "casing",
        "Couple asked to see the safe room 'for insurance reasons', said they were opening a shop "
        "themselves and asked which alarm company we use.",
        None,
        "Front counter",
        [
            {
                "clothing": "Both in matching navy raincoats",
                "build": "Medium",
                "asked_about": "The safe room, the alarm company",
            }
        ],
        [],
    ),
    (
        44,
        14,
        "grab_and_run_attempt",
        "Man laid his coat over the showcase while asking about a ring, then tried to "
        "slide the showcase door open under it. The case was locked; he picked up his coat and walked out.",
        "Coat laid over the showcase to hide a reach",
        "Ring showcase",
        [
            {
                "clothing": "Brown suede jacket, carried a long raincoat",
                "build": "Medium",
                "height": "About 1.78 m",
                "behaviour": "Laid his coat on the showcase",
            }
        ],
        [],
    ),
    (
        2,
        16,
        "suspicious_person",
        "Man asked which of our pieces is insured for the most and whether staff carry "
        "the keys to the cases home. Gave a different name each time he was asked.",
        "Asked which pieces are insured for the most and who keeps the keys",
        "Front counter",
        [
            {
                "clothing": "Grey fleece, reading glasses on a cord",
                "build": "Heavy",
                "height": "About 1.70 m",
                "asked_about": "Insurance values, who keeps the case keys",
            }
        ],
        [],
    ),
    (
        19,
        11,
        "distraction",
        "Group of four came in at once: two asked to see watches at opposite ends of the "
        "counter while the other two stood by the door. Staff pressed the door lock and called the manager.",
        "Group of four split the staff at the watch counter",
        "Watch counter and front door",
        [
            {
                "clothing": "Two in tracksuits, two in long coats",
                "build": "Mixed",
                "behaviour": "Split up to both ends of the counter, two blocked the door",
            }
        ],
        [],
    ),
    (
        24,
        17,
        "suspicious_vehicle",
        "Motorbike with a covered number plate parked on the pavement opposite for "
        "forty minutes; the rider kept his helmet on and watched the shop.",
        "Motorbike with a covered plate opposite",
        "Pavement opposite",
        [],
        [{"make": "Yamaha", "model": "MT-07", "colour": "Matte black", "plate_state": "UK"}],
    ),
    (
        13,
        15,
        "casing",
        "Woman asked detailed questions about our opening hours on bank holidays and whether the "
        "shutters come down at lunch, while her companion photographed the ceiling cameras.",
        None,
        "Entrance and ceiling cameras",
        [
            {
                "clothing": "Red puffer jacket, white cap",
                "build": "Slim",
                "asked_about": "Bank holiday hours, lunchtime shutters",
            }
        ],
        [],
    ),
    (
        38,
        12,
        "suspicious_person",
        "Man asked to see the most expensive engagement ring, then asked the assistant "
        "whether she walks to the car park alone after closing.",
        "Asked an assistant whether she walks out alone",
        "Engagement ring counter",
        [
            {
                "clothing": "Black leather jacket, gold chain",
                "build": "Stocky",
                "height": "About 1.75 m",
                "asked_about": "Most expensive engagement ring; whether staff leave alone",
            }
        ],
        [],
    ),
    (
        7,
        14,
        "grab_and_run_attempt",
        "Teenager snatched a pair of earrings from the tester stand and ran; staff "
        "followed to the door. The earrings were found dropped on the pavement outside.",
        "Earrings snatched from the tester stand",
        "Tester stand by the door",
        [
            {
                "clothing": "Grey school-style blazer, hood up",
                "build": "Slight",
                "height": "About 1.65 m",
                "behaviour": "Ran towards the station",
            }
        ],
        [],
    ),
    (
        28,
        11,
        "suspicious_vehicle",
        "Green van with ladders on the roof parked outside both mornings the safe was "
        "being restocked; nobody got out to do any work.",
        "Van outside on both restocking mornings",
        "Outside the front",
        [],
        [{"make": "Citroen", "model": "Berlingo", "colour": "Green", "plate": "DY19 ZPB", "plate_state": "UK"}],
    ),
    (
        15,
        13,
        "distraction",
        "Man paid for a watch strap with a large pile of coins, dropping some behind the "
        "counter, while a woman asked to hold a diamond pendant. Pendant returned when the manager came over.",
        "Coins dropped behind the counter while a pendant was out",
        "Till",
        [
            {"clothing": "Yellow hi-vis jacket", "build": "Medium", "behaviour": "Dropped coins behind the counter"},
            {"clothing": "Black fur-trimmed hood", "build": "Slim", "asked_about": "A diamond pendant"},
        ],
        [],
    ),
    (
        4,
        12,
        "casing",
        "Man asked if the jeweller's bench at the back can be seen from the street and how long "
        "repairs stay in the shop overnight. Hand signals to someone waiting outside the window.",
        None,
        "Repairs counter",
        [
            {
                "clothing": "Dark green wax jacket, sunglasses",
                "build": "Medium",
                "height": "About 1.80 m",
                "asked_about": "Repairs kept overnight; view of the workbench from the street",
            }
        ],
        [],
    ),
    (
        36,
        16,
        "suspicious_person",
        "Man wandered the shop for ten minutes touching the edges of the showcases as if "
        "testing whether they were fixed to the floor. Left when asked if he needed help.",
        "Tested whether the showcases are fixed to the floor",
        "Showcases along the wall",
        [
            {
                "clothing": "Work boots, paint-stained trousers",
                "build": "Heavy",
                "height": "About 1.80 m",
                "behaviour": "Pushed the showcase edges",
            }
        ],
        [],
    ),
    (
        10,
        15,
        "suspicious_vehicle",
        "Silver people carrier dropped two men at the door and waited with its hazard "
        "lights on; both men looked in through the door and got back in without entering.",
        "Two men looked in and left in a waiting people carrier",
        "Front door",
        [],
        [{"make": "Ford", "model": "Galaxy", "colour": "Silver", "plate": "FE66 RKT", "plate_state": "UK"}],
    ),
]
SHAREABLE = [
    DemoIncident(days, hour, kind, narrative, title, where, people=people, vehicles=vehicles)
    for days, hour, kind, narrative, title, where, people, vehicles in _SHAREABLE_ROWS
]

# The same car at two or three stores of one region, in each witness's words: pattern detection finds them.
PATTERNS: dict[str, list[DemoIncident]] = {
    "Quayside Diamonds": [
        DemoIncident(
            9,
            11,
            "casing",
            "Man in a navy cap walked the shop floor looking up at each camera in turn, "
            "then asked what time the safe is opened in the morning. Left in a silver Astra parked on the "
            "double yellows.",
            where="Shop floor",
            people=[
                {
                    "clothing": "Navy baseball cap, grey zip hoodie",
                    "build": "Slim",
                    "height": "About 1.80 m",
                    "asked_about": "Safe opening time",
                }
            ],
            vehicles=[ASTRA],
        ),
    ],
    "Anchor & Co Jewellers": [
        DemoIncident(
            6,
            17,
            "casing",
            "Two men came in ten minutes before closing. One stayed on the phone the "
            "whole time while the other asked whether the shutters are on a timer. They drove off in a "
            "silver Vauxhall.",
            where="By the front door",
            people=[
                {
                    "clothing": "Grey hoodie, cap pulled low",
                    "build": "Slim",
                    "asked_about": "Whether the shutters are on a timer",
                }
            ],
            vehicles=[{**ASTRA, "plate": "KX17LMV"}],
        ),
    ],
    "Harbour Light Gold": [
        DemoIncident(
            2,
            15,
            "casing",
            "Man in sunglasses asked for the most expensive Rolex in stock, then how "
            "many staff work on Sundays. A silver Astra waited outside with the engine running.",
            where="Watch counter",
            people=[
                {
                    "clothing": "Sunglasses indoors, navy cap",
                    "build": "Slim",
                    "asked_about": "Most expensive Rolex; Sunday staffing",
                }
            ],
            vehicles=[ASTRA],
        ),
    ],
    "Market Square Jewellers": [
        DemoIncident(
            11,
            12,
            "casing",
            "Couple spent ten minutes at the window photographing the locks and the "
            "door frame, then came in and asked whether we have a back entrance for deliveries. Only part "
            "of the plate was readable as they drove off.",
            where="Window display, then front door",
            people=[
                {
                    "clothing": "Woman: red raincoat; man: black leather jacket",
                    "asked_about": "Back entrance, delivery times",
                }
            ],
            vehicles=[BMW],
        ),
    ],
    "Cathedral Gems": [
        DemoIncident(
            4,
            14,
            "casing",
            "Woman laid her coat on the showcase while asking to see the engagement "
            "ring tray; the man with her walked to the back and looked at the alarm panel. Dark grey BMW, "
            "partial plate only.",
            where="Engagement ring showcase",
            people=[{"clothing": "Red raincoat", "behaviour": "Laid her coat on the showcase"}],
            vehicles=[{**BMW, "plate": "partial: ??19 FK?"}],
        ),
    ],
}

# One distraction team reported by two stores of a region the same afternoon: merged by the moderator.
DUPLICATES: dict[str, list[DemoIncident]] = {
    "Millbrook Goldsmiths": [
        DemoIncident(
            3,
            14,
            "distraction",
            "Three women came in together; one asked for a ring to be resized "
            "while the other two kept moving trays around on the counter. Nothing missing.",
            "Three women kept moving trays around during a resizing request",
            "Ring counter",
            people=[{"clothing": "Three women in long dark coats", "behaviour": "Moved trays around"}],
        ),
    ],
    "Eastfield Diamond House": [
        DemoIncident(
            3,
            16,
            "distraction",
            "Group of three women: one asked about resizing, two shuffled the "
            "trays on the counter. We put the trays away and they left towards the river.",
            "Three women shuffled trays during a resizing question",
            "Front counter",
            people=[{"clothing": "Long dark coats, one with a red scarf", "behaviour": "Shuffled trays"}],
        ),
    ],
}


def incidents_for(store_name: str, index: int | None, store_count: int) -> list[DemoIncident]:
    """The demo incidents of the `index`-th demo store (of `store_count`): its routine logs, its own share of the
    shareable incidents (no other demo store gets them), and its part of a pattern or duplicate when it has one.
    Without an index (the bench's stores, tests) the store's name picks a slot, so stores still differ."""
    chooser = random.Random(store_name)
    routine = chooser.sample(ROUTINE, k=chooser.randint(5, len(ROUTINE)))
    slot = chooser.randrange(store_count) if index is None else index
    own = SHAREABLE[slot::store_count]
    return routine + own + PATTERNS.get(store_name, []) + DUPLICATES.get(store_name, [])


def seed_logbook(
    session: Session, *, store_name: str, now: datetime, index: int | None = None, store_count: int = 15
) -> None:
    """Add the store's demo incidents (`incidents_for`), times before `now`. Flushes, never commits."""
    chooser = random.Random(store_name)
    for item in incidents_for(store_name, index, store_count):
        occurred = (now - timedelta(days=item.days_ago)).replace(hour=item.hour, minute=chooser.randint(0, 59))
        occurred = min(occurred.replace(second=0, microsecond=0), now - timedelta(minutes=5))
        incident = save_incident(
            session,
            DescribedIncident(
                occurred_at=occurred,
                incident_type=item.kind,
                title=item.title or casing_title(item.narrative),
                narrative=item.narrative,
                location_note=item.where,
                staff_involved=item.staff,
                police_notified=bool(item.report) or item.is_casing,
                police_report_number=item.report,
                people=item.people,
                vehicles=item.vehicles,
            ),
            is_casing_report=item.is_casing,
        )
        if item.is_casing:
            incident.contacts_notified_at = occurred + timedelta(minutes=3)
    session.flush()
