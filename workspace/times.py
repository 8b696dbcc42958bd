"""Times in the store's time zone (its region's effective zone, `regions.effective_settings`): what people see and
type. The database keeps UTC (timestamptz)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from models import Association, Store
from regions import effective_settings


def association_zone(association: Association) -> ZoneInfo:
    """The association's own time zone (for association-wide pages; a store's pages use `store_zone`)."""
    return effective_settings(association).zone


def store_zone(store: Store) -> ZoneInfo:
    """The time zone the store lives in: its region's where the region overrides it, else the association's. The
    same zone the anonymizer coarsens a shared incident's day and part of day in, so the two cannot disagree."""
    return effective_settings(store.association, store.region).zone


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
