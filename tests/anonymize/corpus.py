"""A corpus of test incidents that name their own store in many spellings.

Three stores (UK, US, Australia) and 27 incidents. Every incident mentions some of its own store's name, trade
name, street, postcode, city, phone numbers, emails, staff, keyholder and police officer names, spelled the way
people really type them (case, punctuation, possessives, abbreviations, accents dropped, spacing, "&"/"and").
`forbidden` lists what must not survive anywhere in a draft; `must_survive` lists suspect and vehicle details that
must. Used by tests/anonymize/test_corpus.py and bench/anonymizer.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from anonymize import IncidentFacts, PersonDescription, PlaceContext, StoreIdentity, VehicleDescription


@dataclass(frozen=True)
class CorpusStore:
    identity: StoreIdentity
    place: PlaceContext
    forbidden: tuple[str, ...]


@dataclass(frozen=True)
class CorpusIncident:
    key: str
    store: CorpusStore
    facts: IncidentFacts
    must_survive: tuple[str, ...]

    @property
    def plates(self) -> tuple[str, ...]:
        return tuple(vehicle.plate for vehicle in self.facts.vehicles if vehicle.plate)


P = PersonDescription
V = VehicleDescription

QUAYSIDE = CorpusStore(
    identity=StoreIdentity(
        name="Quayside Jewellers",
        trade_names=("Quayside Gold & Diamonds",),
        street="Harbour Street",
        street_number="12",
        postcode="QS1 4AB",
        city="Harbourton",
        phones=("+44 20 7946 0958", "01632 960123"),
        emails=("info@quaysidejewellers.co.uk",),
        staff_names=("Sam O'Neill", "Priya Raman"),
        keyholder_names=("Morag McAllister",),
        officer_names=("PC Dana Hughes",),
        case_numbers=("CR/2024/11873",),
    ),
    place=PlaceContext("North Coast", "Harbourside", 3, timezone="Europe/London"),
    forbidden=(
        "Quayside Jewellers", "Quayside", "Quayside Gold & Diamonds", "12 Harbour Street", "Harbour Street",
        "Harbour St", "QS1 4AB", "Harbourton", "Harbourside", "Sam O'Neill", "O'Neill", "Sam", "Priya Raman",
        "Priya", "Raman", "Morag McAllister", "Morag", "McAllister", "Dana Hughes", "Dana", "Hughes",
        "quaysidejewellers", "info@quaysidejewellers.co.uk", "CR/2024/11873", "7946 0958", "960123",
    ),
)  # fmt: skip

LINDQVIST = CorpusStore(
    identity=StoreIdentity(
        name="Lindqvist & Söhne Jewelers",
        trade_names=("Lindqvist Fine Jewelry",),
        street="Market Street",
        street_number="1450",
        postcode="94103",
        city="San Francisco",
        phones=("(415) 555-0134", "415.555.0199"),
        emails=("orders@lindqvistjewelers.com",),
        staff_names=("José Núñez", "Anneliese Krüger"),
        keyholder_names=("Tobias Lindqvist",),
        officer_names=("Officer Marcus Delacroix-Byrne", "Sgt. Wanda Okafor"),
        case_numbers=("SFPD-24-018833",),
    ),
    place=PlaceContext("Bay Area", "SoMa", 7, timezone="America/Los_Angeles"),
    forbidden=(
        "Lindqvist", "Lindqvist & Söhne", "Lindqvist Fine Jewelry", "1450 Market", "Market Street", "Market St",
        "94103", "San Francisco", "José Núñez", "José", "Núñez", "Anneliese Krüger", "Anneliese", "Krüger",
        "Tobias", "Marcus", "Delacroix-Byrne", "Delacroix", "Byrne", "Wanda", "Okafor", "lindqvistjewelers",
        "SFPD-24-018833", "555-0134", "555-0199",
    ),
)  # fmt: skip

WATTLE = CorpusStore(
    identity=StoreIdentity(
        name="Wattle & Bloom Jewellery",
        trade_names=("W&B Fine Jewels",),
        street="Chapel Street",
        street_number="88",
        postcode="3141",
        city="South Yarra",
        phones=("03 9123 4567", "+61 412 345 678"),
        emails=("hello@wattleandbloom.com.au",),
        staff_names=("Mei-Ling Tran", "Declan Fitzgerald-Hayes"),
        keyholder_names=("Ngaire Te Rangi",),
        officer_names=("Senior Constable Bronwyn Achterberg",),
        case_numbers=("E24-5561290",),
    ),
    place=PlaceContext("Inner Melbourne", "Stonnington", 2, timezone="Australia/Melbourne"),
    forbidden=(
        "Wattle & Bloom", "Wattle and Bloom", "wattleandbloom", "W&B", "88 Chapel Street", "Chapel Street",
        "Chapel St", "3141", "South Yarra", "Stonnington", "Mei-Ling Tran", "Mei-Ling", "Tran", "Declan",
        "Fitzgerald-Hayes", "Fitzgerald", "Hayes", "Ngaire", "Te Rangi", "Rangi", "Bronwyn", "Achterberg",
        "E24-5561290", "9123 4567", "412 345 678",
    ),
)  # fmt: skip


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _incident(key, store, incident_type, title, narrative, when, must_survive, *, location="", people=(), vehicles=()):
    facts = IncidentFacts(
        incident_type=incident_type,
        title=title,
        narrative=narrative,
        occurred_at=when,
        location_note=location,
        people=tuple(people),
        vehicles=tuple(vehicles),
    )
    return CorpusIncident(key, store, facts, tuple(must_survive))


INCIDENTS: list[CorpusIncident] = [
    # --- Quayside Jewellers (UK) ----------------------------------------------------------------------------
    _incident(
        "Q1", QUAYSIDE, "casing", "Two men casing Quayside's front window",
        "Two men stood outside QUAYSIDE JEWELLERS on Harbour St for twenty minutes, photographing the window. "
        "Sam O'Neill saw them from the counter and told Priya. They left in a silver VW Golf, plate AB12 CDE.",
        _at(2024, 3, 5, 14, 32),
        ["grey North Face puffer jacket", "red beanie", "photographing the window display", "VW", "Golf"],
        location="Pavement in front of quayside jewellers",
        people=[
            P(clothing="grey North Face puffer jacket, black Nike trainers", build="stocky",
              behaviour="photographing the window display"),
            P(clothing="red beanie, navy tracksuit", height="about 6ft"),
        ],
        vehicles=[V("VW", "Golf", "silver", "AB12 CDE", "UK")],
    ),
    _incident(
        "Q2", QUAYSIDE, "distraction", "Distraction at the counter",
        "At about 3pm a woman asked ONeill to show her three diamond solitaires while a man asked Priya Raman about "
        "the Rolex Submariner ref 126610LN. When Sam looked back a ring was missing. Quayside Gold and Diamonds' "
        "second line (01632 960123) rang at the same time. PC Dana Hughes took crime ref CR/2024/11873.",
        _at(2024, 3, 12, 15, 5),
        ["Rolex Submariner ref 126610LN", "long beige trench coat", "green quilted Barbour jacket"],
        people=[
            P(clothing="long beige trench coat", behaviour="kept asking to see more trays",
              asked_about="diamond solitaires"),
            P(clothing="green quilted Barbour jacket", asked_about="Rolex Submariner ref 126610LN"),
        ],
    ),
    _incident(
        "Q3", QUAYSIDE, "phone_email_scam", "Caller asking for the keyholder",
        "Caller claiming to be from the bank rang 020 7946 0958 (our shop line) asking for Morag McAllister by name "
        "and for the alarm code. A call back on +44 (0)20-7946-0958 was refused. He knew mcallister's first name.",
        _at(2024, 3, 14, 9, 40),
        ["fraud team", "the alarm code and who holds the keys"],
        people=[
            P(behaviour="claimed to be from the bank's fraud team, very insistent",
              asked_about="the alarm code and who holds the keys"),
        ],
    ),
    _incident(
        "Q4", QUAYSIDE, "suspicious_vehicle", "Audi parked opposite for days",
        "A black Audi A4 estate, registration KX19 PLM, parked opposite quayside jewellers' for two hours on three "
        "days running. MORAG noticed it when locking up. Reported to PC Hughes (dana.hughes@police.example.org).",
        _at(2024, 3, 18, 17, 50),
        ["Audi", "A4", "black"],
        vehicles=[V("Audi", "A4 estate", "black", "KX19 PLM", "UK")],
    ),
    _incident(
        "Q5", QUAYSIDE, "grab_and_run_attempt", "Grab attempt at the Harbour Street counter",
        "Man grabbed for the tray at the harbour street counter (No. 12) but Priya pulled it back. Staff on duty: "
        "P. Raman, S. O'Neill. Call the shop on 01632-960-123 or email info@quaysidejewellers.co.uk for CCTV.",
        _at(2024, 3, 20, 11, 15),
        ["black balaclava", "5ft 8", "ran towards the bus station"],
        people=[
            P(clothing="black balaclava, grey hoodie with white logo", build="thin", height="5ft 8",
              behaviour="ran towards the bus station"),
        ],
    ),
    _incident(
        "Q6", QUAYSIDE, "follow_home", "Keyholder followed after closing",
        "Morag (keyholder) was followed from Quayside to her car park in Harbourside by a man on a moped. "
        "Her route: Harbour St, then Station Rd.",
        _at(2024, 3, 22, 18, 20),
        ["white helmet", "Honda", "PCX"],
        people=[P(clothing="white helmet, dark jacket", behaviour="followed at a distance on a moped")],
        vehicles=[V("Honda", "PCX moped", "white")],
    ),
    _incident(
        "Q7", QUAYSIDE, "suspicious_person", "Questions about the safe",
        "Man asked for 'the owner, Mr O Neill' and whether Quay side Jewellers has a safe with a time lock. He said "
        "he found us on quaysidejewellers.co.uk/contact. Postcode QS14AB was written on his notepad. HARBOURTON "
        "police informed.",
        _at(2024, 3, 25, 10, 0),
        ["blue Adidas tracksuit", "safe and time lock", "wrote notes"],
        people=[P(clothing="blue Adidas tracksuit", asked_about="safe and time lock", behaviour="wrote notes")],
    ),
    _incident(
        "Q8", QUAYSIDE, "casing", "Same group, third visit",
        "Third visit this week to the QUAYSIDE shop; PRIYA RAMAN thinks it is the same group. Sam's notes are in "
        "the back office at 12 harbour st, QS1 4AB.",
        _at(2024, 3, 28, 13, 30),
        ["camouflage cap", "gold chains"],
        people=[
            P(clothing="camouflage cap", build="heavy build", asked_about="gold chains"),
            P(height="short"),
        ],
    ),
    _incident(
        "Q9", QUAYSIDE, "other", "Note from PC D. Hughes",
        "PC D. Hughes warned stores in Harbourton about a van: white Ford Transit with ladder rack, plate YT68 WQS. "
        "Ring Sam on 07700 900461 with sightings.",
        _at(2024, 4, 2, 8, 45),
        ["Ford", "Transit", "ladder rack"],
        vehicles=[V("Ford", "Transit", "white", "YT68 WQS", "UK")],
    ),
    # --- Lindqvist & Söhne Jewelers (US) --------------------------------------------------------------------
    _incident(
        "L1", LINDQVIST, "casing", "Couple asking about the back door",
        "Couple spent 40 min at the Lindqvist & Sohne counter on Market St asking Jose Nunez about the back door "
        "and when the store closes. Tobias Lindqvist (owner) wasn't in.",
        _at(2024, 5, 6, 21, 10),
        ["white Air Jordans", "ceiling cameras", "large sunglasses"],
        people=[
            P(clothing="black leather jacket, white Air Jordans", behaviour="kept looking at the ceiling cameras",
              asked_about="back door and closing time"),
            P(clothing="red dress, large sunglasses", build="slim"),
        ],
    ),
    _incident(
        "L2", LINDQVIST, "grab_and_run_attempt", "Smash and grab attempt",
        "At 11:45 am a man in a Raiders cap smashed the case near the LINDQVIST FINE JEWELRY sign at 1450 Market "
        "Street, San Francisco, CA 94103 and ran toward the BART. Anneliese Kruger hit the panic button. Officer "
        "Delacroix-Byrne responded, report #SFPD-24-018833.",
        _at(2024, 5, 8, 18, 45),
        ["black Raiders cap", "used a hammer", "BART"],
        people=[P(clothing="black Raiders cap, grey sweatpants", height="5'10\"", behaviour="used a hammer")],
    ),
    _incident(
        "L3", LINDQVIST, "phone_email_scam", "Fake insurer call",
        "Caller said he was from Lindqvist Jewelers' insurer and asked for Anneliese. Our number (415) 555-0134 was "
        "spoofed on caller ID. He also emailed from orders-lindqvistjewelers@mail.example.com.",
        _at(2024, 5, 10, 16, 0),
        ["spoofed our caller ID", "alarm company name and insurance details"],
        people=[P(behaviour="spoofed our caller ID", asked_about="alarm company name and insurance details")],
    ),
    _incident(
        "L4", LINDQVIST, "suspicious_vehicle", "Camry circling the block",
        "Grey Toyota Camry, California plate 8ABC123, circled the block on market street four times. Wanda Okafor "
        "of SFPD says it matches a crew from Oakland.",
        _at(2024, 5, 13, 23, 30),
        ["Toyota", "Camry", "crew from Oakland"],
        vehicles=[V("Toyota", "Camry", "grey", "8ABC123", "California")],
    ),
    _incident(
        "L5", LINDQVIST, "distraction", "Fainting distraction",
        "Two women: one fainted by the front display while the other reached over. JOSÉ NÚÑEZ and Krüger were on "
        "shift; Tobias called 415-555-0199 for help.",
        _at(2024, 5, 15, 20, 0),
        ["matching pink tracksuits", "tennis bracelets"],
        people=[
            P(clothing="matching pink tracksuits", behaviour="one pretended to faint"),
            P(clothing="pink tracksuit", asked_about="tennis bracelets"),
        ],
    ),
    _incident(
        "L6", LINDQVIST, "follow_home", "Owner followed home",
        "Tobias was followed from the 1450 Market lot to his home. Car: dark blue Honda Accord, no front plate.",
        _at(2024, 5, 17, 3, 15),
        ["Honda", "Accord", "dark blue", "hooded sweatshirt"],
        people=[P(clothing="hooded sweatshirt", behaviour="followed for 3 miles")],
        vehicles=[V("Honda", "Accord", "dark blue")],
    ),
    _incident(
        "L7", LINDQVIST, "suspicious_person", "Man name-dropping our officer",
        "Man asked for 'Marcus' from SFPD by first name and said he knew Officer Delacroix. Our email "
        "orders@lindqvistjewelers.com and www.lindqvistjewelers.com were printed on a card he had.",
        _at(2024, 5, 20, 19, 0),
        ["Cartier Love bracelets", "navy peacoat", "took photos of the door lock"],
        people=[
            P(clothing="navy peacoat", asked_about="Cartier Love bracelets", behaviour="took photos of the door lock")
        ],
    ),
    _incident(
        "L8", LINDQVIST, "casing", "Tesla outside three days in a row",
        "Same white Tesla Model 3 (plate 7XYZ890) seen outside Lindqvist's three days in a row; josé wrote it down. "
        "Sgt. Okafor has it.",
        _at(2024, 5, 22, 22, 0),
        ["Tesla", "Model 3", "white"],
        vehicles=[V("Tesla", "Model 3", "white", "7XYZ890", "California")],
    ),
    _incident(
        "L9", LINDQVIST, "other", "Fake courier at the side door",
        "Anneliese Krüger's note: a man posing as a courier asked for 'Ms Kruger' at the side door on Market "
        "Street and asked when lindqvist fine jewellery takes deliveries.",
        _at(2024, 5, 24, 17, 30),
        ["FedEx-style uniform without a badge", "posed as a courier"],
        people=[P(clothing="FedEx-style uniform without a badge", behaviour="posed as a courier", height="tall")],
    ),
    # --- Wattle & Bloom Jewellery (AU) ----------------------------------------------------------------------
    _incident(
        "W1", WATTLE, "casing", "Filming the shopfront",
        "Two men loitered outside Wattle and Bloom on chapel st, filming the front with a GoPro. mei-ling tran "
        "spotted them; Declan took the rego: 1ABC-234.",
        _at(2024, 7, 1, 4, 0),
        ["high-vis orange vest", "GoPro", "Holden", "Commodore", "maroon"],
        people=[
            P(clothing="high-vis orange vest", behaviour="filming the shopfront with a GoPro"),
            P(clothing="black cap, cargo shorts", build="muscular"),
        ],
        vehicles=[V("Holden", "Commodore", "maroon", "1ABC234", "VIC")],
    ),
    _incident(
        "W2", WATTLE, "distraction", "Pair working the counter",
        "Customer asked Ngaire Te Rangi for the W&B Fine Jewels catalogue while her partner asked about Argyle "
        "pink diamonds. Call 03 9123 4567 for the CCTV.",
        _at(2024, 7, 3, 2, 30),
        ["Argyle pink diamonds", "white linen suit"],
        people=[
            P(clothing="white linen suit", asked_about="Argyle pink diamonds",
              behaviour="kept the staff busy at the far counter"),
        ],
    ),
    _incident(
        "W3", WATTLE, "phone_email_scam", "Fake police email",
        "Email from someone pretending to be Senior Constable Achterberg (bronwyn.achterberg@police.example.org) "
        "asking Declan Fitzgerald Hayes to transfer a 'bond'. The real Bronwyn knew nothing. Event no. E24-5561290.",
        _at(2024, 7, 5, 1, 0),
        ["transfer a 'bond'"],
    ),
    _incident(
        "W4", WATTLE, "suspicious_vehicle", "Mazda in the loading zone",
        "Silver Mazda CX-5, rego XYZ-987, parked in the loading zone behind 88 Chapel St; fitzgerald-hayes "
        "photographed it.",
        _at(2024, 7, 8, 6, 0),
        ["Mazda", "CX-5", "loading zone"],
        vehicles=[V("Mazda", "CX-5", "silver", "XYZ987", "VIC")],
    ),
    _incident(
        "W5", WATTLE, "grab_and_run_attempt", "Tray snatched",
        "Man snatched a tray of sapphire rings at Wattle & Bloom Jewellery, South Yarra VIC 3141 and fled on foot "
        "down Chapel Street toward Toorak Road.",
        _at(2024, 7, 10, 3, 45),
        ["sapphire rings", "blue surgical mask", "around 180 cm"],
        people=[
            P(clothing="grey hoodie, blue surgical mask", height="around 180 cm",
              behaviour="asked to hold the tray then ran"),
        ],
    ),
    _incident(
        "W6", WATTLE, "follow_home", "Keyholder followed",
        "Ngaire was followed after closing by a white Kia Cerato; it parked near her house.",
        _at(2024, 7, 12, 8, 30),
        ["Kia", "Cerato", "baseball cap"],
        people=[P(clothing="baseball cap", behaviour="followed her for 4 km")],
        vehicles=[V("Kia", "Cerato", "white")],
    ),
    _incident(
        "W7", WATTLE, "suspicious_person", "Asking about closing time",
        "A man asked for 'Mei Ling' by name and whether WATTLE+BLOOM still closes at 5:30 pm. He follows "
        "@wattleandbloom on Instagram.",
        _at(2024, 7, 15, 5, 0),
        ["green bomber jacket", "door hinges", "closing time"],
        people=[
            P(clothing="green bomber jacket", asked_about="closing time", behaviour="checked the door hinges"),
        ],
    ),
    _incident(
        "W8", WATTLE, "casing", "The Commodore again",
        "Declan saw the same maroon Commodore again. Sen. Const. Achterberg advised us to call 000 if it returns.",
        _at(2024, 7, 17, 7, 0),
        ["Commodore", "high-vis orange vest", "tall and thin"],
        people=[P(clothing="high-vis orange vest"), P(build="tall and thin")],
        vehicles=[V("Holden", "Commodore", "maroon", "1ABC234", "VIC")],
    ),
    _incident(
        "W9", WATTLE, "other", "CCTV review",
        "Staff at Wattle & Bloom (Mei-Ling, Declan, Ngaire) reviewed CCTV of the man in the yellow raincoat. Call "
        "+61 412 345 678 or 0412 345 678.",
        _at(2024, 7, 19, 0, 30),
        ["reviewed CCTV", "yellow raincoat"],
        location="WATTLE & BLOOM back office",
    ),
]  # fmt: skip
