"""Sharing an incident from the store: the preview, the TLP choice, the bulletin and the store's own record,
auto-publish, withdrawal, and who may share."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from anonymize import IncidentFacts, PersonDescription, VehicleDescription
from models import Association, Region
from models.store.sharing import SharedBulletin
from tests.bulletins.conftest import (
    OWNER_NAME,
    add_incident,
    admin_client,
    bulletins,
    page_text,
    set_auto_publish,
    share,
    signed_in,
)
from tests.fixtures.web import csrf_token, post_form

FACTS = IncidentFacts(
    incident_type="casing",
    title="Two men watching Quayside's window",
    narrative="Sam O'Neill saw two men photographing the window; PC Dana Hughes was told. Call 01632 960123.",
    occurred_at=datetime(2026, 3, 5, 14, 32, tzinfo=UTC),
    people=(PersonDescription(clothing="grey puffer jacket", build="stocky", behaviour="photographing the window"),),
    vehicles=(VehicleDescription("VW", "Golf", "silver", "AB12 CDE", "UK"),),
)


def _records(in_store, store):
    return in_store(store, lambda s: list(s.scalars(sa.select(SharedBulletin)).all()))


def test_the_preview_shows_exactly_what_will_be_published_with_scrubbed_parts_marked(app, sharing_world, in_store):
    world = sharing_world
    incident_id = add_incident(in_store, world.source, FACTS)
    owner = signed_in(app, world.owner)
    page = owner.get(world.share_url(incident_id))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "TLP:AMBER" in html and 'class="scrubbed"' in html
    assert "grey puffer jacket" in html and "AB12 CDE" in html
    assert "[name]" in html and "[phone]" in html
    # At TLP:GREEN the plate is left out, and the preview says so.
    green = owner.get(world.share_url(incident_id) + "?tlp=GREEN").get_data(as_text=True)
    assert "TLP:GREEN" in green and "AB12 CDE" not in green.split('title="Removed')[0]
    # The incident page offers sharing to owners and managers.
    incident_page = owner.get(f"/s/{world.source.slug}/logbook/{incident_id}")
    assert "Share with the region" in incident_page.get_data(as_text=True)


def test_sharing_writes_a_pending_bulletin_and_the_store_keeps_the_link(app, engines, sharing_world, in_store):
    world = sharing_world
    incident_id = add_incident(in_store, world.source, FACTS)
    owner = signed_in(app, world.owner)
    response = share(owner, world, incident_id, "AMBER+STRICT")
    assert response.status_code == 302
    [bulletin] = bulletins(engines, world.home.association.id)
    assert bulletin.status == "pending" and bulletin.tlp == "AMBER+STRICT" and bulletin.published_at is None
    assert bulletin.region_id == world.source.region_id and bulletin.area_label is None  # area too small to name
    assert (bulletin.expires_at - bulletin.created_at).days in (89, 90)
    assert bulletin.vehicles[0]["plate"] == "AB12 CDE"
    [record] = _records(in_store, world.source)
    assert record.bulletin_id == bulletin.id and record.incident_id == incident_id
    assert record.shared_by_name == OWNER_NAME and record.withdrawn_at is None
    # Sharing twice is refused while the first share stands.
    again = share(owner, world, incident_id)
    assert again.status_code == 400 and len(bulletins(engines, world.home.association.id)) == 1
    status_page = page_text(owner.get(world.share_url(incident_id)))
    assert "Waiting for the association to review it" in status_page


def test_red_and_clear_are_never_published(app, engines, sharing_world, in_store):
    world = sharing_world
    incident_id = add_incident(in_store, world.source, FACTS)
    owner = signed_in(app, world.owner)
    for tlp in ("RED", "CLEAR", "nonsense"):
        assert share(owner, world, incident_id, tlp).status_code == 400
    assert bulletins(engines, world.home.association.id) == []
    assert _records(in_store, world.source) == []


def test_auto_publish_puts_the_bulletin_in_the_feed_at_once(app, engines, sharing_world, in_store):
    world = sharing_world
    set_auto_publish(engines, world.home.association.id)
    incident_id = add_incident(in_store, world.source, FACTS)
    assert share(signed_in(app, world.owner), world, incident_id).status_code == 302
    [bulletin] = bulletins(engines, world.home.association.id)
    assert bulletin.status == "published" and bulletin.published_at is not None
    feed = signed_in(app, world.neighbour_user).get(f"/s/{world.neighbour.slug}/feed/")
    assert bulletin.title in page_text(feed)


def test_withdrawing_takes_the_bulletin_back_everywhere(app, engines, sharing_world, in_store):
    world = sharing_world
    set_auto_publish(engines, world.home.association.id)
    incident_id = add_incident(in_store, world.source, FACTS)
    owner = signed_in(app, world.owner)
    share(owner, world, incident_id)
    [bulletin] = bulletins(engines, world.home.association.id)
    response = post_form(owner, world.share_url(incident_id) + "withdraw", {}, form_url=world.share_url(incident_id))
    assert response.status_code == 302
    [after] = bulletins(engines, world.home.association.id)
    assert after.status == "withdrawn" and after.narrative == "" and after.people == [] and after.vehicles == []
    [record] = _records(in_store, world.source)
    assert record.withdrawn_at is not None
    feed = signed_in(app, world.neighbour_user).get(f"/s/{world.neighbour.slug}/feed/")
    assert bulletin.title not in page_text(feed)
    # It can be shared again afterwards (as a new bulletin).
    assert share(owner, world, incident_id).status_code == 302
    assert len(bulletins(engines, world.home.association.id)) == 2


def test_staff_and_other_stores_cannot_share(app, engines, sharing_world, in_store):
    world = sharing_world
    incident_id = add_incident(in_store, world.source, FACTS)
    staff = signed_in(app, world.staff)
    assert staff.get(world.share_url(incident_id)).status_code in (403, 404)
    incident_page = staff.get(f"/s/{world.source.slug}/logbook/{incident_id}").get_data(as_text=True)
    assert "Share with the region" not in incident_page
    for user in (world.neighbour_user, world.outsider):
        client = signed_in(app, user)
        assert client.get(world.share_url(incident_id)).status_code == 404
        token_page = client.get("/account/password").get_data(as_text=True)
        response = client.post(
            world.share_url(incident_id), data={"tlp": "AMBER", "csrf_token": csrf_token(token_page)}
        )
        assert response.status_code == 404
    assert bulletins(engines, world.home.association.id) == []


def test_a_region_time_zone_override_rules_both_the_store_pages_and_the_bulletin(app, engines, sharing_world, in_store):
    """The association keeps UTC, the store's region runs on Auckland time (UTC+13 in March). 07:30 UTC on 5 March
    is 20:30 that evening in Auckland: the store's page and the bulletin must both say 5 March, evening."""
    world = sharing_world
    with Session(engines.owner) as session, session.begin():
        home = world.home.association.id
        session.execute(sa.update(Association).where(Association.id == home).values(timezone="UTC"))
        session.execute(
            sa.update(Region).where(Region.id == world.source.region_id).values(timezone="Pacific/Auckland")
        )
    facts = replace(FACTS, occurred_at=datetime(2026, 3, 5, 7, 30, tzinfo=UTC))
    incident_id = add_incident(in_store, world.source, facts)
    owner = signed_in(app, world.owner)
    incident_page = page_text(owner.get(f"/s/{world.source.slug}/logbook/{incident_id}"))
    assert "05 Mar 2026, 20:30" in incident_page
    preview = page_text(owner.get(world.share_url(incident_id)))
    assert "Thu 5 Mar 2026, evening" in preview
    assert share(owner, world, incident_id).status_code == 302
    [bulletin] = bulletins(engines, world.home.association.id)
    assert (bulletin.day, bulletin.part_of_day) == (date(2026, 3, 5), "evening")
    # The logbook's edit form shows (and so reads back) the same wall-clock time.
    edit_page = owner.get(f"/s/{world.source.slug}/logbook/{incident_id}/edit").get_data(as_text=True)
    assert 'value="2026-03-05T20:30"' in edit_page


