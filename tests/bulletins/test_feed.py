"""The regional feed: the store's region of its own association only, newest first, filters, the TLP label,
"this helped", expired and retired bulletins hidden, and the latest three on the dashboard."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.base import utcnow
from models.bulletins import Bulletin, BulletinFeedback
from tests.bulletins.conftest import page_text, signed_in
from tests.fixtures.web import post_form


def _publish(engines, world, title, *, tlp="AMBER", kind="incident", region_id=None, age_days=0, **extra):
    now = utcnow()
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        values = {
            "association_id": world.home.association.id,
            "region_id": region_id or world.home.region.id,
            "region_label": "North",
            "kind": kind,
            "tlp": tlp,
            "incident_type": "casing",
            "title": title,
            "narrative": f"{title}: details.",
            "status": "published",
            "published_at": now - timedelta(days=age_days),
            "expires_at": now + timedelta(days=90 - age_days),
        }
        bulletin = Bulletin(**{**values, **extra})
        session.add(bulletin)
    return bulletin


def test_members_see_their_regions_bulletins_newest_first_with_the_tlp_label(app, engines, sharing_world):
    world = sharing_world
    _publish(engines, world, "Older casing", age_days=3)
    _publish(engines, world, "Newer casing", tlp="GREEN", age_days=1)
    _publish(engines, world, "Expired casing", age_days=100, expires_at=utcnow() - timedelta(days=1))
    _publish(engines, world, "Retired casing", status="retired")
    _publish(engines, world, "Pending casing", status="pending", published_at=None)
    south = world.other_region_store.region_id
    _publish(engines, world, "Southern casing", region_id=south)

    client = signed_in(app, world.neighbour_user)
    text = page_text(client.get(f"/s/{world.neighbour.slug}/feed/"))
    assert text.index("Newer casing") < text.index("Older casing")
    assert "TLP:GREEN" in text and "TLP:AMBER" in text
    for hidden in ("Expired casing", "Retired casing", "Pending casing", "Southern casing"):
        assert hidden not in text
    green_only = page_text(client.get(f"/s/{world.neighbour.slug}/feed/?tlp=GREEN"))
    assert "Newer casing" in green_only and "Older casing" not in green_only
    assert "Newer casing" not in page_text(client.get(f"/s/{world.neighbour.slug}/feed/?kind=police_trend"))
    assert client.get(f"/s/{world.neighbour.slug}/feed/?tlp=RED").status_code == 400

    south_text = page_text(signed_in(app, world.other_region_user).get(f"/s/{world.other_region_store.slug}/feed/"))
    assert "Southern casing" in south_text and "Newer casing" not in south_text


def test_a_member_of_another_association_never_sees_the_bulletin(app, engines, sharing_world):
    world = sharing_world
    bulletin = _publish(engines, world, "Association-only casing")
    outsider = signed_in(app, world.outsider)
    assert "Association-only casing" not in page_text(outsider.get(f"/s/{world.outsider_store.slug}/feed/"))
    assert "Association-only casing" not in page_text(outsider.get(f"/s/{world.outsider_store.slug}/"))
    assert outsider.get(f"/s/{world.neighbour.slug}/feed/").status_code == 404
    feed_url = f"/s/{world.outsider_store.slug}/feed/"
    response = post_form(outsider, f"/s/{world.outsider_store.slug}/feed/{bulletin.id}/helped", {}, form_url=feed_url)
    assert response.status_code == 404


def test_this_helped_counts_once_per_person(app, engines, sharing_world):
    world = sharing_world
    bulletin = _publish(engines, world, "Helpful casing")
    client = signed_in(app, world.neighbour_user)
    feed_url = f"/s/{world.neighbour.slug}/feed/"
    for _ in range(2):
        response = post_form(client, f"{feed_url}{bulletin.id}/helped", {}, form_url=feed_url)
        assert response.status_code == 302
    with Session(engines.owner) as session:
        assert (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(BulletinFeedback)
                .where(BulletinFeedback.bulletin_id == bulletin.id)
            )
            == 1
        )
    assert "You said this helped" in page_text(client.get(feed_url))


def test_the_dashboard_shows_the_latest_three(app, engines, sharing_world):
    world = sharing_world
    for day in range(5):
        _publish(engines, world, f"Bulletin number {day}", age_days=day)
    text = page_text(signed_in(app, world.neighbour_user).get(f"/s/{world.neighbour.slug}/"))
    assert [f"Bulletin number {d}" in text for d in range(5)] == [True, True, True, False, False]


def test_the_feed_pages_through_older_bulletins_keeping_the_filters(app, engines, sharing_world):
    from bulletins.feed import PAGE_SIZE

    world = sharing_world
    for n in range(PAGE_SIZE + 5):
        _publish(engines, world, f"Casing report {n:02d}", age_days=n % 30, published_at=utcnow() - timedelta(hours=n))
    _publish(engines, world, "Green only report", tlp="GREEN", published_at=utcnow() - timedelta(hours=200))
    client = signed_in(app, world.neighbour_user)
    feed_url = f"/s/{world.neighbour.slug}/feed/"
    first = client.get(feed_url + "?tlp=AMBER")
    text = page_text(first)
    assert [f"Casing report {n:02d}" in text for n in (0, PAGE_SIZE - 1, PAGE_SIZE)] == [True, True, False]
    older = re.search(r'href="([^"]+)" rel="next">Older bulletins', first.get_data(as_text=True))
    assert older and "tlp=AMBER" in older.group(1), "the next page keeps the filter"
    second = client.get(html.unescape(older.group(1)))
    text = page_text(second)
    assert all(f"Casing report {n:02d}" in text for n in range(PAGE_SIZE, PAGE_SIZE + 5))
    assert "Casing report 00" not in text and "Green only report" not in text  # filter kept
    assert "Older bulletins" not in text and "Newest bulletins" in text


def test_the_page_key_must_be_a_bulletin_the_store_may_see(app, engines, sharing_world):
    world = sharing_world
    _publish(engines, world, "Northern casing")
    southern = _publish(engines, world, "Southern casing", region_id=world.other_region_store.region_id)
    client = signed_in(app, world.neighbour_user)
    feed_url = f"/s/{world.neighbour.slug}/feed/"
    assert client.get(f"{feed_url}?before={southern.id}").status_code == 404
    assert client.get(f"{feed_url}?before=not-a-number").status_code == 400


def test_an_edited_bulletin_shows_its_new_card_at_once(app, engines, sharing_world):
    """Cards are rendered once per version of a bulletin: an edit (which moves `updated_at`) shows on the next
    view, in every worker, without anyone clearing a cache."""
    world = sharing_world
    bulletin = _publish(engines, world, "Casing before the edit")
    client = signed_in(app, world.neighbour_user)
    feed_url = f"/s/{world.neighbour.slug}/feed/"
    assert "Casing before the edit" in page_text(client.get(feed_url))
    assert "Casing before the edit" in page_text(client.get(feed_url))  # now from the cache
    with Session(engines.owner) as session, session.begin():
        edited = session.get(Bulletin, bulletin.id)
        edited.title, edited.narrative = "Casing after the edit", "Edited by the moderator."
    text = page_text(client.get(feed_url))
    assert "Casing after the edit" in text and "Casing before the edit" not in text
