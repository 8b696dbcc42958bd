"""Drafts from incidents and police notes: source anonymity, TLP rules, plates, photos, people, place and time."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from PIL import Image

from anonymize import (
    TLP,
    IncidentFacts,
    NotPublishable,
    PersonDescription,
    PlaceContext,
    StoreIdentity,
    VehicleDescription,
    anonymize_incident,
    anonymize_police_note,
    coarsen_place,
    coarsen_time,
    ensure_feed_publishable,
    iso_week,
    part_of_day,
    reencode_photo,
)

STORE = StoreIdentity(
    name="Quayside Jewellers",
    street="Harbour Street",
    street_number="12",
    phones=("020 7946 0958",),
    staff_names=("Sam O'Neill",),
    officer_names=("PC Dana Hughes",),
)
PLACE = PlaceContext("North Coast", "Harbourside", 6, timezone="Europe/London")
WHEN = datetime(2024, 3, 5, 14, 32, tzinfo=UTC)
GOLF = VehicleDescription("VW", "Golf", "silver", "AB12 CDE", "UK")


def facts(**changes) -> IncidentFacts:
    base = IncidentFacts(
        incident_type="casing",
        title="Man casing Quayside",
        narrative="Sam saw a man in a grey hoodie photograph the window, then leave in a silver VW Golf AB12 CDE.",
        occurred_at=WHEN,
        location_note="outside 12 Harbour St",
        people=(PersonDescription(clothing="grey hoodie", behaviour="photographed the window"),),
        vehicles=(GOLF,),
    )
    return dataclasses.replace(base, **changes)


def test_a_draft_has_no_store_field_and_its_payload_no_store_words():
    draft = anonymize_incident(facts(), STORE, PLACE)
    field_names = {f.name for f in dataclasses.fields(draft)}
    assert not {name for name in field_names if "store" in name or name in {"id", "source", "author"}}
    payload = draft.shared_payload()
    assert set(payload) == {
        "tlp", "incident_type", "title", "narrative", "location_note", "region", "area", "day", "part_of_day",
        "iso_week", "people", "vehicles", "photos_allowed", "red_flags",
    }  # fmt: skip
    assert "Quayside" not in repr(payload) and "Sam" not in repr(payload) and "Harbour S" not in repr(payload)
    assert payload["area"] == "Harbourside"  # the area is named: it holds at least k member stores
    assert draft.title == "Man casing [store]"
    assert draft.location_note == "outside [address]"


def test_redaction_originals_stay_out_of_the_shared_payload():
    draft = anonymize_incident(facts(), STORE, PLACE)
    assert {r.original_span for r in draft.redactions} >= {"Quayside", "Sam", "12 Harbour St"}
    assert "redactions" not in draft.shared_payload()


@pytest.mark.parametrize("tlp", [TLP.AMBER_STRICT, TLP.AMBER, TLP.GREEN])
def test_feed_labels_are_publishable(tlp):
    draft = anonymize_incident(facts(), STORE, PLACE, tlp=tlp)
    assert draft.feed_publishable
    ensure_feed_publishable(draft)


@pytest.mark.parametrize("tlp, code", [(TLP.RED, "tlp_red"), (TLP.CLEAR, "tlp_clear")])
def test_red_and_clear_drafts_never_reach_the_feed(tlp, code):
    draft = anonymize_incident(facts(), STORE, PLACE, tlp=tlp)
    assert not draft.feed_publishable
    assert code in [w.code for w in draft.warnings]
    with pytest.raises(NotPublishable):
        ensure_feed_publishable(draft)


def test_tlp_labels_and_parsing():
    assert TLP.AMBER_STRICT.label == "TLP:AMBER+STRICT"
    assert TLP.parse("amber+strict") is TLP.parse("TLP:AMBER_STRICT") is TLP.AMBER_STRICT
    assert TLP.parse(" green ") is TLP.GREEN
    with pytest.raises(ValueError):
        TLP.parse("WHITE")
    assert anonymize_incident(facts(), STORE, PLACE).tlp is TLP.AMBER  # the default


@pytest.mark.parametrize("tlp", [TLP.RED, TLP.AMBER_STRICT, TLP.AMBER])
def test_plates_stay_at_amber_or_stricter(tlp):
    draft = anonymize_incident(facts(), STORE, PLACE, tlp=tlp)
    assert draft.vehicles[0].plate == "AB12 CDE"
    assert "AB12 CDE" in draft.narrative
    assert "plates_removed" not in [w.code for w in draft.warnings]


@pytest.mark.parametrize("tlp", [TLP.GREEN, TLP.CLEAR])
def test_plates_are_removed_below_amber(tlp):
    draft = anonymize_incident(facts(), STORE, PLACE, tlp=tlp)
    vehicle = draft.vehicles[0]
    assert (vehicle.make, vehicle.model, vehicle.colour, vehicle.plate, vehicle.plate_state) == (
        "VW", "Golf", "silver", "", "UK",
    )  # fmt: skip
    assert "AB12" not in draft.narrative and "[plate]" in draft.narrative
    assert "plates_removed" in [w.code for w in draft.warnings]
    assert ("plate", "AB12 CDE", "vehicles[0].plate") in [(r.kind, r.original_span, r.field) for r in draft.redactions]


@pytest.mark.parametrize(
    "tlp, share, allowed, code",
    [
        (TLP.AMBER, True, True, "photos_check"),
        (TLP.AMBER_STRICT, True, True, "photos_check"),
        (TLP.GREEN, True, False, "photos_not_shared"),
        (TLP.CLEAR, True, False, "photos_not_shared"),
        (TLP.AMBER, False, False, None),
    ],
)
def test_photos_only_when_ticked_and_at_amber_or_stricter(tlp, share, allowed, code):
    draft = anonymize_incident(facts(), STORE, PLACE, tlp=tlp, share_photos=share)
    assert draft.photos_allowed is allowed
    codes = [w.code for w in draft.warnings]
    assert (code in codes) if code else not {"photos_check", "photos_not_shared"} & set(codes)


@pytest.mark.parametrize(
    "person, vehicles, kept",
    [
        (PersonDescription(clothing="grey hoodie", build="slim"), (), True),
        (PersonDescription(height="tall", asked_about="Rolex watches"), (), True),
        (PersonDescription(clothing="grey hoodie"), (), False),
        (PersonDescription(clothing="grey hoodie"), (GOLF,), True),  # a described vehicle is a descriptor
        (PersonDescription(clothing="grey hoodie"), (VehicleDescription(plate_state="UK"),), False),
        (PersonDescription(clothing="grey hoodie", other_details="about 30"), (), False),  # not a descriptor
        (PersonDescription(clothing="grey hoodie", build="n/a", height="unknown"), (), False),
        (PersonDescription(clothing="grey hoodie", behaviour="spoke to Sam"), (), True),
        (PersonDescription(clothing="grey hoodie", behaviour="Sam O'Neill"), (), False),  # only a marker left
        (PersonDescription(), (GOLF,), False),
    ],
)
def test_person_descriptions_need_two_nondemographic_descriptors(person, vehicles, kept):
    draft = anonymize_incident(facts(people=(person,), vehicles=vehicles), STORE, PLACE)
    assert len(draft.people) == (1 if kept else 0)
    assert ("person_dropped" in [w.code for w in draft.warnings]) is (not kept)


def test_redactions_follow_a_person_who_moved_up_after_a_drop():
    people = (
        PersonDescription(clothing="red cap"),
        PersonDescription(clothing="blue coat", behaviour="asked Sam about the safe"),
    )
    draft = anonymize_incident(facts(people=people, vehicles=()), STORE, PLACE)
    assert [p.clothing for p in draft.people] == ["blue coat"]
    assert draft.warnings[0].message.startswith("Person 1 is left out")
    (redaction,) = [r for r in draft.redactions if r.field.startswith("people")]
    assert redaction.field == "people[0].behaviour"
    segments = draft.segments("people[0].behaviour")
    assert [s.text for s in segments] == ["asked ", "[name]", " about the safe"]
    assert segments[1].redaction is redaction


def test_segments_rebuild_each_field():
    draft = anonymize_incident(facts(), STORE, PLACE)
    expected = {
        "title": draft.title,
        "narrative": draft.narrative,
        "location_note": draft.location_note,
        "people[0].clothing": draft.people[0].clothing,
        "vehicles[0].plate": draft.vehicles[0].plate,
    }
    for name, value in expected.items():
        assert "".join(s.text for s in draft.segments(name)) == value
    marked = [s for s in draft.segments("title") if s.redaction]
    assert [(s.text, s.redaction.original_span) for s in marked] == [("[store]", "Quayside")]


@pytest.mark.parametrize("count, k, area", [(6, 5, "Harbourside"), (5, 5, "Harbourside"), (4, 5, None), (6, 8, None)])
def test_the_area_is_named_only_with_k_member_stores(count, k, area):
    place = PlaceContext("North Coast", "Harbourside", count, k=k)
    assert coarsen_place(place).area == area
    assert coarsen_place(place).label == (f"{area}, North Coast" if area else "North Coast")


def test_a_small_area_is_also_scrubbed_from_text():
    place = PlaceContext("North Coast", "Harbourside", 2, small_place_names=("Old Quay",))
    draft = anonymize_incident(facts(narrative="Seen in Harbourside, then in old quay."), STORE, place)
    assert draft.narrative == "Seen in [place], then in [place]."
    assert draft.place.area is None and draft.place.region == "North Coast"
    named = anonymize_incident(facts(narrative="Seen in Harbourside."), STORE, PLACE)
    assert named.narrative == "Seen in Harbourside." and named.place.area == "Harbourside"


@pytest.mark.parametrize(
    "hour, part",
    [(0, "night"), (5, "night"), (6, "morning"), (11, "morning"), (12, "afternoon"), (17, "afternoon"),
     (18, "evening"), (23, "evening")],
)  # fmt: skip
def test_parts_of_day(hour, part):
    assert part_of_day(hour) == part


def test_time_is_coarsened_in_the_association_time_zone():
    # 23:30 UTC on a summer Saturday is 00:30 on Sunday in London: night, and the day is Sunday.
    when = coarsen_time(datetime(2024, 6, 22, 23, 30, tzinfo=UTC), "Europe/London")
    assert (when.day, when.part_of_day, when.iso_week) == (date(2024, 6, 23), "night", "2024-W25")
    assert when.label == "Sun 23 Jun 2024, night"
    minus_five = timezone(timedelta(hours=-5))
    assert coarsen_time(datetime(2024, 6, 22, 19, 0, tzinfo=minus_five), "UTC").part_of_day == "night"


def test_iso_week_uses_the_iso_year():
    assert iso_week(date(2024, 12, 30)) == "2025-W01"
    assert iso_week(date(2021, 1, 3)) == "2020-W53"
    assert iso_week(datetime(2024, 12, 29, 23, 30, tzinfo=UTC), "Europe/Berlin") == "2025-W01"


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        anonymize_incident(facts(occurred_at=datetime(2024, 3, 5, 14, 0)), STORE, PLACE)


def test_the_draft_keeps_only_the_coarse_time():
    draft = anonymize_incident(facts(), STORE, PLACE)
    payload = draft.shared_payload()
    assert (payload["day"], payload["part_of_day"], payload["iso_week"]) == ("2024-03-05", "afternoon", "2024-W10")
    assert "14:32" not in repr(payload) and "14" not in payload["day"]


def test_police_note_single_text():
    note = anonymize_police_note(
        "PC Dana Hughes says Quayside Jewellers on Harbour St was cased by a silver Golf AB12 CDE.",
        STORE,
        PLACE,
        tlp="GREEN",
    )
    assert note.text == "PC [name] says [store] on [address] was cased by a silver Golf [plate]."
    assert note.feed_publishable and note.place.area == "Harbourside"
    assert "".join(s.text for s in note.segments()) == note.text
    assert set(note.shared_payload()) == {"tlp", "region", "area", "text"}


def test_police_trend_bulletin_with_several_fields_and_stores():
    other = StoreIdentity(name="Wattle & Bloom Jewellery", staff_names=("Declan Hayes",))
    note = anonymize_police_note(
        {"modus_operandi": "Two men distract staff at Quayside and at Wattle & Bloom.",
         "watch_for": "A man asking for Declan or Sam by name.", "recommendation": "Keep trays closed."},
        [STORE, other],
        PLACE,
        tlp=TLP.AMBER,
    )  # fmt: skip
    assert note.fields == {
        "modus_operandi": "Two men distract staff at [store] and at [store].",
        "watch_for": "A man asking for [name] or [name] by name.",
        "recommendation": "Keep trays closed.",
    }
    assert {r.field for r in note.redactions} == {"modus_operandi", "watch_for"}


def test_red_police_note_is_not_publishable():
    note = anonymize_police_note("For the store only.", STORE, PLACE, tlp=TLP.RED)
    with pytest.raises(NotPublishable):
        ensure_feed_publishable(note)


def test_reencoded_photos_carry_no_metadata():
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "Quayside camera"  # Make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    raw = io.BytesIO()
    image.save(raw, format="JPEG", exif=exif, comment=b"Quayside Jewellers")
    assert b"Quayside" in raw.getvalue()
    clean = reencode_photo(raw.getvalue())
    assert b"Quayside" not in clean and b"Exif" not in clean
    with Image.open(io.BytesIO(clean)) as reopened:
        assert not reopened.getexif() and reopened.size == (40, 30)
