"""Digest periods and the schedule: which period is due when, in the association's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from digest.periods import PeriodError, due_period, parse_period, since_period, week_period

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 28)  # a Saturday in ISO week 48


def test_parse_week_and_day():
    week = parse_period("2026-W47", TODAY)
    assert (week.kind, week.starts_on, week.ends_on) == ("weekly", date(2026, 11, 16), date(2026, 11, 23))
    day = parse_period("2026-11-27", TODAY)
    assert (day.kind, day.starts_on, day.ends_on) == ("daily", date(2026, 11, 27), date(2026, 11, 28))
    assert week.label() == "week 47, 16 Nov – 22 Nov 2026"


@pytest.mark.parametrize("text", ["", "W47", "2026-W54", "2026-13-01", "2026-W47; DROP TABLE x", "x" * 500])
def test_bad_periods_are_refused_with_a_message(text):
    with pytest.raises(PeriodError):
        parse_period(text, TODAY)


def test_future_and_too_old_periods_are_refused():
    with pytest.raises(PeriodError, match="not started"):
        parse_period("2026-W49", TODAY)
    with pytest.raises(PeriodError):
        since_period(date(2026, 12, 1), TODAY)
    with pytest.raises(PeriodError):
        since_period(date(2024, 1, 1), TODAY)
    assert since_period(date(2026, 11, 20), TODAY).key == "2026-11-20..2026-11-28"


def test_weekly_digest_is_due_after_its_weekday_and_hour_in_the_association_zone():
    # Monday 07:00 London time, week 49 (Dec 2026: London is UTC+0).
    before = datetime(2026, 11, 30, 6, 59, tzinfo=UTC)
    after = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert due_period("weekly", 0, 7, after, LONDON) == week_period(date(2026, 11, 23))  # week 48
    # Before Monday 07:00 the latest due one is week 47 (due a week ago): past the 3-day grace, so nothing.
    assert due_period("weekly", 0, 7, before, LONDON) is None
    # Sunday 18:00 schedule: week 48's digest is due on Sunday of week 49.
    assert due_period("weekly", 6, 18, datetime(2026, 12, 6, 18, 5, tzinfo=UTC), LONDON).key == "2026-W48"


def test_daily_digest_and_time_zones():
    tokyo = ZoneInfo("Asia/Tokyo")  # UTC+9: 22:30 UTC on the 27th is 07:30 on the 28th there
    assert due_period("daily", 0, 7, datetime(2026, 11, 27, 22, 30, tzinfo=UTC), tokyo).key == "2026-11-27"
    assert due_period("daily", 0, 7, datetime(2026, 11, 27, 21, 30, tzinfo=UTC), tokyo) is None  # 06:30, grace over
