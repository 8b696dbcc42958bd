"""Unknown names: name-like words the scrubber cannot classify are flagged, scrubbed by default, kept only by choice.

Before this rule "asked Sam Patel when the safe is opened" was published as typed under a preview that said the
identifying parts had been removed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from anonymize import IncidentFacts, PlaceContext, VehicleDescription, anonymize_incident, unknown_names
from anonymize.scrub import make_scrubber
from tests.anonymize.precision_corpus import NARRATIVES, STORE

PLACE = PlaceContext(region_name="Northshire", area_name=None, k=5)


def _facts(narrative: str, **extra) -> IncidentFacts:
    return IncidentFacts(
        incident_type="casing",
        title="Man asking about the safe",
        narrative=narrative,
        occurred_at=datetime(2026, 3, 5, 14, 32, tzinfo=UTC),
        **extra,
    )


def test_an_unknown_name_is_flagged_and_removed_by_default():
    draft = anonymize_incident(_facts("asked Sam Patel when the safe is opened"), STORE, PLACE)
    assert [(f.text, f.field, f.kept) for f in draft.flags] == [("Sam Patel", "narrative", False)]
    assert draft.narrative == "asked [name] when the safe is opened"
    assert "Sam" not in str(draft.shared_payload()) and "Patel" not in str(draft.shared_payload())
    # The preview marks the removal like any other.
    assert any(r.kind == "name" and r.original_span == "Sam Patel" for r in draft.redactions)


def test_a_flagged_name_the_store_keeps_is_published_as_typed():
    facts = _facts("asked Sam Patel when the safe is opened")
    draft = anonymize_incident(facts, STORE, PLACE, keep_names=["Sam Patel"])
    assert draft.narrative == "asked Sam Patel when the safe is opened"
    assert [(f.text, f.kept) for f in draft.kept_flags] == [("Sam Patel", True)]


def test_a_name_at_a_sentence_start_is_flagged_when_it_has_two_words():
    draft = anonymize_incident(_facts("Sam Patel asked about the safe. He left."), STORE, PLACE)
    assert [f.text for f in draft.flags] == ["Sam Patel"]
    assert draft.narrative == "[name] asked about the safe. He left."


@pytest.mark.parametrize("narrative", NARRATIVES)
def test_ordinary_narratives_raise_no_flag(narrative):
    scrubbed, _ = make_scrubber((STORE,), remove_plates=False).scrub(narrative, "narrative")
    assert unknown_names(scrubbed, "narrative") == []
    assert anonymize_incident(_facts(narrative), STORE, PLACE).flags == ()


@pytest.mark.parametrize(
    "text",
    [
        "A silver Ford Focus was parked outside with two men in it.",
        "They left in a Black Vauxhall Corsa towards the High Street.",
        "He wore a Navy jacket and asked about Rolex and Cartier watches on Saturday in December.",
        "The CCTV showed a man in a grey hoodie; the VW had UK plates.",
        "Police say it matches a crew from Oakland.",
        "He asked about a Rolex Submariner and wore a Barbour jacket.",
    ],
)
def test_vehicles_colours_brands_and_days_are_not_flagged(text):
    assert unknown_names(text, "narrative") == []


def test_the_incidents_own_vehicle_words_are_not_flagged():
    facts = _facts("The Skoda Yeti drove off.", vehicles=(VehicleDescription("Skoda", "Yeti", "green"),))
    assert anonymize_incident(facts, STORE, PLACE).flags == ()


def test_a_title_case_title_is_not_flagged():
    assert unknown_names("Grab Raid At The Front Counter", "title") == []
