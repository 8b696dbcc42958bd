"""The police liaison's workspace (issue 18 part 3): navigation, the feed, casing patterns, trends, one bulletin
with its sightings and the exports — of THEIR regions only, by the members' feed rule; the trend-bulletin form
offers only their regions."""

from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import AuditEntry, Membership, Role
from models.base import utcnow
from models.bulletins import Bulletin
from models.sightings import BulletinSighting
from tests.admin.conftest import enrol, sign_in_with_code
from tests.bulletins import conftest as bulletin_fixtures
from tests.bulletins.conftest import page_text, signed_in
from tests.fixtures.web import post_form

sharing_world = bulletin_fixtures.sharing_world


def _bulletin(engines, world, region_id, title, *, kind="incident", tlp="AMBER", status="published") -> Bulletin:
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        bulletin = Bulletin(
            association_id=world.home.association.id,
            region_id=region_id,
            region_label="Somewhere",
            kind=kind,
            tlp=tlp,
            title=title,
            narrative="Seen photographing windows.",
            vehicles=[{"colour": "silver", "make": "VW", "model": "Golf", "plate": "AB12 CDE"}],
            status=status,
            published_at=utcnow() if status == "published" else None,
        )
        session.add(bulletin)
    return bulletin


def _liaison(app, engines, world, make_user, region_id):
    liaison = make_user(association=world.home.association, role=Role.POLICE_LIAISON)
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(Membership).where(Membership.user_id == liaison.id).values(region_id=region_id))
    secret = enrol(engines, liaison)
    client = app.test_client()
    sign_in_with_code(client, engines, liaison, secret)
    return liaison, client


def test_the_feed_patterns_bulletin_and_trends_show_only_their_regions(app, engines, sharing_world, make_user):
    world = sharing_world
    north, south = world.home.region.id, world.other_region_store.region_id
    mine = _bulletin(engines, world, north, "Grey van in the North")
    pattern = _bulletin(engines, world, north, "Heightened response: plate AB12CDE", kind="pattern")
    theirs = _bulletin(engines, world, south, "Blue car in the South")
    _bulletin(engines, world, north, "Waiting for review in the North", status="pending")
    with Session(engines.owner) as session, session.begin():
        session.add(BulletinSighting(bulletin_id=mine.id, note="Seen again by the arcade", part_of_day="evening"))
    _liaison_user, client = _liaison(app, engines, world, make_user, north)

    home = client.get("/liaison/").get_data(as_text=True)
    for label in ("Regional feed", "Casing patterns", "Trends", "Post a trend bulletin"):
        assert label in home
    feed = page_text(client.get("/liaison/feed/"))
    assert "Grey van in the North" in feed and "Heightened response" in feed and "Seen again by the arcade" in feed
    assert "Blue car in the South" not in feed and "Waiting for review" not in feed
    patterns = page_text(client.get("/liaison/patterns/"))
    assert "Heightened response" in patterns and "Grey van in the North" not in patterns
    one = client.get(f"/liaison/bulletins/{mine.id}")
    assert one.status_code == 200 and "Seen again by the arcade" in page_text(one)
    assert client.get(f"/liaison/bulletins/{theirs.id}").status_code == 404
    assert client.get(f"/liaison/bulletins/{pattern.id}").status_code == 200
    trends = client.get("/liaison/trends")
    assert trends.status_code == 200 and world.home.region.name in page_text(trends)
    assert "South" not in page_text(trends)
    # A store member is no liaison.
    assert signed_in(app, world.owner).get("/liaison/feed/").status_code == 403


def test_the_trend_form_offers_only_their_regions_and_refuses_another(app, engines, sharing_world, make_user):
    world = sharing_world
    north, south = world.home.region.id, world.other_region_store.region_id
    _user, client = _liaison(app, engines, world, make_user, north)
    html = client.get("/liaison/bulletins/new").get_data(as_text=True)
    assert f'value="{north}"' in html and f'value="{south}"' not in html
    form = {"region": str(south), "title": "Trend", "modus_operandi": "They distract staff.", "tlp": "AMBER"}
    refused = post_form(client, "/liaison/bulletins/new", {**form, "action": "post"})
    assert refused.status_code == 400 and "Not a valid choice" in refused.get_data(as_text=True)
    with Session(engines.owner) as session:
        mine = sa.select(sa.func.count(Bulletin.id)).where(
            Bulletin.kind == "police_trend", Bulletin.association_id == world.home.association.id
        )
        assert session.scalar(mine) == 0
    # A liaison the association set no region for works for the whole association (both regions offered).
    _wide, wide = _liaison(app, engines, world, make_user, None)
    html = wide.get("/liaison/bulletins/new").get_data(as_text=True)
    assert f'value="{north}"' in html and f'value="{south}"' in html


def test_exports_hold_what_the_pages_show_with_each_tlp(app, engines, sharing_world, make_user):
    world = sharing_world
    north, south = world.home.region.id, world.other_region_store.region_id
    _bulletin(engines, world, north, "=HYPERLINK(evil) grey van", tlp="AMBER+STRICT")
    _bulletin(engines, world, north, "Heightened response: plate AB12CDE", kind="pattern", tlp="AMBER")
    _bulletin(engines, world, north, "Green advice for everyone", tlp="GREEN")
    _bulletin(engines, world, south, "Blue car in the South")
    _bulletin(engines, world, north, "Still pending", status="pending")
    liaison, client = _liaison(app, engines, world, make_user, north)

    response = client.get("/liaison/export/bulletins.csv")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert (
        response.headers["X-TLP"] == "TLP:AMBER+STRICT"
        and "TLP-AMBER-STRICT" in response.headers["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(r["title"] for r in rows) == ["'=HYPERLINK(evil) grey van", "Green advice for everyone"]
    assert {r["tlp"] for r in rows} == {"TLP:AMBER+STRICT", "TLP:GREEN"}
    assert "AB12 CDE" in rows[0]["vehicles"] or "AB12 CDE" in rows[1]["vehicles"]

    data = json.loads(client.get("/liaison/export/patterns.json").get_data(as_text=True))
    assert data["tlp"] == "TLP:AMBER" and [r["title"] for r in data["records"]] == [
        "Heightened response: plate AB12CDE"
    ]
    assert client.get("/liaison/export/everything.xml").status_code == 404
    with Session(engines.owner) as session:
        actions = session.scalars(
            sa.select(AuditEntry.details).where(
                AuditEntry.action == "liaison.export", AuditEntry.actor_user_id == liaison.id
            )
        ).all()
    assert sorted((a["what"], a["format"], a["count"]) for a in actions) == [
        ("bulletins", "csv", 2),
        ("patterns", "json", 1),
    ]
