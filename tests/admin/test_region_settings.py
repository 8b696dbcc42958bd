"""`regions.effective_settings`, the one rule for a region's k threshold, time zone and digest schedule, and the
database CHECK that keeps k within the range the admin form allows."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Association, Region
from regions import MAX_K, MIN_K, RegionSettings, effective_settings


def _association() -> Association:
    return Association(
        k_threshold=7, timezone="Europe/London", digest_frequency="weekly", digest_weekday=2, digest_hour=9
    )


def test_without_a_region_the_association_settings_are_in_force():
    assert effective_settings(_association()) == RegionSettings(
        k_threshold=7, frequency="weekly", weekday=2, hour=9, timezone="Europe/London"
    )


def test_a_region_overrides_only_what_it_sets():
    region = Region(k_threshold=12, timezone="Pacific/Auckland", digest_hour=0)
    settings = effective_settings(_association(), region)
    assert (settings.k_threshold, settings.timezone, settings.hour) == (12, "Pacific/Auckland", 0)
    # NULL is inherited; an hour of 0 is a value, not "unset".
    assert (settings.frequency, settings.weekday) == ("weekly", 2)
    assert settings.zone == ZoneInfo("Pacific/Auckland")
    assert settings.describe() == "every Wednesday at 00:00 (Pacific/Auckland)"


def test_a_region_with_no_overrides_inherits_everything():
    association = _association()
    assert effective_settings(association, Region()) == effective_settings(association)


def test_an_unknown_zone_name_reads_as_utc_rather_than_failing():
    settings = effective_settings(_association(), Region(timezone="Mars/Olympus_Mons"))
    assert settings.timezone == "Mars/Olympus_Mons" and settings.zone == ZoneInfo("UTC")


def _set(engines, table, row_id: int, k: int | None) -> None:
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(table).where(table.id == row_id).values(k_threshold=k))


def _k(engines, table, row_id: int) -> int | None:
    with Session(engines.owner) as session:
        return session.scalar(sa.select(table.k_threshold).where(table.id == row_id))


@pytest.mark.parametrize("table", [Association, Region])
@pytest.mark.parametrize("bad", [MIN_K - 1, MAX_K + 1, 0, -5])
def test_the_database_refuses_a_k_outside_the_allowed_range(engines, make_world, table, bad):
    world = make_world()
    row_id = world.association.id if table is Association else world.region.id
    with pytest.raises(IntegrityError, match="k_threshold_range"):
        _set(engines, table, row_id, bad)
    with pytest.raises(IntegrityError, match="k_threshold_range"):
        with Session(engines.owner) as session, session.begin():
            if table is Association:
                session.add(Association(slug=f"{world.association.slug}-x", name="X", k_threshold=bad))
            else:
                session.add(Region(association_id=world.association.id, slug="x", name="X", k_threshold=bad))


@pytest.mark.parametrize("table", [Association, Region])
def test_the_database_accepts_the_range_the_admin_form_allows(engines, make_world, table):
    world = make_world()
    row_id = world.association.id if table is Association else world.region.id
    for good in (MIN_K, MAX_K):
        _set(engines, table, row_id, good)
        assert _k(engines, table, row_id) == good


def test_a_region_may_leave_k_unset_and_then_inherits_the_association_default(engines, make_world):
    world = make_world()
    _set(engines, Region, world.region.id, None)
    with Session(engines.owner) as session:
        region = session.get(Region, world.region.id)
        # The association's k is NOT NULL with a server default (5): no fallback is needed in code.
        assert effective_settings(region.association, region).k_threshold == 5
    with pytest.raises(IntegrityError):
        with Session(engines.owner) as session, session.begin():
            session.execute(
                sa.update(Association).where(Association.id == world.association.id).values(k_threshold=None)
            )
