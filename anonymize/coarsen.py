"""Coarsening place and time: exact timestamps and addresses never leave the store's schema.

An area is named only when it holds at least `k` member stores (default 5): naming an area with two jewelers in it
nearly names the store. Time becomes the local day and part of day for alerts (what a neighbour needs to be alert
today) and the ISO week for trends (like police.uk publishing months, not timestamps).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from anonymize.types import CoarsePlace, CoarseTime, PlaceContext

# (first hour, name), local time; each part runs until the next one starts.
PARTS_OF_DAY = ((0, "night"), (6, "morning"), (12, "afternoon"), (18, "evening"))


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def coarsen_place(place: PlaceContext) -> CoarsePlace:
    """The area when it holds at least `k` member stores, otherwise only the region."""
    if place.k < 1:
        raise ValueError("k must be at least 1")
    area = place.area_name.strip() if place.area_name else ""
    if area and place.area_store_count >= place.k:
        return CoarsePlace(region=place.region_name, area=area)
    return CoarsePlace(region=place.region_name, area=None)


def place_names_to_scrub(place: PlaceContext) -> tuple[str, ...]:
    """Place names that must not appear in text: the store's own area when it is too small to name, and any other
    small areas the caller listed."""
    names = list(place.small_place_names)
    if place.area_name and coarsen_place(place).area is None:
        names.append(place.area_name)
    return tuple(names)


def _local(moment: datetime, timezone: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("occurred_at must be timezone-aware")
    return moment.astimezone(zone(timezone))


def part_of_day(hour: int) -> str:
    """night 00-06, morning 06-12, afternoon 12-18, evening 18-24 (local hours)."""
    if not 0 <= hour <= 23:
        raise ValueError("hour must be 0..23")
    return [name for start, name in PARTS_OF_DAY if hour >= start][-1]


def iso_week(moment: datetime | date, timezone: str = "UTC") -> str:
    """`2024-W09`: the ISO year and week of a local date (or of an aware datetime in `timezone`). Uses the ISO
    year, so 30 Dec 2024 is 2025-W01."""
    day = _local(moment, timezone).date() if isinstance(moment, datetime) else moment
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def coarsen_time(moment: datetime, timezone: str) -> CoarseTime:
    local = _local(moment, timezone)
    return CoarseTime(day=local.date(), part_of_day=part_of_day(local.hour), iso_week=iso_week(local.date()))
