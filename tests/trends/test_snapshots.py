"""Snapshots (issue #17 item 3, ANONYMIZATION.md rule 4): counts are published for closed ISO weeks only. A count of
the current week changes as shares arrive, so a look before and a look after one share isolates it (measured: the
only store outside a named area was shown to have reported a follow-home incident). Here an observer looks at the
feed's trends page, the TLP:CLEAR export and the digest content, one store shares an incident this week, and the
observer looks again: every number must be the same, and the current week must say when its counts come."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from digest.content import region_content
from digest.periods import day_period, week_period
from models import Association, Region
from tests.bulletins.conftest import admin_client, page_text, signed_in
from tests.trends.conftest import add_facts, add_member_stores, publish_weeks, week


def _look(app, engines, world) -> dict:
    """Everything a member, an association admin and a digest reader can see of the home region's counts, after
    the closing job has run (it runs every hour)."""
    publish_weeks(engines, world.home.association.id)
    neighbour = signed_in(app, world.neighbour_user)
    html = neighbour.get(f"/s/{world.neighbour.slug}/feed/trends").get_data(as_text=True)
    admin = admin_client(app, engines, world)
    slug = world.home.association.slug
    export = json.loads(admin.get(f"/a/{slug}/trends/export.json").get_data(as_text=True))["cells"]
    admin_html = admin.get(f"/a/{slug}/trends").get_data(as_text=True)
    digests = []
    with Session(engines.owner) as session:
        association = session.get(Association, world.home.association.id)
        region = session.get(Region, world.home.region.id)
        # A daily digest of yesterday, and a weekly one of this (open) week, e.g. an admin's preview.
        for period in (day_period(date.today() - timedelta(days=1)), week_period(date.today())):
            digests.append(region_content(session, association, region, period, ZoneInfo("UTC"))["trend"])
    numbers = re.compile(r"<td>[^<]*</td>|<text[^>]*>[^<]*</text>|<title>[^<]*</title>")
    return {
        "page": numbers.findall(html),
        "admin": numbers.findall(admin_html),
        "export": export,
        "digests": digests,
    }


def test_two_looks_around_one_share_this_week_see_the_same_numbers(app, engines, sharing_world):
    world = sharing_world
    a, r = world.home.association.id, world.home.region.id
    # A region of 2 + 20 member stores: 5 or 6 reporting is a publishable cell (k = 5 ≤ n ≤ N − k).
    add_member_stores(engines, association_id=a, region_id=r, count=20)
    add_facts(engines, association_id=a, region_id=r, stores=7, week=week(1), tag="last-")  # a closed week
    add_facts(engines, association_id=a, region_id=r, stores=5, week=week(0), tag="now-")  # the open week
    before = _look(app, engines, world)

    add_facts(engines, association_id=a, region_id=r, stores=1, week=week(0), tag="one-share-")  # one store shares
    after = _look(app, engines, world)

    assert before == after
    # The closed week is published; the open one is not counted anywhere, and says when it will be.
    assert "<td>7</td>" in before["page"] and "<td>5</td>" not in before["page"]
    assert {c["iso_week"] for c in before["export"]} == {week(1)}
    assert all(d["week"] == week(1) for d in before["digests"])
    assert all(row["this"] == 7 for d in before["digests"] for row in d["rows"] if row["type"] == "casing")
    text = page_text(signed_in(app, world.neighbour_user).get(f"/s/{world.neighbour.slug}/feed/trends"))
    assert f"this week's counts ({week(0)}) are published when it ends" in " ".join(text.split())


def test_a_late_fact_for_a_closed_week_does_not_change_its_published_cells(app, engines, sharing_world):
    """Published once: the first look after a week ends freezes its cells (`published_trend_weeks`); a share
    recorded for that week afterwards (an incident logged late) changes nothing shown."""
    world = sharing_world
    a, r = world.home.association.id, world.home.region.id
    add_member_stores(engines, association_id=a, region_id=r, count=20)
    add_facts(engines, association_id=a, region_id=r, stores=7, week=week(1), tag="last-")
    before = _look(app, engines, world)
    assert "<td>7</td>" in before["page"]

    # Two shares recorded for that week after it was published: 9 stores now (10 after rounding), were it recomputed.
    add_facts(engines, association_id=a, region_id=r, stores=2, week=week(1), tag="late-")
    after = _look(app, engines, world)
    assert before == after
    assert [c["stores"] for c in after["export"]] == [5]  # 7, rounded to base 5
    assert all(row["this"] == 7 for d in after["digests"] for row in d["rows"] if row["type"] == "casing")
