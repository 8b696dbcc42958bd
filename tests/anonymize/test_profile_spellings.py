"""Recall of the spellings the outside test saw survive (issue #17 item 7), and the ordinary words they must not
take with them. The store's own profile terms are checked end to end in tests/bulletins/test_profile_scrub.py;
here, the identity and the patterns alone."""

from __future__ import annotations

import pytest

from anonymize import StoreIdentity
from anonymize.scrub import make_scrubber

BELLAMY = StoreIdentity(
    name="Bellamy & Sons Fine Jewellery",
    trade_names=("Kessler's",),
    street="Elm Street",
    street_number="1428",
    city="Springfield",
    postcode="SP1 2AB",
    address_lines=("Suite 4",),
    websites=("https://www.bellamys-gold.example/contact",),
)


def _scrub(text: str, identity: StoreIdentity = BELLAMY) -> str:
    scrubbed, _ = make_scrubber([identity], remove_plates=True).scrub(text, "narrative")
    return scrubbed


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("They asked if Bellamys opens late.", "Bellamys"),  # a possessive without its apostrophe
        ("Seen outside Kesslers at noon.", "Kesslers"),
        ("Regulars call us B&S.", "B&S"),  # initials around the ampersand
        ("He wanted to know if 1428 Elm has parking.", "1428 Elm"),  # number and street without its suffix
        ("Deliveries go to Suite 4 at the back.", "Suite 4"),
        ("Springfield police were called.", "Springfield"),
        ("Our site bellamys-gold.example lists the hours.", "bellamys-gold.example"),  # an unknown top-level domain
        ("Found us on www.bellamys-gold.example/contact today.", "bellamys-gold"),
    ],
)
def test_the_stores_own_spellings_are_removed(text, gone):
    assert gone not in _scrub(text)


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Ofc. Grady took the report.", "Grady"),  # a rank abbreviation it did not know
        ("Cst. Morrow came by.", "Morrow"),
        ("Supt. Halloran was told.", "Halloran"),
        ("They run kesslergold.example, a fake shop.", "kesslergold.example"),
        ("Unit 12B next door was empty.", "Unit 12B"),
    ],
)
def test_patterns_catch_what_no_store_record_names(text, gone):
    assert gone not in _scrub(text, StoreIdentity(name="Other Store"))


@pytest.mark.parametrize(
    "text",
    [
        "He left scratch marks on the glass.",  # "marks" is not "Mark's"
        "They asked about the Rolex ref. 116610LN and paid 1.5 times the price.",
        "Two men, e.g. the taller one, asked about the safe.",
        "Chief among their questions was when the staff go on lunch.",
        "The manager on shift locked the trays away.",
        "Mr.Smith was not a name we knew.",
    ],
)
def test_ordinary_text_is_left_as_it_is(text):
    assert _scrub(text, StoreIdentity(name="Other Store", staff_names=("Mark Evans",))) == text
