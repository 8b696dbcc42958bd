"""Times in the store's association's time zone: what people see and type. The database keeps UTC (timestamptz)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from models import Association, Store


def association_zone(association: Association) -> ZoneInfo:
    """The association's time zone (UTC when it is missing or unknown, rather than failing every page)."""
    try:
        return ZoneInfo(association.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def store_zone(store: Store) -> ZoneInfo:
    """The time zone of the store's association."""
    return association_zone(store.association)


def local_to_utc(value: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time typed in a form (naive) → an aware UTC time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def utc_to_local(value: datetime, zone: ZoneInfo) -> datetime:
    """A stored time → the naive wall-clock time a form field shows."""
    return value.astimezone(zone).replace(tzinfo=None)


def local_now(zone: ZoneInfo) -> datetime:
    """Now on the store's wall clock, to the minute (the precision of a datetime-local field)."""
    return datetime.now(zone).replace(second=0, microsecond=0, tzinfo=None)


def local_today(zone: ZoneInfo) -> date:
    return datetime.now(zone).date()
