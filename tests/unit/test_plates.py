"""Plates read as the witness wrote them; matching uses an internal key that is never shown (issue #19)."""

from __future__ import annotations

import pytest

from alerts.patterns import _candidates, vehicle_keys
from models.bulletins import Bulletin
from models.plates import as_written, is_partial, match_key
from models.text import shorten


@pytest.mark.parametrize(
    ("typed", "shown", "partial", "key"),
    [
        ("KX17 LMV", "KX17 LMV", False, "KX17LMV"),
        ("kx17-lmv", "kx17-lmv", False, "KX17LMV"),
        ("partial: ..19 FK.", "..19 FK.", True, "..19FK."),
        ("Partial plate - ??19 FK?", "..19 FK.", True, "..19FK."),
        ("__19 fk*", "..19 fk.", True, "..19FK."),
        ("  AB12   CDE ", "AB12 CDE", False, "AB12CDE"),
        ("..1", "..1", True, ""),  # one character read: too little to match anything
        ("", "", False, ""),
    ],
)
def test_a_plate_reads_as_written_and_matches_by_its_key(typed, shown, partial, key):
    assert as_written(typed) == shown
    assert is_partial(typed) is partial
    assert match_key(typed) == key


def test_a_partial_plate_pattern_is_summarised_as_written_never_as_its_key():
    vehicle = {"make": "BMW", "model": "3 Series", "colour": "Dark grey", "plate": "partial: ..19 FK."}
    [(signature, summary)] = vehicle_keys(vehicle)
    assert signature == "plate:..19FK."
    assert summary == "Dark grey BMW 3 Series with plate ..19 FK."
    assert "PARTIAL" not in summary.upper().replace("PARTIAL PLATE", "")
    # Written two ways by two witnesses, it is one plate; a plate with other characters read is another.
    first = Bulletin(id=1, vehicles=[vehicle], people=[])
    second = Bulletin(id=2, vehicles=[{"plate": "..19fk."}], people=[])
    other = Bulletin(id=3, vehicles=[{"plate": "A19 FKB"}], people=[])
    [candidate] = _candidates([first, second, other])
    assert candidate.bulletin_ids == {1, 2} and "..19 FK." in candidate.summary


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Man counted the staff out loud", 80, "Man counted the staff out loud"),
        ("Man counted the staff out loud", 20, "Man counted the…"),
        ("Man counted the staff, then left", 23, "Man counted the staff…"),
        ("Supercalifragilistic", 10, "Supercali…"),
    ],
)
def test_shorten_cuts_at_a_word_with_an_ellipsis(text, limit, expected):
    result = shorten(text, limit)
    assert result == expected and len(result) <= limit
