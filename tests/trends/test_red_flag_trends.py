# ruff: noqa: F811 (the fixture `two_sharing_stores` is imported from the closing tests, then used by name)
"""Red flags in the weekly trends (issue #19): per region and closed week, distinct stores per flag, under the same
small-count rule as the type cells. The attack: one store's flags, however many of its reports carry them, must
never be published (a count of 1 says what that store saw); nor a flag every store but fewer than k noted."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from anonymize import TrendCell
from models import Association, PublishedTrendWeek
from models.base import utcnow
from tests.bulletins.conftest import signed_in
from tests.trends.test_closing import _share, two_sharing_stores  # noqa: F401  (the fixture)
from trends import RED_FLAG_PREFIX, red_flag_cells, week_label, weekly_trends
from trends.closing import close_weeks

W = "2026-W10"


def _facts(flag: str, stores: list[str], *, area=None, region=1) -> list[tuple]:
    return [(region, area, W, RED_FLAG_PREFIX + flag, store) for store in stores]


def test_red_flag_cells_count_distinct_stores_and_withhold_below_k_and_near_the_whole_region():
    facts = (
        _facts("sunglasses", ["a", "b"])  # 2 stores of 6 at k = 2: published
        + _facts("wandering", ["a", "a", "a"])  # three reports, one store: withheld
        + _facts("hand_signals", ["a", "b", "c", "d", "e"])  # 5 of 6: only 1 did not, below k: withheld
        + _facts("on_phone", ["a"], area=7)
        + _facts("on_phone", ["b"], area=8)  # two areas of one store each: the region cell of 2 stores, no area cell
    )
    published = red_flag_cells(facts, {1: 2}, {(1, None): 6, (1, 7): 2, (1, 8): 2})[1].published
    assert published == {
        TrendCell("1", None, W, RED_FLAG_PREFIX + "sunglasses"): 2,
        TrendCell("1", None, W, RED_FLAG_PREFIX + "on_phone"): 2,
    }


@pytest.mark.parametrize("k", [1, 2, 3])
def test_a_cell_of_one_stores_flags_is_never_published_at_k_above_one(k):
    facts = _facts("sunglasses", ["only-store"] * 5)
    published = red_flag_cells(facts, {1: k}, {(1, None): 10})[1].published
    assert (published != {}) is (k == 1)


def test_the_closing_job_publishes_the_flags_two_stores_noted_and_withholds_one_stores(
    app, engines, in_store, two_sharing_stores
):
    """Real stores, real shares, the real closing job: "sunglasses" noted by both stores is counted (2); "hand
    signals" noted by the source twice is one store's: withheld. The trends page shows the one, never the other."""
    world, neighbour_owner = two_sharing_stores
    last_week = utcnow() - timedelta(days=7)
    src, nb = (world.source, world.owner), (world.neighbour, neighbour_owner)
    for store, user, flags in (
        (*src, ("sunglasses", "hand_signals")),
        (*src, ("hand_signals",)),
        (*nb, ("sunglasses",)),
    ):
        _share(app, in_store, store, user, occurred_at=last_week, red_flags=flags)
    week = week_label(last_week.date())
    with app.app_context(), Session(engines.owner) as session, session.begin():
        close_weeks(session, engines.app, session.get(Association, world.home.association.id))
    with Session(engines.owner) as session:
        frozen = session.scalar(
            sa.select(PublishedTrendWeek.red_flag_cells).where(
                PublishedTrendWeek.region_id == world.home.region.id, PublishedTrendWeek.iso_week == week
            )
        )
        assert frozen == [["sunglasses", 2]]
        [trend] = weekly_trends(session, session.get(Association, world.home.association.id), region=world.home.region)
        assert [(s.label, s.last) for s in trend.red_flags] == [("sunglasses", 2)]

    page = signed_in(app, neighbour_owner).get(f"/s/{world.neighbour.slug}/feed/trends").get_data(as_text=True)
    assert "Red flags noticed" in page and "Sunglasses" in page and "Hand signals" not in page


def test_published_once_a_late_flag_changes_nothing(app, engines, in_store, two_sharing_stores):
    world, neighbour_owner = two_sharing_stores
    last_week = utcnow() - timedelta(days=7)
    _share(app, in_store, world.source, world.owner, occurred_at=last_week, red_flags=("wandering",))
    association_id = world.home.association.id
    with app.app_context(), Session(engines.owner) as session, session.begin():
        close_weeks(session, engines.app, session.get(Association, association_id))
    _share(app, in_store, world.neighbour, neighbour_owner, occurred_at=last_week, red_flags=("wandering",))
    with app.app_context(), Session(engines.owner) as session, session.begin():
        assert close_weeks(session, engines.app, session.get(Association, association_id)) == 0
    with Session(engines.owner) as session:
        cells = session.scalars(
            sa.select(PublishedTrendWeek.red_flag_cells).where(PublishedTrendWeek.region_id == world.home.region.id)
        ).all()
    assert all(c == [] for c in cells)  # the week stays as first published: one store then, withheld
