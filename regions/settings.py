"""The one rule for a region's settings: a region's own value where it has one (not NULL), else its association's.

The association's columns are NOT NULL with defaults (k 5, UTC, weekly on Monday at 07:00), so the result is always
complete and nothing here invents a fallback. Pure: no Flask, no database access beyond the two objects' attributes.
Every place that needs the k threshold, the time zone or the digest schedule of a region asks `effective_settings`,
so the store's pages, the anonymizer, trends, the feed and the digest cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The k threshold's range: the admin form, the domain check and the database CHECK (migration 0015) all use it.
MIN_K, MAX_K = 2, 50


class AssociationSettings(Protocol):
    k_threshold: int
    digest_frequency: str
    digest_weekday: int
    digest_hour: int
    timezone: str


class RegionOverrides(Protocol):
    k_threshold: int | None
    digest_frequency: str | None
    digest_weekday: int | None
    digest_hour: int | None
    timezone: str | None


@dataclass(frozen=True)
class RegionSettings:
    """The settings in force for one region (or the association's own, when no region is given)."""

    k_threshold: int
    frequency: str
    weekday: int
    hour: int
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        """The time zone to show and read times in. UTC when the name is unknown to this machine's tz database,
        rather than failing every page (names are checked when an admin saves them)."""
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def describe(self) -> str:
        when = "every day" if self.frequency == "daily" else f"every {WEEKDAYS[self.weekday]}"
        return f"{when} at {self.hour:02d}:00 ({self.timezone})"


def effective_settings(association: AssociationSettings, region: RegionOverrides | None = None) -> RegionSettings:
    """The k threshold, time zone and digest schedule in force for `region` of `association` (the association's
    own when `region` is None). A region value counts as set when it is not NULL."""

    def pick(name: str):
        own = getattr(region, name) if region is not None else None
        return getattr(association, name) if own is None else own

    return RegionSettings(
        k_threshold=pick("k_threshold"),
        frequency=pick("digest_frequency"),
        weekday=pick("digest_weekday"),
        hour=pick("digest_hour"),
        timezone=pick("timezone"),
    )
