"""Scrubber precision: ordinary words are never names, even when a store's display names are made of them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymize import StoreIdentity
from anonymize.scrub import COMMON_WORDS, make_scrubber
from tests.anonymize.precision_corpus import NAMED, NARRATIVES, STORE


def scrub(text: str) -> str:
    return make_scrubber((STORE,), remove_plates=True).scrub(text, "narrative")[0]


def test_every_ordinary_narrative_comes_through_unchanged():
    changed = [(text, scrub(text)) for text in NARRATIVES if scrub(text) != text]
    assert not changed, "\n".join(f"{before!r}\n  -> {after!r}" for before, after in changed)


@pytest.mark.parametrize("text, expected", NAMED)
def test_real_names_in_the_same_records_are_still_scrubbed(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # A rank before an ordinary word is a job title, not an officer's name.
        ("Our Deputy Manager locked up.", "Our Deputy Manager locked up."),
        ("The Police Officer Training day was useful.", "The Police Officer Training day was useful."),
        ("PC Smith attended.", "PC [name] attended."),
    ],
)
def test_a_rank_before_an_ordinary_word_is_not_a_name(text, expected):
    assert scrub(text) == expected


def test_a_surname_that_is_an_ordinary_word_is_still_scrubbed_with_the_first_name():
    identity = StoreIdentity(name="Unrelated Name", staff_names=("Minnie Driver",))
    scrubber = make_scrubber((identity,), remove_plates=False)
    assert scrubber.scrub("Minnie Driver was on the counter.", "n")[0] == "[name] was on the counter."
    assert scrubber.scrub("Minnie was on the counter.", "n")[0] == "[name] was on the counter."
    # What we give up: the ordinary word alone is left ("the driver of the van" must survive).
    assert scrubber.scrub("The driver of the van waited.", "n")[0] == "The driver of the van waited."


def test_a_store_name_made_of_ordinary_words_keeps_its_whole_name_only():
    identity = StoreIdentity(name="Front Counter Diamonds")
    scrubber = make_scrubber((identity,), remove_plates=False)
    assert scrubber.scrub("Front Counter Diamonds was hit.", "n")[0] == "[store] was hit."
    assert scrubber.scrub("Front counter staff saw him.", "n")[0] == "[store] staff saw him."
    assert scrubber.scrub("Counter staff saw him at the front.", "n")[0] == "Counter staff saw him at the front."


_SEPARATORS = st.sampled_from([" ", " ", " ", ", ", ". ", "; ", " - ", "! ", "? ", " (", ") "])
_CASES = st.sampled_from([str.lower, str.capitalize, str.upper])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(COMMON_WORDS)), _CASES, _SEPARATORS), min_size=1, max_size=30))
def test_a_narrative_of_ordinary_words_is_never_changed(pieces):
    text = "".join(case(word) + separator for word, case, separator in pieces).strip()
    assert scrub(text) == text
