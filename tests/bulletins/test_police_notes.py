"""Police trend bulletins (a liaison, for a region, scrubbed with every store of the region), relayed police notes
(a store, scrubbed with its own identity), "I saw this too" sightings, and the feed's area and date filters."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Area, Region, Role, Store
from models.base import utcnow
from models.bulletins import Bulletin
from models.sightings import BulletinSighting, TrendBulletinDetails
from models.store.sharing import SharedBulletin
from models.store.sightings import ReportedSighting
from tests.admin.conftest import enrol, sign_in_with_code
from tests.bulletins.conftest import (
    FORBIDDEN,
    KEYHOLDER,
    OFFICER,
    PHONES,
    SOURCE_NAME,
    STAFF_NAME,
    bulletins,
    page_text,
    set_auto_publish,
    signed_in,
)
from tests.bulletins.test_feed import _publish
from tests.fixtures.web import post_form

NAMING_TEXT = (
    f"{SOURCE_NAME} told us: two men asked {STAFF_NAME} about the safe; {KEYHOLDER} saw a grey van. "
    f"Call {OFFICER} on {PHONES[0]}. Quayside's staff were shaken."
)


def _liaison(app, engines, world, make_user):
    liaison = make_user(association=world.home.association, role=Role.POLICE_LIAISON)
    secret = enrol(engines, liaison)
    client = app.test_client()
    sign_in_with_code(client, engines, liaison, secret)
    return client


def _trend_form(world, action):
    return {
        "region": str(world.home.region.id),
        "title": f"Distraction thefts after {SOURCE_NAME}",
        "modus_operandi": NAMING_TEXT,
        "watch_for": "Two men in dark hoodies, grey van, asking about the safe.",
        "recommendation": f"Keep trays in view; do not tell {STAFF_NAME}'s callers about keyholders.",
        "valid_until": (utcnow() + timedelta(days=30)).date().isoformat(),
        "tlp": "AMBER",
        "action": action,
    }


def _assert_anonymous(text: str) -> None:
    for forbidden in FORBIDDEN:
        assert not re.search(rf"\b{re.escape(forbidden)}\b", text, re.IGNORECASE), forbidden


def test_a_liaison_posts_a_trend_bulletin_that_cannot_name_the_store_that_told_them(
    app, engines, sharing_world, make_user
):
    world = sharing_world
    client = _liaison(app, engines, world, make_user)
    url = "/liaison/bulletins/new"
    assert client.get(url).status_code == 200
    preview = post_form(client, url, _trend_form(world, "preview"))
    assert preview.status_code == 200
    assert "scrubbed" in preview.get_data(as_text=True)
    response = post_form(client, url, _trend_form(world, "post"))
    assert response.status_code == 302
    [bulletin] = bulletins(engines, world.home.association.id)
    assert (bulletin.kind, bulletin.status, bulletin.tlp) == ("police_trend", "pending", "AMBER")
    assert bulletin.expires_at.date() == (utcnow() + timedelta(days=30)).date()
    with Session(engines.owner) as session:
        details = session.get(TrendBulletinDetails, bulletin.id)
        stored = " ".join([bulletin.title, bulletin.narrative, details.watch_for, details.recommendation])
    _assert_anonymous(stored)
    assert "grey van" in stored and "dark hoodies" in stored

    # Approved, it is highlighted in the feed of the region's stores, with its own parts.
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(Bulletin).where(Bulletin.id == bulletin.id).values(status="published", published_at=utcnow())
        )
    feed = signed_in(app, world.neighbour_user).get(f"/s/{world.neighbour.slug}/feed/")
    html = feed.get_data(as_text=True)
    assert "bulletin-police" in html and "Police trend bulletin" in html
    text = page_text(feed)
    assert "What to watch for" in text and "Recommendation" in text and "TLP:AMBER" in text
    _assert_anonymous(text.replace(world.neighbour.name, ""))


def test_only_liaisons_post_trend_bulletins(app, engines, sharing_world):
    world = sharing_world
    for user in (world.owner, world.neighbour_user):
        assert signed_in(app, user).get("/liaison/bulletins/new").status_code == 403
    assert app.test_client().get("/liaison/bulletins/new").status_code == 302


def test_a_store_relays_its_police_contacts_note_anonymized(app, engines, sharing_world):
    world = sharing_world
    client = signed_in(app, world.owner)
    url = f"/s/{world.source.slug}/relay/"
    data = {"title": "What our PC said", "text": NAMING_TEXT, "tlp": "GREEN"}
    preview = post_form(client, url, {**data, "action": "preview"})
    assert preview.status_code == 200 and "scrubbed" in preview.get_data(as_text=True)
    assert post_form(client, url, {**data, "action": "post"}).status_code == 302
    [bulletin] = bulletins(engines, world.home.association.id)
    assert (bulletin.kind, bulletin.status, bulletin.tlp) == ("relayed_note", "pending", "GREEN")
    _assert_anonymous(bulletin.title + " " + bulletin.narrative)
    assert "grey van" in bulletin.narrative
    with Session(engines.owner) as session:
        schema = world.source.schema_name
        row = session.execute(
            sa.select(SharedBulletin.__table__).where(SharedBulletin.__table__.c.bulletin_id == bulletin.id),
            execution_options={"schema_translate_map": {None: schema}},
        ).one()
        assert row.incident_id is None

    # Staff cannot relay; other stores' members get 404.
    assert signed_in(app, world.staff).get(url).status_code == 403
    assert signed_in(app, world.neighbour_user).get(url).status_code == 404


def test_relayed_note_is_published_at_once_with_auto_publish(app, engines, sharing_world):
    world = sharing_world
    set_auto_publish(engines, world.home.association.id)
    client = signed_in(app, world.owner)
    url = f"/s/{world.source.slug}/relay/"
    post_form(client, url, {"title": "Note", "text": "Grey van seen twice.", "tlp": "AMBER", "action": "post"})
    [bulletin] = bulletins(engines, world.home.association.id)
    assert bulletin.status == "published"
    assert "Grey van seen twice." in page_text(
        signed_in(app, world.neighbour_user).get(f"/s/{world.neighbour.slug}/feed/")
    )


def test_i_saw_this_too_stores_an_anonymized_sighting_without_the_store(app, engines, sharing_world):
    world = sharing_world
    bulletin = _publish(engines, world, "Grey van casing")
    client = signed_in(app, world.owner)
    url = f"/s/{world.source.slug}/feed/{bulletin.id}/sightings"
    seen = (utcnow() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    note = f"Same grey van outside {SOURCE_NAME}, {STAFF_NAME} saw it; call {PHONES[1]}."
    assert post_form(client, url, {"note": note, "seen_at": seen}).status_code == 302
    future = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert post_form(client, url, {"note": "later", "seen_at": future}).status_code == 400
    assert post_form(client, url, {"note": "", "seen_at": seen}).status_code == 400
    with Session(engines.owner) as session:
        [sighting] = session.scalars(sa.select(BulletinSighting).where(BulletinSighting.bulletin_id == bulletin.id))
        assert not hasattr(sighting, "store_id")
        _assert_anonymous(sighting.note)
        assert "grey van" in sighting.note.lower() and sighting.day is not None
        own = session.execute(
            sa.select(ReportedSighting.__table__),
            execution_options={"schema_translate_map": {None: world.source.schema_name}},
        ).one()
        assert own.sighting_id == sighting.id and SOURCE_NAME in own.note
    text = page_text(signed_in(app, world.neighbour_user).get(f"/s/{world.neighbour.slug}/feed/"))
    assert re.search(r"\b1\s+sighting reported", text) and "grey van" in text.lower()
    _assert_anonymous(text.replace(world.neighbour.name, ""))
    # Only the bulletin's own region: another association's member gets 404.
    outsider = signed_in(app, world.outsider)
    assert outsider.get(f"/s/{world.outsider_store.slug}/feed/{bulletin.id}/sightings").status_code == 404
    assert outsider.get(url).status_code == 404


def test_the_feed_filters_by_area_and_date(app, engines, sharing_world):
    world = sharing_world
    with Session(engines.owner) as session:
        area_id = session.scalar(sa.select(Area.id).where(Area.region_id == world.home.region.id))
    with Session(engines.owner) as session, session.begin():
        # With the neighbour moved in, the area holds two stores: with k = 2 (the lowest allowed) it may be named.
        session.execute(sa.update(Store).where(Store.id == world.neighbour.id).values(area_id=area_id))
        session.execute(sa.update(Region).where(Region.id == world.home.region.id).values(k_threshold=2))
    _publish(engines, world, "Area bulletin", area_id=area_id, area_label="Harbourside")
    _publish(engines, world, "Old regional bulletin", age_days=20)
    client = signed_in(app, world.neighbour_user)
    base = f"/s/{world.neighbour.slug}/feed/"
    by_area = page_text(client.get(f"{base}?area={area_id}"))
    assert "Area bulletin" in by_area and "Old regional bulletin" not in by_area
    since = (utcnow() - timedelta(days=5)).date().isoformat()
    recent = page_text(client.get(f"{base}?since={since}"))
    assert "Area bulletin" in recent and "Old regional bulletin" not in recent
    until = (utcnow() - timedelta(days=10)).date().isoformat()
    old = page_text(client.get(f"{base}?until={until}"))
    assert "Old regional bulletin" in old and "Area bulletin" not in old
    assert client.get(f"{base}?area=999999").status_code == 400
