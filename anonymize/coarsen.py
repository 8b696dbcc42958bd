"""Coarsening place and time: exact timestamps and addresses never leave the store's schema.

Place labels (ANONYMIZATION.md rule 3). A label names a set of member stores; it may be used only when that set
holds at least `k` stores (default 5) *and* the stores it leaves out cannot be told apart. The sets, inside one
region with N ready member stores and named areas of sizes a1, a2, ...:

- "<Area>, <Region>" is used by the stores of an area with ai >= k;
- "<Region>" alone is used by everyone else of the region: stores outside any named area and stores of areas under
  k. That set (the region's *remainder*, N minus the named-area stores) is what the old rule never checked: with two
  areas of 5 and one store outside both, "<Region>" named that one store.
- So the area level is used only when the remainder is 0 or >= k. If it is between 1 and k - 1, *every* store of the
  region is labelled "<Region>" (no area labels at all): then "<Region>" rests on all N stores.
- A region with N < k cannot be named either ("the only store of North Coast"). Its stores roll up to the
  association's name. The association label is in turn used by the stores of *every* region under k, so it is
  allowed only when those stores together (the association's remainder) number >= k; otherwise the share is held
  and the store is told why. Counting only the association's total would not do: in an association of 40 with one
  one-store region, the association's name on a bulletin would point at that store.

Counts are ready member stores from the registry (`trends.group_sizes`); stores that are not ready do not count, so
a smaller count only makes the rule stricter. The rule is decided per store from the same counts every store of
the region sees, so all stores of a region use the same level: the labels of one region never split it into a
small named set and a small remainder.
 Time becomes the local day and part of day for alerts (what a neighbour needs to be alert
today) and the ISO week for trends (like police.uk publishing months, not timestamps).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from anonymize.types import CoarsePlace, CoarseTime, PlaceContext
from errors import DomainError


class PlaceHeld(DomainError):
    """No place label is safe for this store yet: the share is held (nothing is stored) and the store told why."""


# (first hour, name), local time; each part runs until the next one starts.
PARTS_OF_DAY = ((0, "night"), (6, "morning"), (12, "afternoon"), (18, "evening"))


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class Level(enum.StrEnum):
    """How coarse a store's place label is: see the module docstring for the rule."""

    AREA = "area"
    REGION = "region"
    ASSOCIATION = "association"
    HELD = "held"


def place_level(
    *,
    area_count: int | None,
    region_area_counts: Iterable[int],
    region_count: int,
    association_region_counts: Iterable[int],
    k: int,
) -> Level:
    """The label level for one store (pure). `area_count` is the size of the store's own named area (None when the
    store is outside any named area); `region_area_counts` the sizes of every named area of the store's region (its
    own included); `region_count` the region's size; `association_region_counts` the size of every region of the
    association (the store's own included). All counts are ready member stores."""
    if k < 1:
        raise ValueError("k must be at least 1")
    if region_count < k:
        # The association's remainder: every store of every region too small to be named shares its label.
        fallback = sum(count for count in association_region_counts if 0 < count < k)
        return Level.ASSOCIATION if fallback >= k else Level.HELD
    remainder = region_count - sum(count for count in region_area_counts if count >= k)
    if 0 < remainder < k:
        return Level.REGION  # the region's "<Region>" set would be small: nobody of this region gets an area label
    if area_count is not None and area_count >= k:
        return Level.AREA
    return Level.REGION


def held_reason(k: int) -> str:
    """What a store whose place cannot be labelled is told (the share is held, nothing is stored)."""
    return (
        f"Your association has fewer than {k} member stores that could share this place label, so a bulletin could "
        "point back to you; it will be shared when more stores join."
    )


def coarsen_place(place: PlaceContext) -> CoarsePlace:
    """The store's place label at the level `place_level` allows. Raises `PlaceHeld` when no label is safe.

    A context without registry counts (`region_store_count` None: the scrub's own unit tests) keeps the old
    area-only check; every production caller (`sharing.shares.place_context`) passes the counts."""
    if place.k < 1:
        raise ValueError("k must be at least 1")
    area = place.area_name.strip() if place.area_name else ""
    if place.region_store_count is None:
        level = Level.AREA if area and place.area_store_count >= place.k else Level.REGION
    else:
        level = place_level(
            area_count=place.area_store_count if area else None,
            region_area_counts=place.region_area_counts,
            region_count=place.region_store_count,
            association_region_counts=place.association_region_counts,
            k=place.k,
        )
    if level is Level.HELD:
        raise PlaceHeld(held_reason(place.k))
    if level is Level.ASSOCIATION:
        return CoarsePlace(region=place.association_name, area=None)
    if level is Level.AREA:
        return CoarsePlace(region=place.region_name, area=area)
    return CoarsePlace(region=place.region_name, area=None)


def place_names_to_scrub(place: PlaceContext) -> tuple[str, ...]:
    """Place names that must not appear in text: the store's own area when it is too small to name, and any other
    small areas the caller listed."""
    names = list(place.small_place_names)
    if place.area_name and coarsen_place(place).area is None:
        names.append(place.area_name)
    if place.region_store_count is not None and coarsen_place(place).region != place.region_name:
        names.append(place.region_name)  # rolled up to the association: the region is not named in the text either
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
