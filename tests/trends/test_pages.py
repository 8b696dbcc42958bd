"""Trend pages in the feed and the admin portal, and the TLP:CLEAR export: k-checked (at least k stores reported
and at least k of the region's or area's member stores did not), rounded to base 5, suppressed cells omitted,
audited, and only the association's own regions.

Facts are written directly, so the registry is given member stores (`add_member_stores`) to make each region as
large as the counts need: since the group-disclosure rule (issue #17 item 2), "9 stores" is published only in a
region of at least 9 + k member stores.

Counts are shown for closed ISO weeks only (issue #17 item 3): the facts sit in last week (`week(1)`) and the week
before (`week(2)`), which were this week and last week before that rule; the current week is never counted."""

from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Area, AuditEntry, Region, StoreStatus
from tests.bulletins.conftest import admin_client, page_text, signed_in
from tests.trends.conftest import add_facts, add_member_stores, publish_weeks, week

# The sharing world at the default k = 5 (it shares nothing here; trend cells are checked at k = 5).
SHARING_WORLD_K = 5


def _area(engines, region_id, name):
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        area = Area(region_id=region_id, slug=name.lower(), name=name)
        session.add(area)
    return area


def _facts(engines, world):
    home = world.home
    a, r = home.association.id, home.region.id
    # Regions large enough for their counts: North 2 + 20 stores (9 reporting), South 1 + 15 (6), the other
    # association's region 1 + 60 (47).
    add_member_stores(engines, association_id=a, region_id=r, count=20)
    add_member_stores(engines, association_id=a, region_id=world.other_region_store.region_id, count=15)
    outsider = world.outsider_store
    add_member_stores(engines, association_id=outsider.association_id, region_id=outsider.region_id, count=60)
    add_facts(engines, association_id=a, region_id=r, stores=7, week=week(2), tag="w2-")
    add_facts(engines, association_id=a, region_id=r, stores=9, week=week(1), tag="w1-")
    add_facts(engines, association_id=a, region_id=r, stores=2, week=week(1), incident_type="distraction", tag="d")
    south = world.other_region_store.region_id
    add_facts(engines, association_id=a, region_id=south, stores=6, week=week(1), tag="south-")
    elsewhere = world.outsider_store
    add_facts(engines, association_id=elsewhere.association_id, region_id=elsewhere.region_id, stores=47, week=week(1))
    publish_weeks(engines, a)
    publish_weeks(engines, elsewhere.association_id)


def test_the_feed_shows_its_regions_published_counts_with_change_and_average(app, engines, sharing_world):
    world = sharing_world
    _facts(engines, world)
    client = signed_in(app, world.neighbour_user)
    response = client.get(f"/s/{world.neighbour.slug}/feed/trends")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    assert "<svg" in main and "<script" not in main  # the chart is drawn without a script (the layout's own aside)
    text = page_text(response)
    assert "Casing" in text and "+2" in text and "8.0" in text  # 7 then 9: change +2, average 8.0
    assert "Distraction" not in text  # 2 stores < k: withheld
    assert ">47<" not in html  # another association's facts
    assert "South" not in text  # another region of the association

    outsider = signed_in(app, world.outsider)
    assert outsider.get(f"/s/{world.neighbour.slug}/feed/trends").status_code == 404
    outsider_html = outsider.get(f"/s/{world.outsider_store.slug}/feed/trends").get_data(as_text=True)
    assert "<td>47</td>" in outsider_html and "+2" not in outsider_html


def test_admin_trends_page_and_export_are_k_checked_rounded_and_audited(app, engines, sharing_world):
    world = sharing_world
    _facts(engines, world)
    admin = admin_client(app, engines, world)
    slug = world.home.association.slug
    page = admin.get(f"/a/{slug}/trends")
    assert "South" in page_text(page) and ">47<" not in page.get_data(as_text=True)

    response = admin.get(f"/a/{slug}/trends/export.csv")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith("# TLP:CLEAR\n")
    rows = list(csv.DictReader(io.StringIO(body.split("\n", 1)[1])))
    got = {(row["region"], row["iso_week"], row["incident_type"], row["area"]): row["stores"] for row in rows}
    region = world.home.region.name
    assert got == {
        (region, week(2), "casing", ""): "5",  # 7 → 5
        (region, week(1), "casing", ""): "10",  # 9 → 10
        ("South", week(1), "casing", ""): "5",  # 6 → 5
    }
    data = json.loads(admin.get(f"/a/{slug}/trends/export.json").get_data(as_text=True))
    assert data["tlp"] == "TLP:CLEAR" and len(data["cells"]) == 3
    assert all(cell["stores"] % 5 == 0 for cell in data["cells"])
    with Session(engines.owner) as session:
        exports = session.scalars(
            sa.select(AuditEntry.details).where(
                AuditEntry.action == "trends.export", AuditEntry.association_id == world.home.association.id
            )
        ).all()
    assert sorted(d["format"] for d in exports) == ["csv", "json"]


