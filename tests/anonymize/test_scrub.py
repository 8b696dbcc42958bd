"""The identity scrub, one rule at a time: the store's own terms in their variants, then the patterns."""

from __future__ import annotations

import pytest

from anonymize import StoreIdentity
from anonymize.scrub import make_scrubber, phone_core

STORE = StoreIdentity(
    name="Quayside Jewellers",
    trade_names=("Smith & Sons Fine Jewellery", "Éclat Diamonds"),
    street="Harbour Street",
    street_number="12",
    postcode="QS1 4AB",
    city="Harbourton",
    phones=("+44 20 7946 0958",),
    emails=("info@quaysidejewellers.co.uk",),
    staff_names=("Sam O'Neill", "Ruby Brown", "Al Capone", "Lee Tran", "Mary-Jane van der Berg"),
    keyholder_names=("Morag McAllister",),
    officer_names=("PC Dana Hughes", "Det. Sgt. Raj Patel"),
    case_numbers=("CR/2024/11873",),
)


def scrub(text: str, *, identity: StoreIdentity = STORE, remove_plates: bool = False, **extra) -> str:
    return make_scrubber((identity,), remove_plates=remove_plates, **extra).scrub(text, "narrative")[0]


@pytest.mark.parametrize(
    "text, expected",
    [
        # case, punctuation, spacing, possessives
        ("Quayside Jewellers", "[store]"),
        ("QUAYSIDE JEWELLERS", "[store]"),
        ("quayside jewelers", "[store]"),
        ("Quay-side Jewelry", "[store]"),
        ("Quay side", "[store]"),
        ("Quayside's window", "[store] window"),
        ("Quayside’s window", "[store] window"),
        ("quayside jewellers' window", "[store] window"),
        ("the QUAYSIDE shop", "the [store] shop"),
        # "&" / "and", trade words, accents
        ("Smith and Sons", "[store]"),
        ("Smith & Sons Fine Jewellery", "[store]"),
        ("asked for Smith", "asked for [store]"),
        ("ECLAT diamonds", "[store]"),
        ("Éclat", "[store]"),
        ("eclat's", "[store]"),
        # address parts and abbreviations
        ("12 Harbour Street", "[address]"),
        ("12 Harbour St.", "[address]"),
        ("no. 12, harbour st", "no. [address]"),
        ("Harbour Street, QS1 4AB", "[address]"),
        ("qs14ab", "[address]"),
        ("HARBOURTON police", "[place] police"),
        # phones in any formatting, compared on digits
        ("020 7946 0958", "[phone]"),
        ("+44 (0)20-7946-0958", "[phone]"),
        ("02079460958", "[phone]"),
        ("0044 20 7946 0958", "[phone]"),
        ("call (020) 7946.0958 now", "call [phone] now"),
        # emails, including the obfuscated ones and the domain's name
        ("info@quaysidejewellers.co.uk", "[email]"),
        ("info [at] quaysidejewellers [dot] co [dot] uk", "[email]"),
        ("info at quaysidejewellers dot co dot uk", "[email]"),
        ("see quaysidejewellers on Facebook", "see [store] on Facebook"),
        # people: full, partial, initials, hyphens, titles, compound surnames
        ("Sam O'Neill", "[name]"),
        ("ONeill", "[name]"),
        ("O Neill said", "[name] said"),
        ("S. O'Neill", "[name]"),
        ("sam's till", "[name] till"),
        ("told SAM", "told [name]"),
        ("Capone said", "[name] said"),
        ("Al said", "Al said"),  # a first name shorter than three letters is not scrubbed alone
        ("Mary-Jane", "[name]"),
        ("Jane saw it", "[name] saw it"),
        ("Van der Berg", "[name]"),
        ("Mrs Berg", "Mrs [name]"),
        ("Dana Hughes", "[name]"),
        ("hughes", "[name]"),
        ("Raj", "[name]"),
        ("the PC was slow", "the PC was slow"),  # titles in the records are not names
        ("McAllister's keys", "[name] keys"),
        ("mcallister", "[name]"),
        ("crime ref CR/2024/11873", "[case no.]"),
        ("CR-2024-11873", "[case no.]"),
    ],
)
def test_identity_terms_in_their_variants(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a ruby ring and a brown leather jacket",  # one-word names that are ordinary words survive in lower case
        "sleeve tattoo, tranquil manner",  # names never match inside other words
        "asked about Samsung phones",
        "gold and diamonds",  # trade words alone are not the store
        "the harbour was busy",  # the street's name alone is not scrubbed
        "Rolex Submariner ref 116610LN",  # a watch reference is not a case number
        "about 6ft, 5'10\", 180 cm, 2024-03-05",
        "silver VW Golf X5 4WD, plate AB12 CDE",
    ],
)
def test_what_other_stores_need_survives(text):
    assert scrub(text) == text


def test_a_single_name_on_record_follows_the_first_name_rules():
    identity = StoreIdentity(name="Unrelated Name", staff_names=["Ruby", "Kofi", "Jo"])
    assert scrub("Ruby sold a ruby ring; kofi and Jo helped, jo too", identity=identity) == (
        "[name] sold a ruby ring; [name] and [name] helped, jo too"
    )


