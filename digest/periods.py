"""Digest periods: a weekly period is an ISO week ("2026-W47"), a daily one a date ("2026-11-27"), a custom one a
range ("2026-11-20..2026-11-27", from `--since`). Days are in the region's effective time zone; ends are exclusive."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_interval

from errors import DomainError
from i18n import DEFAULT_LANGUAGE, get_locale
from security.ranges import EARLIEST_DATE

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
# How long after its scheduled moment a missed run is still sent (e.g. cron was down): later, it is skipped.
GRACE = {"weekly": timedelta(days=3), "daily": timedelta(hours=12)}


class PeriodError(DomainError):
    """A period that cannot be parsed or lies in the future."""


@dataclass(frozen=True)
class Period:
    key: str
    kind: str  # "weekly" | "daily" | "custom"
    starts_on: date
    ends_on: date  # exclusive

    @property
    def last_day(self) -> date:
        return self.ends_on - timedelta(days=1)

    def label(self) -> str:
        if self.kind == "weekly":
            week = self.key.split("-W")[1]
            return f"week {int(week)}, {_day(self.starts_on)} – {_day(self.last_day)} {self.last_day.year}"
        if self.kind == "daily":
            return f"{self.starts_on.strftime('%A')} {_day(self.starts_on)} {self.starts_on.year}"
        return f"{_day(self.starts_on)} {self.starts_on.year} – {_day(self.last_day)} {self.last_day.year}"

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as aware datetimes: local midnight of the first day to local midnight after the last."""
        return datetime.combine(self.starts_on, time(), zone), datetime.combine(self.ends_on, time(), zone)


def _day(day: date) -> str:
    return f"{day.day} {day.strftime('%b')}"


def week_period(day: date) -> Period:
    """The ISO week containing `day`."""
    year, week, weekday = day.isocalendar()
    monday = day - timedelta(days=weekday - 1)
    return Period(f"{year}-W{week:02d}", "weekly", monday, monday + timedelta(days=7))


def last_complete_week(today: date) -> Period:
    """The ISO week before the one containing `today`: the default period to send or preview."""
    return week_period(today - timedelta(days=7))


def day_period(day: date) -> Period:
    return Period(day.isoformat(), "daily", day, day + timedelta(days=1))


def since_period(since: date, today: date) -> Period:
    """From `since` up to and including `today` (at most a year)."""
    if since > today:
        raise PeriodError("--since must not be in the future.")
    if (today - since).days > 366:
        raise PeriodError("--since may go back at most a year.")
    return Period(f"{since.isoformat()}..{today.isoformat()}", "custom", since, today + timedelta(days=1))


def parse_period(text: str, today: date) -> Period:
    """`2026-W47` or `2026-11-27`; refuses malformed values and periods that have not started."""
    text = (text or "").strip()
    match = _WEEK.match(text)
    if match:
        try:
            first = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            raise PeriodError(f"{text!r} is not an ISO week (like 2026-W47).") from None
    else:
        try:
            first = date.fromisoformat(text)
        except ValueError:
            raise PeriodError(f"{text[:40]!r} is not a period: use an ISO week like 2026-W47 or a date.") from None
    if first > today:
        raise PeriodError("That period has not started yet.")
    # Checked before any arithmetic: a day in year 9999 has no next day, and the digest compares a period with
    # the ones before it, which a period in year 1 does not have.
    if first < EARLIEST_DATE:
        raise PeriodError(f"Choose a period from {EARLIEST_DATE.year} on.")
    return week_period(first) if match else day_period(first)


def due_period(kind: str, weekday: int, hour: int, now: datetime, zone: ZoneInfo) -> Period | None:
    """The period whose digest is due at `now`, or None.

    A weekly digest for week W goes out on the schedule's weekday and hour in week W+1; a daily one for day D at
    the hour on D+1. Only the latest period whose moment has passed is due, and only within `GRACE` of it.
    """
    local = now.astimezone(zone)
    today = local.date()
    if kind == "daily":
        moment = datetime.combine(today, time(hour), zone)
        if local < moment:
            moment -= timedelta(days=1)
        period = day_period(moment.date() - timedelta(days=1))
    else:
        this_week = week_period(today)
        moment = datetime.combine(this_week.starts_on + timedelta(days=weekday), time(hour), zone)
        if local < moment:
            moment -= timedelta(days=7)
        period = week_period(moment.date() - timedelta(days=7))
    return period if local - moment <= GRACE[kind] else None


def period_from_key(key: str) -> Period | None:
    """The period a stored key names ("2026-W48", "2026-11-27" or "2026-11-20..2026-11-27"); None if malformed."""
    key = (key or "").strip()
    try:
        match = _WEEK.match(key)
        if match:
            return week_period(date.fromisocalendar(int(match[1]), int(match[2]), 1))
        if ".." in key:
            first, last = (date.fromisoformat(part) for part in key.split("..", 1))
            return Period(key, "custom", first, last + timedelta(days=1))
        return day_period(date.fromisoformat(key))
    except (ValueError, OverflowError):
        return None


def in_words(key: str, locale: str | None = None) -> str:
    """A digest period as the dates it covers, in the reader's language: "Nov 23 – 29, 2026" for 2026-W48,
    "Friday, November 27, 2026" for a day. A key that is not a period is shown as it is."""
    period = period_from_key(key)
    if period is None:
        return key
    locale = locale or str(get_locale() or DEFAULT_LANGUAGE)
    if period.starts_on == period.last_day:
        return format_date(period.starts_on, "full", locale=locale)
    return format_interval(period.starts_on, period.last_day, "yMMMd", locale=locale)
