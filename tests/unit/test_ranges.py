"""The platform's ranges (security/ranges.py): what is inside, what is refused, and how stored values are clamped."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from security import ranges


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, 1), ("", 1), ("1", 1), ("42", 42), ("100000", 100_000), (" 7 ", 7)]
)
def test_page_numbers_inside_the_range(raw, expected):
    assert ranges.page_number(raw) == expected


@pytest.mark.parametrize("raw", ["0", "-1", "100001", "1e20", "9223372036854775808", "abc", "٣", "1.5", "9" * 400])
def test_page_numbers_outside_are_refused_with_the_message(raw):
    with pytest.raises(ranges.OutOfRange, match="page number"):
        ranges.page_number(raw)


def test_ids_stop_at_bigint():
    assert ranges.id_value(str(ranges.MAX_ID)) == ranges.MAX_ID
    for raw in (str(ranges.MAX_ID + 1), "0", "-5", "x", True):
        with pytest.raises(ValueError):
            ranges.id_value(raw)


def test_dates_inside_and_outside():
    assert ranges.date_in_range(None)
    assert ranges.date_in_range(date(1900, 1, 1)) and ranges.date_in_range(date(2200, 12, 31))
    assert not ranges.date_in_range(date(1899, 12, 31)) and not ranges.date_in_range(date(9999, 12, 31))
    assert not ranges.date_in_range(datetime(1, 1, 1, tzinfo=UTC))
    with pytest.raises(ranges.OutOfRange, match="between 1900 and 2200"):
        ranges.check_date(date(1, 1, 1))


def test_stored_dates_are_clamped_into_the_range():
    assert ranges.clamp_date(date(9999, 12, 31)) == date(2200, 12, 31)
    assert ranges.clamp_date(date(1, 1, 1)) == date(1900, 1, 1)
    assert ranges.clamp_date(date(2026, 5, 1)) == date(2026, 5, 1)