# Not in the store's records ("Sam" is: the owner is Sam O'Neill, so "Sam Patel" would lose "Sam" to the scrub).
UNKNOWN_NAME = replace(
    FACTS, title="Man asking about the safe", narrative="He asked Ravi Patel when the safe is opened."
)


def test_an_unknown_name_is_flagged_in_the_preview_and_removed_by_default(app, engines, sharing_world, in_store):
    world = sharing_world
    incident_id = add_incident(in_store, world.source, UNKNOWN_NAME)
    owner = signed_in(app, world.owner)
    preview = owner.get(world.share_url(incident_id))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    # The word is flagged with a choice, removed unless kept, and the preview no longer claims everything was removed.
    assert 'name="name:Ravi Patel" value="remove" checked' in html and 'name="name:Ravi Patel" value="keep"' in html
    assert "we can't recognise every name" in page_text(preview)
    assert "were removed because they could identify" not in html
    assert share(owner, world, incident_id).status_code == 302
    [bulletin] = bulletins(engines, world.home.association.id)
    assert bulletin.narrative == "He asked [name] when the safe is opened."
    admin = admin_client(app, engines, world)
    queue = page_text(admin.get(f"/a/{world.home.association.slug}/moderation"))
    assert "Ravi Patel" not in queue and "Check these words before approving" not in queue


def test_a_flagged_name_the_store_keeps_is_published_and_shown_to_the_moderator(app, engines, sharing_world, in_store):
    world = sharing_world
    incident_id = add_incident(in_store, world.source, UNKNOWN_NAME)
    owner = signed_in(app, world.owner)
    # The choice is made on the preview and carried to the confirmation.
    preview = owner.get(world.share_url(incident_id) + "?tlp=AMBER&name:Ravi+Patel=keep")
    html = preview.get_data(as_text=True)
    assert 'name="name:Ravi Patel" value="keep" checked' in html
    assert '<input type="hidden" name="keep_name" value="Ravi Patel">' in html
    response = post_form(
        owner, world.share_url(incident_id), {"tlp": "AMBER", "keep_name": "Ravi Patel"}, form_url=preview.request.url
    )
    assert response.status_code == 302
    [bulletin] = bulletins(engines, world.home.association.id)
    assert bulletin.narrative == "He asked Ravi Patel when the safe is opened."
    admin = admin_client(app, engines, world)
    base = f"/a/{world.home.association.slug}/moderation"
    queue = admin.get(base).get_data(as_text=True)
    assert "Check these words before approving" in queue
    assert '<li class="kept-name">Ravi Patel</li>' in queue
    edit = admin.get(f"{base}/{bulletin.id}/edit").get_data(as_text=True)
    assert '<li class="kept-name">Ravi Patel</li>' in edit