def test_identities_built_from_lists_work_and_are_cached():
    identity = StoreIdentity(name="Quayside", phones=["020 7946 0958"], staff_names=["Sam O'Neill"])
    assert identity.phones == ("020 7946 0958",) and hash(identity)
    assert scrub("Sam rang 020 7946 0958", identity=identity) == "[name] rang [phone]"


def test_ordinary_word_names_are_scrubbed_when_written_as_names():
    assert scrub("Ruby said Brown was out") == "[name] said [name] was out"
    assert scrub("ruby brown was on the till") == "[name] was on the till"  # the full name, in any case


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ring 07700 900461 or +1 (415) 555-0100", "ring [phone] or [phone]"),
        ("write to crew@example.org", "write to [email]"),
        ("see https://example.com/page?x=1.", "see [link]."),
        ("see www.example.org, then", "see [link], then"),
        ("their site shiny-things.com.", "their site [link]."),
        ("follows @crew_handle on Instagram", "follows [link] on Instagram"),
        ("ran down 14 Station Road.", "ran down [address]."),
        ("toward Station Rd. Then", "toward [address] Then"),
        ("crime ref 4471/24", "[case no.]"),
        ("case no. 12345", "[case no.]"),
        ("badge 3321", "[case no.]"),
        ("Event no. E24-55612", "[case no.]"),
        ("at 14:32 and 3pm and 10 a.m. and 5:30 pm.", "at [time] and [time] and [time] and [time]."),
        ("at 51.50721, -0.12758", "at [location]"),
        ("w3w ///index.home.raft", "w3w [location]"),
        ("DC Jane Smith rang", "DC [name] rang"),
        ("Detective Constable Jo Bloggs came", "Detective Constable [name] came"),
        ("officer Hale said", "officer [name] said"),
        ("(07700 900461)", "([phone])"),
    ],
)
def test_patterns(text, expected):
    assert scrub(text, identity=StoreIdentity(name="Unrelated Name")) == expected


def test_dates_and_small_numbers_are_not_phone_numbers():
    text = "on 2024-03-05 14:30, 3 men, 2 000 pounds, call 101 or 999"
    assert (
        scrub(text, identity=StoreIdentity(name="Unrelated Name"))
        == "on 2024-03-05 [time], 3 men, 2 000 pounds, call 101 or 999"
    )


def test_plates_are_removed_only_when_asked():
    text = "silver Golf, plate AB12 CDE, later seen as ab12cde; reg: KX19PLM"
    assert scrub(text, plates=["AB12 CDE"]) == text
    assert (
        scrub(text, remove_plates=True, plates=["AB12 CDE"])
        == "silver Golf, plate [plate], later seen as [plate]; reg: [plate]"
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a Golf AB12 CDE and a Camry 8ABC123", "a Golf [plate] and a Camry [plate]"),
        ("rego XYZ-987, then 1AB-2CD", "rego [plate], then [plate]"),
        ("a BMW 320 and a Mazda CX-5; Rolex 116610LN", "a BMW 320 and a Mazda CX-5; Rolex 116610LN"),
    ],
)
def test_bare_plates_are_removed_below_amber(text, expected):
    assert scrub(text, remove_plates=True) == expected
    assert scrub(text) == text


def test_small_place_names_are_scrubbed():
    assert scrub("seen in Old Town and old-town", place_names=["Old Town"]) == "seen in [place] and [place]"


def test_phone_core_ignores_prefixes():
    assert phone_core("+44 (0)20 7946 0958") == phone_core("020-7946-0958") == "79460958"
    assert phone_core("4477") == "4477"


def test_redactions_locate_their_markers_and_quote_the_original():
    text = "Sam O'Neill's note: Quayside Jewellers, 12 Harbour St."
    out, redactions = make_scrubber((STORE,), remove_plates=False).scrub(text, "narrative")
    assert out == "[name] note: [store], [address]"
    assert [(r.kind, r.original_span, r.replacement) for r in redactions] == [
        ("name", "Sam O'Neill's", "[name]"),
        ("store", "Quayside Jewellers", "[store]"),
        ("address", "12 Harbour St.", "[address]"),
    ]
    for redaction in redactions:
        assert out[redaction.start : redaction.end] == redaction.replacement
        assert redaction.original_span in text
        assert redaction.field == "narrative"


def test_several_stores_at_once():
    other = StoreIdentity(name="Wattle & Bloom Jewellery", staff_names=("Declan Hayes",))
    scrubber = make_scrubber((STORE, other), remove_plates=False)
    assert scrubber.scrub("Quayside and Wattle & Bloom; Declan and Sam", "text")[0] == (
        "[store] and [store]; [name] and [name]"
    )


def test_empty_and_blank_texts_pass_through():
    scrubber = make_scrubber((STORE,), remove_plates=True)
    assert scrubber.scrub("", "x") == ("", [])
    assert scrubber.scrub("   ", "x") == ("   ", [])