def test_a_suppressed_area_cannot_be_recovered_from_the_export(app, engines, sharing_world):
    world = sharing_world
    a, r = world.home.association.id, world.home.region.id
    east, west = _area(engines, r, "Eastgate"), _area(engines, r, "Westgate")
    add_facts(engines, association_id=a, region_id=r, area_id=east.id, stores=8, week=week(1), tag="e")
    add_facts(engines, association_id=a, region_id=r, area_id=west.id, stores=2, week=week(1), tag="w")
    add_member_stores(engines, association_id=a, region_id=r, area_id=east.id, count=13)
    add_member_stores(engines, association_id=a, region_id=r, area_id=west.id, count=4)
    publish_weeks(engines, a)
    admin = admin_client(app, engines, world)
    data = json.loads(admin.get(f"/a/{world.home.association.slug}/trends/export.json").get_data(as_text=True))
    areas = {cell["area"] for cell in data["cells"]}
    # Region 10, Eastgate 8, Westgate 2: publishing Eastgate would give Westgate = 10 - 8 away, so it is withheld.
    assert areas == {""} and [cell["stores"] for cell in data["cells"]] == [10]


def test_people_outside_the_association_get_nothing(app, engines, sharing_world):
    world = sharing_world
    _facts(engines, world)
    slug = world.home.association.slug
    for user in (world.neighbour_user, world.outsider):
        client = signed_in(app, user)
        for path in ("trends", "trends/export.csv", "trends/export.json"):
            assert client.get(f"/a/{slug}/{path}").status_code in (302, 403, 404)


# ---------------------------------------------------------------------------------------------------------------
# Group disclosure (issue #17 item 2): a count covering the whole region, or all but fewer than k of its stores,
# tells what each store reported; it is withheld like a small count, on the page and in the export.


def _region_of(engines, world, size: int, *, k: int | None = None) -> None:
    """Make the home region exactly `size` ready member stores (it has the source and the neighbour)."""
    add_member_stores(engines, association_id=world.home.association.id, region_id=world.home.region.id, count=size - 2)
    if k is not None:
        with Session(engines.owner) as session, session.begin():
            session.execute(sa.update(Region).where(Region.id == world.home.region.id).values(k_threshold=k))


def _page_and_export(app, engines, world):
    publish_weeks(engines, world.home.association.id)
    neighbour = signed_in(app, world.neighbour_user)
    page = page_text(neighbour.get(f"/s/{world.neighbour.slug}/feed/trends"))
    admin = admin_client(app, engines, world)
    data = json.loads(admin.get(f"/a/{world.home.association.slug}/trends/export.json").get_data(as_text=True))
    region = world.home.region.name
    return page, [c for c in data["cells"] if c["region"] == region]


def _casing(engines, world, stores: int) -> None:
    a, r = world.home.association.id, world.home.region.id
    add_facts(engines, association_id=a, region_id=r, stores=stores, week=week(1), tag="g")


def test_a_region_of_exactly_k_stores_all_reporting_is_withheld(app, engines, sharing_world):
    world = sharing_world
    _region_of(engines, world, 5)  # k = 5 (the default)
    _casing(engines, world, 5)
    page, exported = _page_and_export(app, engines, world)
    assert "Casing" not in page and "withheld" in page
    assert exported == []


def test_a_region_of_seven_with_six_reporting_is_withheld_at_k5(app, engines, sharing_world):
    world = sharing_world
    _region_of(engines, world, 7)
    _casing(engines, world, 6)  # 7 - 6 = 1 store did not report: fewer than k
    page, exported = _page_and_export(app, engines, world)
    assert "Casing" not in page and exported == []


def test_half_a_region_of_ten_is_published_at_k2(app, engines, sharing_world):
    world = sharing_world
    _region_of(engines, world, 10, k=2)
    _casing(engines, world, 5)
    page, exported = _page_and_export(app, engines, world)
    assert "Casing" in page
    assert [(c["incident_type"], c["area"], c["stores"]) for c in exported] == [("casing", "", 5)]


def test_stores_that_are_not_ready_do_not_count_as_members(app, engines, sharing_world):
    # 5 ready stores and 10 suspended ones: the region is 5 stores for the rule, so 5 reporting is withheld.
    world = sharing_world
    _region_of(engines, world, 5)
    add_member_stores(
        engines,
        association_id=world.home.association.id,
        region_id=world.home.region.id,
        count=10,
        status=StoreStatus.SUSPENDED,
    )
    _casing(engines, world, 5)
    page, exported = _page_and_export(app, engines, world)
    assert "Casing" not in page and exported == []
