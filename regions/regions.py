"""Regions and areas of an association, and saving the k threshold and digest schedule (with per-region overrides;
what is in force for a region is `regions.effective_settings`)."""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa
from slugify import slugify
from sqlalchemy.orm import Session

import audit
from audit import Actor
from errors import DomainError, NotFound
from i18n import _
from models import Area, Association, Invitation, Membership, Region, Store
from regions import MAX_K, MIN_K


class RegionError(DomainError):
    """A region or area change that cannot be done as asked."""


def check_timezone(name: str) -> str:
    name = (name or "").strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RegionError(_("Unknown time zone %(zone)r; use a name like Europe/London.", zone=name[:64])) from None
    if name not in available_timezones():
        raise RegionError(_("Unknown time zone %(zone)r; use a name like Europe/London.", zone=name[:64]))
    return name


# The continents and oceans people pick a zone from; "Etc/GMT+5"-style and legacy aliases ("US/Eastern") are left
# out of the picker (still accepted if typed in an address, as `check_timezone` allows any IANA name).
_PICKER_AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@functools.cache
def timezone_groups() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The IANA time zones for a picker, grouped by continent or ocean, each sorted: (("America", (...)), ...)."""
    zones = sorted(z for z in available_timezones() if z.split("/", 1)[0] in _PICKER_AREAS and "/" in z)
    return tuple((area, tuple(z for z in zones if z.startswith(area + "/"))) for area in _PICKER_AREAS) + (
        ("UTC", ("UTC",)),
    )


def _check_schedule(k: int | None, frequency: str | None, weekday: int | None, hour: int | None) -> None:
    if k is not None and not MIN_K <= k <= MAX_K:
        raise RegionError(_("The k threshold must be between %(low)s and %(high)s.", low=MIN_K, high=MAX_K))
    if frequency is not None and frequency not in ("weekly", "daily"):
        raise RegionError(_("The digest is weekly or daily."))
    if weekday is not None and not 0 <= weekday <= 6:
        raise RegionError(_("Choose a weekday."))
    if hour is not None and not 0 <= hour <= 23:
        raise RegionError(_("The hour is between 0 and 23."))


def list_regions(session: Session, association: Association) -> list[tuple[Region, int]]:
    """Regions with their number of member stores."""
    counts = dict(
        session.execute(
            sa.select(Store.region_id, sa.func.count())
            .where(Store.association_id == association.id)
            .group_by(Store.region_id)
        ).all()
    )
    regions = session.scalars(
        sa.select(Region).where(Region.association_id == association.id).order_by(Region.name)
    ).all()
    return [(r, counts.get(r.id, 0)) for r in regions]


def get_region(session: Session, association: Association, region_id: int) -> Region:
    region = session.scalar(sa.select(Region).where(Region.id == region_id, Region.association_id == association.id))
    if region is None:
        raise NotFound(_("No such region."))
    return region


def get_area(session: Session, association: Association, area_id: int) -> Area:
    area = session.scalar(
        sa.select(Area)
        .join(Region, Region.id == Area.region_id)
        .where(Area.id == area_id, Region.association_id == association.id)
    )
    if area is None:
        raise NotFound(_("No such area."))
    return area


def _slug(name: str, slug: str | None) -> str:
    value = slugify(slug or name, max_length=50, word_boundary=False)
    if not value:
        raise RegionError(_("The name needs at least one letter or digit."))
    return value


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise RegionError(_("Enter a name."))
    if len(name) > 200:
        raise RegionError(_("The name is too long (at most 200 characters)."))
    return name


def _record(session: Session, action: str, association: Association, actor: Actor, target: str, **details) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        association_id=association.id,
        target=target,
        details=details or None,
    )


def create_region(session: Session, association: Association, *, name: str, slug: str | None, actor: Actor) -> Region:
    name = _clean_name(name)
    final = _slug(name, slug)
    if session.scalar(sa.select(Region.id).where(Region.association_id == association.id, Region.slug == final)):
        raise RegionError(_("There is already a region with the short name %(slug)r.", slug=final))
    region = Region(association_id=association.id, slug=final, name=name)
    session.add(region)
    session.flush()
    _record(session, "region.create", association, actor, final)
    return region


def rename_region(session: Session, association: Association, region_id: int, *, name: str, actor: Actor) -> Region:
    region = get_region(session, association, region_id)
    old = region.name
    region.name = _clean_name(name)
    _record(session, "region.rename", association, actor, region.slug, old=old, new=region.name)
    session.flush()
    return region


def merge_regions(session: Session, association: Association, *, keep_id: int, merge_id: int, actor: Actor) -> Region:
    """Fold region `merge_id` into `keep_id`: its stores, areas, memberships and invitations move; it goes.

    Areas with the same short name are merged too (their stores move to the surviving area).
    """
    if keep_id == merge_id:
        raise RegionError(_("Choose two different regions."))
    keep = get_region(session, association, keep_id)
    gone = get_region(session, association, merge_id)
    kept_areas = {a.slug: a for a in session.scalars(sa.select(Area).where(Area.region_id == keep.id))}
    for area in session.scalars(sa.select(Area).where(Area.region_id == gone.id)).all():
        twin = kept_areas.get(area.slug)
        if twin is None:
            area.region_id = keep.id
        else:
            session.execute(sa.update(Store).where(Store.area_id == area.id).values(area_id=twin.id))
            session.delete(area)
    session.flush()
    moved = session.execute(sa.update(Store).where(Store.region_id == gone.id).values(region_id=keep.id)).rowcount
    session.execute(sa.update(Membership).where(Membership.region_id == gone.id).values(region_id=keep.id))
    session.execute(sa.update(Invitation).where(Invitation.region_id == gone.id).values(region_id=keep.id))
    session.delete(gone)
    session.flush()
    _record(session, "region.merge", association, actor, keep.slug, merged=gone.slug, stores_moved=moved)
    return keep


def create_area(
    session: Session, association: Association, region_id: int, *, name: str, slug: str | None, actor: Actor
) -> Area:
    region = get_region(session, association, region_id)
    name = _clean_name(name)
    final = _slug(name, slug)
    if session.scalar(sa.select(Area.id).where(Area.region_id == region.id, Area.slug == final)):
        raise RegionError(_("Region %(region)s already has an area %(slug)r.", region=region.name, slug=final))
    area = Area(region_id=region.id, slug=final, name=name)
    session.add(area)
    session.flush()
    _record(session, "area.create", association, actor, f"{region.slug}/{final}")
    return area


def rename_area(session: Session, association: Association, area_id: int, *, name: str, actor: Actor) -> Area:
    area = get_area(session, association, area_id)
    old = area.name
    area.name = _clean_name(name)
    _record(session, "area.rename", association, actor, area.slug, old=old, new=area.name)
    session.flush()
    return area


def update_association_settings(
    session: Session,
    association: Association,
    *,
    k_threshold: int,
    frequency: str,
    weekday: int,
    hour: int,
    timezone: str,
    actor: Actor,
) -> None:
    _check_schedule(k_threshold, frequency, weekday, hour)
    association.timezone = check_timezone(timezone)
    association.k_threshold = k_threshold
    association.digest_frequency = frequency
    association.digest_weekday = weekday
    association.digest_hour = hour
    _record(
        session,
        "association.settings",
        association,
        actor,
        association.slug,
        k=k_threshold,
        digest=f"{frequency} {weekday} {hour} {association.timezone}",
    )
    session.flush()


def update_region_overrides(
    session: Session,
    association: Association,
    region_id: int,
    *,
    k_threshold: int | None,
    frequency: str | None,
    weekday: int | None,
    hour: int | None,
    timezone: str | None,
    actor: Actor,
) -> Region:
    """Set or clear (None) a region's own settings."""
    region = get_region(session, association, region_id)
    _check_schedule(k_threshold, frequency, weekday, hour)
    region.k_threshold = k_threshold
    region.digest_frequency = frequency
    region.digest_weekday = weekday
    region.digest_hour = hour
    region.timezone = check_timezone(timezone) if timezone else None
    _record(session, "region.settings", association, actor, region.slug, k=k_threshold)
    session.flush()
    return region
